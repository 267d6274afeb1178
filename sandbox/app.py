"""The aiohttp application: routes, Graph-style errors, request counting and fault injection."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

from aiohttp import web
from aiohttp.typedefs import Handler

from sandbox import routes_admin, routes_calendar, routes_events, routes_places, routes_users
from sandbox.calendar_ops import CalendarService
from sandbox.context import COUNTER, FAULTS, OBSERVERS, SERVICE, TENANT, ObservedResponse, ResponseObserver
from sandbox.errors import GraphError, error_response
from sandbox.faults import FaultConfig, FaultInjector
from sandbox.metrics import RequestCounter
from sandbox.seed import seed_calendars
from sandbox.state import CalendarStore
from sandbox.tenant import load_tenant
from sandbox.timezones import resolve_zone

GRAPH_PREFIX = "/v1.0"
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


@dataclass(frozen=True)
class _Ids:
    request_id: str
    client_request_id: str

    def error(self, error: GraphError) -> web.Response:
        return error_response(error, self.request_id, self.client_request_id)


async def _faulted(request: web.Request, ids: _Ids) -> web.StreamResponse | Literal["drop"] | None:
    """The injected fault's response, "drop" for a closed connection, or None for no fault."""
    app = request.app
    injector = app[FAULTS]
    config = injector.config
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
    """Give /v1.0 requests Graph's ids, counting, faults and OData error bodies."""
    if not request.path.startswith(GRAPH_PREFIX + "/") and request.path != GRAPH_PREFIX:
        return await handler(request)
    request_id = str(uuid.uuid4())
    ids = _Ids(request_id, request.headers.get("client-request-id", request_id))
    request.app[COUNTER].record(_route_key(request))
    response = await _faulted(request, ids)
    if response == "drop":
        return web.Response(status=204)  # never sent: the connection is already closed
    if response is None:
        response = await _handle(request, handler, ids)
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


def create_app(
    tenant_path: str | Path,
    db_path: str | Path,
    faults: FaultConfig | None = None,
    *,
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
    observers: Iterable[ResponseObserver] = (),
) -> web.Application:
    """Build the sandbox application.

    Loads the tenant file, opens (or creates) the SQLite database ``db_path`` and creates the
    rule-based events for every week of the horizon not seeded before. ``today`` (default: the
    clock's date in the tenant's zone) anchors the horizon; ``observers`` see every /v1.0 response.
    """
    now = clock or (lambda: datetime.now(UTC))
    tenant = load_tenant(tenant_path)
    store = CalendarStore(db_path, tenant.tenant_id)
    anchor = today or now().astimezone(resolve_zone(tenant.time_zone)).date()
    seed_calendars(tenant, store, anchor, now())
    app = web.Application(middlewares=[graph_middleware])
    app[TENANT] = tenant
    app[SERVICE] = CalendarService(tenant, store, now)
    app[FAULTS] = FaultInjector(faults)
    app[COUNTER] = RequestCounter()
    app[OBSERVERS] = list(observers)
    for module in (routes_users, routes_calendar, routes_events, routes_places, routes_admin):
        module.add_routes(app)

    async def close_store(_app: web.Application) -> None:
        store.close()

    app.on_cleanup.append(close_store)
    return app
