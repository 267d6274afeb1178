"""What route handlers share: typed application keys and per-request helpers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from sandbox.calendar_ops import CalendarService
from sandbox.clock import SandboxClock
from sandbox.drive_ops import DriveService
from sandbox.drive_sharing import SharingService
from sandbox.errors import GraphError
from sandbox.faults import FaultInjector
from sandbox.mail_ops import MailService
from sandbox.metrics import RequestCounter
from sandbox.notifications import Notifier
from sandbox.subscriptions import SubscriptionService
from sandbox.tenant import Mailbox, Tenant
from sandbox.timezones import prefer_body_text, prefer_time_zone


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

TENANT = web.AppKey("sandbox.tenant", Tenant)
SERVICE = web.AppKey("sandbox.service", CalendarService)
FAULTS = web.AppKey("sandbox.faults", FaultInjector)
COUNTER = web.AppKey("sandbox.counter", RequestCounter)
OBSERVERS = web.AppKey("sandbox.observers", list[ResponseObserver])
CLOCK = web.AppKey("sandbox.clock", SandboxClock)
DRIVES = web.AppKey("sandbox.drives", DriveService)
SHARING = web.AppKey("sandbox.sharing", SharingService)
SUBSCRIPTIONS = web.AppKey("sandbox.subscriptions", SubscriptionService)
NOTIFIER = web.AppKey("sandbox.notifier", Notifier)
MAIL = web.AppKey("sandbox.mail", MailService)
# The address people reach the sandbox at, for webUrls ('' = the request's own address).
PUBLIC_URL = web.AppKey("sandbox.public_url", str)
# Where the sandbox plays the SharePoint site that OneDrive's webUrls point to.
SHAREPOINT_PREFIX = "/_sharepoint"


def service(request: web.Request) -> CalendarService:
    """The calendar service of the running app."""
    return request.app[SERVICE]


def mail_service(request: web.Request) -> MailService:
    """The mail service of the running app."""
    return request.app[MAIL]


def tenant(request: web.Request) -> Tenant:
    """The tenant of the running app."""
    return request.app[TENANT]


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


def clock(request: web.Request) -> SandboxClock:
    """The sandbox clock of the running app."""
    return request.app[CLOCK]


def mailbox_of(request: web.Request) -> Mailbox:
    """The mailbox addressed by ``/users/{user}`` (404 ErrorInvalidUser), or /me."""
    key = request.match_info.get("user")
    if key is None:
        return current_user(request)
    return service(request).mailbox(key)


def user_prefixes() -> tuple[str, ...]:
    """The two ways to address a mailbox: ``/users/{user}`` and ``/me``."""
    return ("/v1.0/users/{user}", "/v1.0/me")


def require_user(request: web.Request) -> Mailbox:
    """Like :func:`mailbox_of`, but directory-style 404 (``Request_ResourceNotFound``)."""
    key = request.match_info.get("user")
    if key is None:
        return current_user(request)
    box = tenant(request).find(key)
    if box is None:
        raise GraphError(
            404,
            "Request_ResourceNotFound",
            f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
        )
    return box
