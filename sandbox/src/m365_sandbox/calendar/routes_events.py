"""Events: list, create, get, update, delete, and the meeting actions accept/decline/…/cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from m365_sandbox.calendar.context import calendar_service
from m365_sandbox.calendar.model import render_event
from m365_sandbox.calendar.routes_calendar import event_collection
from m365_sandbox.calendar.store import StoredEvent
from m365_sandbox.core.context import (
    base_url,
    mailbox_of,
    preference_headers,
    response_body_text,
    response_zone,
    user_prefixes,
)
from m365_sandbox.core.errors import GraphError, json_response, read_json_object
from m365_sandbox.core.odata import parse_query, select_properties
from m365_sandbox.core.timezones import format_date_time_time_zone, parse_date_time_time_zone

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _entity(request: web.Request, event: StoredEvent, status: int = 200) -> web.Response:
    zone = response_zone(request)
    options = parse_query(request, "ErrorInvalidUrlQueryFilter")
    suffix = f"({','.join(options.select)})" if options.select else ""
    payload = {"@odata.context": f"{base_url(request)}/$metadata#users('{event.mailbox_id}')/events{suffix}/$entity"}
    text = response_body_text(request)
    payload.update(select_properties(render_event(event.data, zone, text), options.select, ("id",)))
    return json_response(payload, status=status, headers=preference_headers(zone, text))


async def list_events(request: web.Request) -> web.Response:
    """GET /users/{id}/events with $filter, $select, $orderby, $top, $skip (10 per page)."""
    box = mailbox_of(request)
    options = parse_query(request, "ErrorInvalidUrlQueryFilter", max_top=1000)
    zone = response_zone(request)
    text = response_body_text(request)
    items = [render_event(e.data, zone, text) for e in calendar_service(request).events(box)]
    return event_collection(request, box.id, items, options, zone)


async def create_event(request: web.Request) -> web.Response:
    """POST /users/{id}/events: 201 with the organizer's event (an earlier one for a known transactionId)."""
    box = mailbox_of(request)
    body = await read_json_object(request)
    event, _created = calendar_service(request).create(box, body)
    return _entity(request, event, status=201)


async def get_event(request: web.Request) -> web.Response:
    """GET /users/{id}/events/{eventId}."""
    box = mailbox_of(request)
    return _entity(request, calendar_service(request).event(box, request.match_info["event"]))


async def patch_event(request: web.Request) -> web.Response:
    """PATCH /users/{id}/events/{eventId}; the organizer's changes reach the attendees."""
    box = mailbox_of(request)
    body = await read_json_object(request)
    return _entity(request, calendar_service(request).update(box, request.match_info["event"], body))


async def delete_event(request: web.Request) -> web.Response:
    """DELETE /users/{id}/events/{eventId} (204)."""
    box = mailbox_of(request)
    calendar_service(request).delete(box, request.match_info["event"])
    return web.Response(status=204)


def _respond(action: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        box = mailbox_of(request)
        # Action parameter names are case-insensitive (msgraph-sdk sends "SendResponse").
        body = {key.lower(): value for key, value in (await read_json_object(request)).items()}
        send = body.get("sendresponse")
        if send is None:
            send = True
        if not isinstance(send, bool):
            raise GraphError(400, "BadRequest", "Parameter 'sendResponse' must be a boolean.")
        comment = body.get("comment")
        if comment is not None and not isinstance(comment, str):
            raise GraphError(400, "BadRequest", "Parameter 'comment' must be a string.")
        proposed = None
        if body.get("proposednewtime") is not None:
            if action == "accept":
                raise GraphError(
                    400,
                    "RequestBodyRead",
                    "The parameter 'proposedNewTime' in the request payload is not a valid parameter for the "
                    "operation 'accept'.",
                )
            event = calendar_service(request).event(box, request.match_info["event"])
            if not send or not event.data.get("allowNewTimeProposals", True):
                raise GraphError(400, "ErrorInvalidRequest", "A new time can't be proposed for this meeting.")
            proposed = _time_slot(body["proposednewtime"])
        calendar_service(request).respond(
            box, request.match_info["event"], action, send_response=send, comment=comment or "",
            proposed_new_time=proposed,
        )
        return web.Response(status=202)

    handler.__doc__ = f"POST /users/{{id}}/events/{{eventId}}/{action} (202)."
    return handler


def _time_slot(raw: object) -> dict[str, Any]:
    """A proposed ``timeSlot`` kept canonically in UTC (400 when it is not one)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("start"), dict) or not isinstance(raw.get("end"), dict):
        raise GraphError(400, "BadRequest", "Parameter 'proposedNewTime' must be a timeSlot object.")
    start = parse_date_time_time_zone(raw["start"], "proposedNewTime.start")
    end = parse_date_time_time_zone(raw["end"], "proposedNewTime.end")
    if end <= start:
        raise GraphError(400, "ErrorInvalidRequest", "The proposed end must be after the proposed start.")
    return {"start": format_date_time_time_zone(start, "UTC"), "end": format_date_time_time_zone(end, "UTC")}


async def cancel_event(request: web.Request) -> web.Response:
    """POST /users/{id}/events/{eventId}/cancel: organizer only (202)."""
    box = mailbox_of(request)
    await read_json_object(request)
    calendar_service(request).cancel(box, request.match_info["event"])
    return web.Response(status=202)


def add_routes(app: web.Application) -> None:
    """Register the event routes for /users/{user} and /me, with and without /calendar."""
    actions: dict[str, Handler] = {name: _respond(name) for name in ("accept", "decline", "tentativelyAccept")}
    actions["cancel"] = cancel_event
    for prefix in user_prefixes():
        for events in (f"{prefix}/events", f"{prefix}/calendar/events"):
            app.router.add_get(events, list_events)
            app.router.add_post(events, create_event)
            app.router.add_get(f"{events}/{{event}}", get_event)
            app.router.add_patch(f"{events}/{{event}}", patch_event)
            app.router.add_delete(f"{events}/{{event}}", delete_event)
            for name, handler in actions.items():
                app.router.add_post(f"{events}/{{event}}/{name}", handler)
                app.router.add_post(f"{events}/{{event}}/microsoft.graph.{name}", handler)
