"""What every route handler shares: the core's typed application keys and per-request helpers.

The Graph areas keep their own services' keys next to them (``calendar/context.py``, ``drive/context.py``,
``mail/context.py``, ``subscriptions/context.py``), so the core depends on none of them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from m365_sandbox.core.clock import SandboxClock
from m365_sandbox.core.directory import Directory
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.faults import FaultInjector
from m365_sandbox.core.metrics import RequestCounter
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.timezones import prefer_body_text, prefer_time_zone
from m365_sandbox.core.transport import Transport


@dataclass(frozen=True)
class ObservedResponse:
    """A /v1.0 response as sent, for observers such as the contract tests."""

    method: str
    path: str
    route: str
    status: int
    content_type: str
    body: bytes


ResponseObserver = Callable[[ObservedResponse], None]

# The home tenant (the data file's top-level document); requests with another tenant's token use that one.
TENANT = web.AppKey("sandbox.tenant", Tenant)
# Every tenant of the data file, the apps and the outside people.
DIRECTORY = web.AppKey("sandbox.directory", Directory)
# Exchange's deliveries between mailboxes (now, or later when the data file or CLI asks for it).
TRANSPORT = web.AppKey("sandbox.transport", Transport)
# Whether a Graph request needs a sandbox-issued token (else: no token means the home tenant).
REQUIRE_TOKENS = web.AppKey("sandbox.require_tokens", bool)
# Per request: the tenant of the caller's token, and whether the token is an app-only one the sandbox issued.
REQUEST_TENANT = web.RequestKey("sandbox.request_tenant", Tenant)
APP_ONLY = web.RequestKey("sandbox.app_only", bool)
FAULTS = web.AppKey("sandbox.faults", FaultInjector)
COUNTER = web.AppKey("sandbox.counter", RequestCounter)
OBSERVERS = web.AppKey("sandbox.observers", list[ResponseObserver])
CLOCK = web.AppKey("sandbox.clock", SandboxClock)
# The address people reach the sandbox at, for webUrls ('' = the request's own address).
PUBLIC_URL = web.AppKey("sandbox.public_url", str)
# Where the sandbox plays the SharePoint site that OneDrive's webUrls point to.
SHAREPOINT_PREFIX = "/_sharepoint"


def tenant(request: web.Request) -> Tenant:
    """The caller's tenant: the ``tid`` of its sandbox-issued token, else the home tenant."""
    return request.get(REQUEST_TENANT) or request.app[TENANT]


def directory(request: web.Request) -> Directory:
    """Every tenant of the running app."""
    return request.app[DIRECTORY]


def access_denied() -> GraphError:
    """Graph's 403 for a mailbox, drive or event of another organisation."""
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def check_same_tenant(request: web.Request, box: Mailbox) -> Mailbox:
    """``box`` when it belongs to the caller's tenant; 403 ``ErrorAccessDenied`` otherwise."""
    if not directory(request).is_member(tenant(request), box):
        raise access_denied()
    return box


def _other_tenant(request: web.Request, key: str) -> None:
    """403 when ``key`` names a mailbox of another tenant (the caller's own tenant did not have it)."""
    if directory(request).find(key) is not None:
        raise access_denied()


def root_url(request: web.Request) -> str:
    """This server's address as the client sees it, e.g. ``http://127.0.0.1:3979``."""
    return f"{request.scheme}://{request.host}"


def site_root(request: web.Request) -> str:
    """The root of the SharePoint stand-in that webUrls point to, e.g. ``http://127.0.0.1:3979/_sharepoint``.

    Built on the configured public URL when there is one, else on the address the client used (its Host).
    """
    public = request.app.get(PUBLIC_URL) or root_url(request)
    return public + SHAREPOINT_PREFIX


def base_url(request: web.Request) -> str:
    """This server's Graph base URL as the client sees it, e.g. ``http://127.0.0.1:3979/v1.0``."""
    return f"{root_url(request)}/v1.0"


def response_zone(request: web.Request) -> str | None:
    """The time zone asked for with ``Prefer: outlook.timezone`` (None: UTC)."""
    return prefer_time_zone(request.headers.get("Prefer"))


def response_body_text(request: web.Request) -> bool:
    """Whether ``Prefer: outlook.body-content-type="text"`` was asked for."""
    return prefer_body_text(request.headers.get("Prefer"))


def preference_headers(zone: str | None, body_text: bool = False) -> dict[str, str]:
    """``Preference-Applied`` as Graph returns it for the preferences it honoured."""
    applied = [f'outlook.timezone="{zone}"'] if zone else []
    if body_text:
        applied.append('outlook.body-content-type="text"')
    return {"Preference-Applied": ", ".join(applied)} if applied else {}


def current_user(request: web.Request) -> Mailbox:
    """The signed-in user for /me: from the bearer token's claims, else the tenant's default user.

    Tokens are not verified (any Authorization header is accepted); an unsigned or signed JWT
    whose ``oid``, ``upn`` or ``preferred_username`` names a tenant user selects that user.
    """
    return token_user(request) or tenant(request).default_user


def me(request: web.Request) -> Mailbox:
    """The mailbox ``/me`` means; 400 as Graph for an app-only token when the sandbox requires tokens."""
    if request.get(APP_ONLY) and request.app.get(REQUIRE_TOKENS, False):
        raise GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
    return current_user(request)


def token_user(request: web.Request) -> Mailbox | None:
    """The tenant user the bearer token names (``oid``, ``upn``, ``preferred_username``), if any."""
    claims = token_claims(request)
    known = tenant(request)
    for key in ("oid", "upn", "preferred_username", "unique_name"):
        value = claims.get(key)
        box = known.find(str(value)) if value else None
        if box is not None:
            return box
    return None


def token_claims(request: web.Request) -> dict[str, object]:
    """The claims of the bearer token (unverified; empty without a JWT)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return {}
    parts = header[7:].strip().split(".")
    if len(parts) < 2:
        return {}
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, UnicodeDecodeError):
        return {}
    return payload if isinstance(payload, dict) else {}


def mailbox_of(request: web.Request) -> Mailbox:
    """The mailbox addressed by ``/users/{user}`` (404 ErrorInvalidUser), or /me."""
    key = request.match_info.get("user")
    if key is None:
        return me(request)
    if tenant(request).find(key) is None:
        _other_tenant(request, key)
    return tenant(request).mailbox(key)


def user_prefixes() -> tuple[str, ...]:
    """The two ways to address a mailbox: ``/users/{user}`` and ``/me``."""
    return ("/v1.0/users/{user}", "/v1.0/me")


def require_user(request: web.Request) -> Mailbox:
    """Like :func:`mailbox_of`, but directory-style 404 (``Request_ResourceNotFound``)."""
    key = request.match_info.get("user")
    if key is None:
        return me(request)
    box = tenant(request).find(key)
    if box is None:
        _other_tenant(request, key)
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
        )
    return box
