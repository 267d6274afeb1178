"""The aiohttp application: routes, Graph-style errors, request counting and fault injection.

Graph traffic is everything under /v1.0 plus the upload (``/_upload/…``) and download
(``/_download/…``) URLs that Graph hands out; the admin API (``/_admin/…``) is never faulted.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler

from m365_sandbox.admin import routes as routes_admin
from m365_sandbox.admin import routes_notifications as routes_admin_notifications
from m365_sandbox.admin import routes_page as routes_admin_page
from m365_sandbox.admin import routes_tenants as routes_admin_tenants
from m365_sandbox.calendar import routes_calendar, routes_events, routes_places
from m365_sandbox.calendar.context import CALENDAR
from m365_sandbox.calendar.seed import seed_calendars
from m365_sandbox.calendar.service import CalendarService
from m365_sandbox.calendar.store import CalendarStore
from m365_sandbox.core.clock import SandboxClock
from m365_sandbox.core.context import (
    CLOCK,
    COUNTER,
    DIRECTORY,
    FAULTS,
    OBSERVERS,
    PUBLIC_URL,
    REQUIRE_TOKENS,
    TENANT,
    TRANSPORT,
    ObservedResponse,
    ResponseObserver,
)
from m365_sandbox.core.directory import load_directory
from m365_sandbox.core.errors import GraphError, error_response
from m365_sandbox.core.faults import FaultConfig, FaultInjector
from m365_sandbox.core.mailbox_concurrency import MAILBOXES, MESSAGE, MailboxConcurrency, mailbox_key
from m365_sandbox.core.metrics import RequestCounter
from m365_sandbox.core.timezones import resolve_zone
from m365_sandbox.core.transport import Transport, TransportConfig
from m365_sandbox.drive import routes as routes_drive
from m365_sandbox.drive import routes_sharing as routes_drive_sharing
from m365_sandbox.drive import routes_uploads
from m365_sandbox.drive.context import DRIVES, SHARING
from m365_sandbox.drive.service import DriveService
from m365_sandbox.drive.sharing import SharingService
from m365_sandbox.drive.store import DriveStore
from m365_sandbox.identity import routes as routes_identity
from m365_sandbox.identity.authentication import authenticate
from m365_sandbox.identity.context import TOKENS
from m365_sandbox.identity.tokens import TokenService
from m365_sandbox.mail import routes as routes_mail
from m365_sandbox.mail.context import MAIL
from m365_sandbox.mail.service import MailService
from m365_sandbox.mail.store import MailStore
from m365_sandbox.sharepoint import routes as routes_sharepoint
from m365_sandbox.subscriptions import routes as routes_subscriptions
from m365_sandbox.subscriptions.change_feed import change_listener
from m365_sandbox.subscriptions.context import NOTIFIER, SUBSCRIPTIONS
from m365_sandbox.subscriptions.notifications import DeliveryConfig, Notifier
from m365_sandbox.subscriptions.service import SubscriptionService, SubscriptionStore
from m365_sandbox.users import routes as routes_users

GRAPH_PREFIX = "/v1.0"
# Other Graph traffic: the upload and download URLs that Graph responses point to.
FILE_PREFIXES = (routes_uploads.UPLOAD_PREFIX + "/", routes_uploads.DOWNLOAD_PREFIX + "/")
# Bodies up to Graph's simple-upload limit (250 MB); upload fragments are below 60 MiB.
MAX_BODY_BYTES = 250 * 1024 * 1024
_CLOCK_OFFSET_KEY = "clockOffsetSeconds"
_log = logging.getLogger("sandbox")


def _route_key(request: web.Request) -> str:
    route = request.match_info.route
    resource = route.resource
    template = resource.canonical if resource is not None else "<unmatched>"
    return f"{request.method} {template}"


def _segment_error(request: web.Request) -> GraphError:
    segments = [s for s in request.path[len(GRAPH_PREFIX) :].split("/") if s]
    segment = segments[-1] if segments else ""
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def is_graph_traffic(path: str) -> bool:
    """Whether a request path is Graph traffic (counted, faulted, answered with OData errors)."""
    return path == GRAPH_PREFIX or path.startswith((GRAPH_PREFIX + "/", *FILE_PREFIXES))


@dataclass(frozen=True)
class _Ids:
    request_id: str
    client_request_id: str
    now: datetime

    def error(self, error: GraphError) -> web.Response:
        return error_response(error, self.request_id, self.client_request_id, self.now)


async def _faulted(request: web.Request, ids: _Ids) -> web.StreamResponse | Literal["drop"] | None:
    """The injected fault's response, "drop" for a closed connection, or None for no fault."""
    app = request.app
    injector = app[FAULTS]
    config = injector.config
    if not config.applies_to(request.method, request.path):
        return None
    if config.latency_ms:
        await asyncio.sleep(config.latency_ms / 1000)
    fault = injector.decide()
    if fault is None:
        return None
    app[COUNTER].record_fault(fault)
    if fault == "drop":
        if request.transport is not None:
            request.transport.close()
        return "drop"
    if fault == "429":
        retry = str(config.retry_after_seconds)
        return ids.error(
            GraphError(429, "TooManyRequests", "Too many requests. Please retry after.", {"Retry-After": retry}),
        )
    return ids.error(
        GraphError(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable. Please retry later.",
            {"Retry-After": str(config.retry_after_seconds)},
        ),
    )


async def _handle(request: web.Request, handler: Handler, ids: _Ids) -> web.StreamResponse:
    try:
        if request.path.startswith(GRAPH_PREFIX):  # upload and download URLs are pre-authenticated
            authenticate(request)
        return await handler(request)
    except GraphError as exc:
        return ids.error(exc)
    except web.HTTPMethodNotAllowed:
        return ids.error(
            GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target."),
        )
    except web.HTTPNotFound:
        return ids.error(_segment_error(request))
    except web.HTTPException as exc:
        return ids.error(GraphError(exc.status, "BadRequest", exc.reason))
    except Exception:  # noqa: BLE001 - answered as Graph's 500 body, and logged
        _log.exception("unhandled error for %s %s", request.method, request.path)
        return ids.error(GraphError(500, "generalException", "An internal server error occurred."))


@web.middleware
async def graph_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give Graph requests Graph's ids, counting, faults and OData error bodies."""
    if not is_graph_traffic(request.path):
        return await handler(request)
    request_id = str(uuid.uuid4())
    ids = _Ids(request_id, request.headers.get("client-request-id", request_id), request.app[CLOCK].now())
    route = _route_key(request)
    counted = request.app[COUNTER].record(route)
    mailbox = mailbox_key(request)
    response: web.StreamResponse
    try:
        if mailbox is not None and not request.app[MAILBOXES].admit(mailbox):
            retry = str(request.app[FAULTS].config.retry_after_seconds)
            response = ids.error(GraphError(429, "ApplicationThrottled", MESSAGE, {"Retry-After": retry}))
            mailbox = None  # not admitted: nothing to release
        else:
            faulted = await _faulted(request, ids)
            if faulted == "drop":
                return web.Response(status=204)  # never sent: the connection is already closed
            response = faulted if faulted is not None else await _handle(request, handler, ids)
    finally:
        if mailbox is not None:
            request.app[MAILBOXES].release(mailbox)
        request.app[COUNTER].finished(route, counted)
    response.headers["request-id"] = ids.request_id
    response.headers["client-request-id"] = ids.client_request_id
    response.headers["x-ms-ags-diagnostic"] = '{"ServerInfo":{"DataCenter":"Sandbox","Slice":"L"}}'
    request.app[COUNTER].record_status(response.status)
    _notify(request, response)
    return response


def _notify(request: web.Request, response: web.StreamResponse) -> None:
    observers = request.app[OBSERVERS]
    if not observers or not isinstance(response, web.Response):
        return
    body = response.body if isinstance(response.body, bytes) else b""
    observed = ObservedResponse(
        method=request.method,
        path=request.path,
        route=_route_key(request).split(" ", 1)[1],
        status=response.status,
        content_type=response.headers.get("Content-Type", ""),
        body=body,
    )
    for observer in observers:
        observer(observed)


def normalize_public_url(value: str | None) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash ('' for none); ValueError otherwise."""
    if not value:
        return ""
    cleaned = value.strip().rstrip("/")
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"public URL must look like http://host:port, got {value!r}")
    return cleaned


def _sandbox_clock(store: CalendarStore, base: Callable[[], datetime] | None) -> SandboxClock:
    saved = store.meta(_CLOCK_OFFSET_KEY)
    offset = timedelta(seconds=float(saved)) if saved else timedelta(0)
    return SandboxClock(base, offset, lambda value: store.set_meta(_CLOCK_OFFSET_KEY, str(value.total_seconds())))


def create_app(
    tenant_path: str | Path,
    db_path: str | Path,
    faults: FaultConfig | None = None,
    *,
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
    observers: Iterable[ResponseObserver] = (),
    delivery: DeliveryConfig | None = None,
    public_url: str | None = None,
    now: datetime | Literal["real"] | None = None,
    require_tokens: bool = False,
    delivery_delay: float | None = None,
    delivery_reorder: bool | None = None,
    delivery_duplicate: bool | None = None,
    delivery_seed: int | None = None,
) -> web.Application:
    """Build the sandbox application.

    Loads the tenant file, opens (or creates) the SQLite database ``db_path`` and creates the
    rule-based events for every week of the horizon not seeded before. ``clock`` (default: real
    time) is the base of the sandbox clock, which ``PUT /_admin/clock`` moves; ``today`` (default:
    the clock's date in the tenant's zone) anchors the horizon; ``observers`` see every Graph
    response; ``delivery`` tunes how change notifications are sent; ``public_url`` (e.g.
    ``http://localhost:3979``) is the address webUrls are built on instead of each request's own;
    ``now`` sets the clock before the calendars are seeded (``"real"``: back to the base clock), so that a
    demo at another date finds its weeks seeded; by default the clock saved in the database is kept.

    The data file may describe several tenants (``other_tenants``, ``apps``, ``outside_people``, ``delivery``:
    see :mod:`m365_sandbox.core.directory`). ``require_tokens``: Graph requests need a token from the
    sandbox's token endpoint (else no token means the home tenant). ``delivery_*`` override the data file's
    ``delivery`` settings (None: keep them): deliveries between mailboxes and change notifications wait
    ``delivery_delay`` seconds, shuffled (``delivery_reorder``, with ``delivery_seed``) and doubled
    (``delivery_duplicate``).
    """
    directory = load_directory(tenant_path)
    tenant = directory.home
    store = CalendarStore(db_path, tenant.tenant_id)
    sandbox_clock = _sandbox_clock(store, clock)
    if now == "real":
        sandbox_clock.reset()
    elif now is not None:
        sandbox_clock.set_now(now)
    anchor = today or sandbox_clock.now().astimezone(resolve_zone(tenant.time_zone)).date()
    seed_calendars(tenant, store, anchor, sandbox_clock.now())
    for other in directory.others:
        other_anchor = today or sandbox_clock.now().astimezone(resolve_zone(other.time_zone)).date()
        seed_calendars(other, store, other_anchor, sandbox_clock.now(), other_tenant=True)
    configured = directory.transport
    transport = Transport(TransportConfig(
        delay_seconds=configured.delay_seconds if delivery_delay is None else delivery_delay,
        reorder=configured.reorder if delivery_reorder is None else delivery_reorder,
        duplicate=configured.duplicate if delivery_duplicate is None else delivery_duplicate,
        seed=configured.seed if delivery_seed is None else delivery_seed,
    ))
    drive_store = DriveStore(db_path)
    subscription_store = SubscriptionStore(db_path)
    mail_store = MailStore(db_path)
    app = web.Application(middlewares=[graph_middleware], client_max_size=MAX_BODY_BYTES)
    app[TENANT] = tenant
    app[DIRECTORY] = directory
    app[TRANSPORT] = transport
    app[REQUIRE_TOKENS] = require_tokens
    app[TOKENS] = TokenService(directory, sandbox_clock.now)
    app[CLOCK] = sandbox_clock
    app[MAIL] = MailService(mail_store, sandbox_clock.now, directory=directory, transport=transport)
    app[CALENDAR] = CalendarService(
        tenant, store, sandbox_clock.now, mail=app[MAIL], directory=directory, transport=transport
    )
    app[DRIVES] = DriveService(tenant, drive_store, sandbox_clock.now, directory)
    app[SHARING] = SharingService(app[DRIVES], app[MAIL])
    app[SUBSCRIPTIONS] = SubscriptionService(tenant, subscription_store, sandbox_clock.now, directory)
    app[NOTIFIER] = Notifier(delivery, clock=sandbox_clock.now)
    app[FAULTS] = FaultInjector(faults)
    app[COUNTER] = RequestCounter()
    app[MAILBOXES] = MailboxConcurrency()
    app[OBSERVERS] = list(observers)
    app[PUBLIC_URL] = normalize_public_url(public_url)
    store.add_listener(change_listener(app[SUBSCRIPTIONS], app[NOTIFIER], transport))
    for module in (
        routes_users, routes_calendar, routes_events, routes_mail, routes_places, routes_drive, routes_drive_sharing,
        routes_uploads, routes_subscriptions, routes_admin, routes_admin_notifications, routes_admin_page,
        routes_admin_tenants, routes_sharepoint, routes_identity,
    ):
        module.add_routes(app)

    async def close(_app: web.Application) -> None:
        transport.close()
        await app[NOTIFIER].close()
        store.close()
        drive_store.close()
        subscription_store.close()
        mail_store.close()

    app.on_cleanup.append(close)
    return app
