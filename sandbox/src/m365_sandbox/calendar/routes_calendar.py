"""Calendar reads: POST …/calendar/getSchedule and GET …/calendarView."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.calendar.context import calendar_service
from m365_sandbox.calendar.model import render_event
from m365_sandbox.calendar.schedule import get_schedule, parse_request
from m365_sandbox.core.context import (
    base_url,
    mailbox_of,
    preference_headers,
    response_body_text,
    response_zone,
    tenant,
    user_prefixes,
)
from m365_sandbox.core.errors import GraphError, json_response, read_json_object
from m365_sandbox.core.odata import QueryOptions, apply_order, page, parse_query, select_properties
from m365_sandbox.core.timezones import parse_offset_datetime


async def post_get_schedule(request: web.Request) -> web.Response:
    """POST /users/{id}/calendar/getSchedule: free/busy of users and rooms."""
    mailbox_of(request)
    body = await read_json_object(request)
    schedule_request = parse_request(body)
    zone = response_zone(request)
    value = get_schedule(calendar_service(request), schedule_request, zone or "UTC", tenant(request))
    payload = {
        "@odata.context": f"{base_url(request)}/$metadata#Collection(microsoft.graph.scheduleInformation)",
        "value": value,
    }
    return json_response(payload, headers=preference_headers(zone))


async def get_calendar_view(request: web.Request) -> web.Response:
    """GET /users/{id}/calendarView?startDateTime=…&endDateTime=…"""
    box = mailbox_of(request)
    raw_start = request.query.get("startDateTime") or request.query.get("startdatetime")
    raw_end = request.query.get("endDateTime") or request.query.get("enddatetime")
    if not raw_start or not raw_end:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "This request requires a time window specified by the query string parameters StartDateTime "
            "and EndDateTime.",
        )
    start = parse_offset_datetime(raw_start, "startDateTime")
    end = parse_offset_datetime(raw_end, "endDateTime")
    options = parse_query(request, "ErrorInvalidUrlQueryFilter", max_top=1000)
    zone = response_zone(request)
    text = response_body_text(request)
    items = [render_event(e.data, zone, text) for e in calendar_service(request).calendar_view(box, start, end)]
    return _collection(request, box.id, "calendarView", items, options, zone)


def _collection(
    request: web.Request,
    owner_id: str,
    segment: str,
    items: list[dict[str, Any]],
    options: QueryOptions,
    zone: str | None,
) -> web.Response:
    if options.filter is not None:
        items = [i for i in items if options.filter(i)]
    items = apply_order(items, options.orderby)
    chunk, next_link = page(request, items, options, 10)
    suffix = f"({','.join(options.select)})" if options.select else ""
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#users('{owner_id}')/{segment}{suffix}"
    }
    payload["value"] = [select_properties(i, options.select, ("id",)) for i in chunk]
    if next_link:
        payload["@odata.nextLink"] = next_link
    return json_response(payload, headers=preference_headers(zone, response_body_text(request)))


def event_collection(
    request: web.Request, owner_id: str, items: list[dict[str, Any]], options: QueryOptions, zone: str | None
) -> web.Response:
    """A page of events as GET …/events returns it."""
    return _collection(request, owner_id, "events", items, options, zone)


def add_routes(app: web.Application) -> None:
    """Register getSchedule and calendarView for /users/{user} and /me."""
    for prefix in user_prefixes():
        app.router.add_post(f"{prefix}/calendar/getSchedule", post_get_schedule)
        app.router.add_post(f"{prefix}/calendar/microsoft.graph.getSchedule", post_get_schedule)
        app.router.add_get(f"{prefix}/calendarView", get_calendar_view)
        app.router.add_get(f"{prefix}/calendar/calendarView", get_calendar_view)
