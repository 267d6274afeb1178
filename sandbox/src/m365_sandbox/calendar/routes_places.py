"""Places: GET /places/microsoft.graph.room (msgraph-sdk calls it /places/graph.room)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.core.context import base_url, tenant
from m365_sandbox.core.errors import json_response
from m365_sandbox.core.odata import apply_order, page, parse_query, select_properties
from m365_sandbox.core.tenant import Mailbox


def room_record(box: Mailbox) -> dict[str, Any]:
    """A room as Graph's places API returns it."""
    room = box.room
    assert room is not None
    return {
        "@odata.type": "#microsoft.graph.room",
        "id": box.id,
        "emailAddress": box.mail,
        "displayName": box.display_name,
        "address": dict(room.address) if room.address else None,
        "geoCoordinates": None,
        "phone": None,
        "nickname": room.nickname,
        "label": None,
        "capacity": room.capacity,
        "building": room.building,
        "floorLabel": None,
        "floorNumber": room.floor_number,
        "isWheelChairAccessible": room.wheelchair_accessible,
        "bookingType": room.booking_type,
        "tags": [],
        "audioDeviceName": None,
        "videoDeviceName": None,
        "displayDeviceName": None,
    }


async def list_rooms(request: web.Request) -> web.Response:
    """GET /places/microsoft.graph.room with $filter, $select, $orderby, $top."""
    options = parse_query(request, "BadRequest", max_top=1000)
    records = [room_record(box) for box in tenant(request).rooms]
    if options.filter is not None:
        records = [r for r in records if options.filter(r)]
    records = apply_order(records, options.orderby)
    chunk, next_link = page(request, records, options, 100)
    payload: dict[str, Any] = {"@odata.context": f"{base_url(request)}/$metadata#places/microsoft.graph.room"}
    if next_link:
        payload["@odata.nextLink"] = next_link
    payload["value"] = [select_properties(r, options.select, ("id",)) for r in chunk]
    return json_response(payload)


def add_routes(app: web.Application) -> None:
    """Register the places routes."""
    app.router.add_get("/v1.0/places/microsoft.graph.room", list_rooms)
    app.router.add_get("/v1.0/places/graph.room", list_rooms)
