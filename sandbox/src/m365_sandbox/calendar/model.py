"""Graph's event JSON: building, validating client input and rendering for responses."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.timezones import (
    format_date_time_time_zone,
    format_floating_date,
    format_local,
    format_offset,
    parse_date_time_time_zone,
    parse_local,
    resolve_zone,
    zero_datetime,
)

# Properties of microsoft.graph.event (with outlookItem's) that a client may send.
EVENT_PROPERTIES = frozenset(
    {
        "allowNewTimeProposals", "attendees", "body", "bodyPreview", "cancelledOccurrences", "categories",
        "changeKey", "createdDateTime", "end", "hasAttachments", "hideAttendees", "iCalUId", "id",
        "importance", "isAllDay", "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer",
        "isReminderOn", "lastModifiedDateTime", "location", "locations", "onlineMeeting",
        "onlineMeetingProvider", "onlineMeetingUrl", "organizer", "originalEndTimeZone", "originalStart",
        "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
        "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject", "transactionId",
        "type", "webLink", "attachments", "calendar", "extensions", "instances", "exceptionOccurrences",
        "multiValueExtendedProperties", "singleValueExtendedProperties",
    }
)
_ENUMS: Mapping[str, frozenset[str]] = MappingProxyType({
    "showAs": frozenset({"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"}),
    "sensitivity": frozenset({"normal", "personal", "private", "confidential"}),
    "importance": frozenset({"low", "normal", "high"}),
    "onlineMeetingProvider": frozenset({"unknown", "teamsForBusiness", "skypeForBusiness", "skypeForConsumer"}),
})
_BOOLEANS = (
    "isReminderOn", "responseRequested", "allowNewTimeProposals", "hideAttendees", "isOnlineMeeting",
)
ATTENDEE_TYPES = frozenset({"required", "optional", "resource"})
# Exchange's iCalUId layout: class id, instance date, timestamp, reserved, size, then a GUID.
_ICAL_PREFIX = "040000008200E00074C5B7101A82E008" + "00000000" + "0" * 16 + "0" * 16 + "10000000"
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def new_event_id(seed: str | None = None) -> str:
    """An Exchange-style event id (URL-safe base64); deterministic when ``seed`` is given."""
    raw = hashlib.sha256(seed.encode()).digest() if seed else uuid.uuid4().bytes + uuid.uuid4().bytes
    return "AAMkAG" + base64.urlsafe_b64encode(raw).decode()


def new_ical_uid(seed: str | None = None) -> str:
    """An iCalUId in Exchange's format."""
    token = uuid.uuid5(uuid.NAMESPACE_URL, seed) if seed else uuid.uuid4()
    return _ICAL_PREFIX + token.hex.upper()


def new_change_key() -> str:
    """A fresh change key (changes with every modification)."""
    return base64.b64encode(uuid.uuid4().bytes).decode()


def web_link(event_id: str) -> str:
    """The Outlook on the web link Graph returns in ``webLink``."""
    return f"https://outlook.office365.com/owa/?itemid={quote(event_id, safe='')}&exvsurl=1&path=/calendar/item"


def touch(data: dict[str, Any], now: datetime) -> None:
    """Mark an event modified: new change key and ``lastModifiedDateTime``."""
    data["lastModifiedDateTime"] = format_offset(now)
    data["changeKey"] = new_change_key()


def email_address(box: Mailbox) -> dict[str, str]:
    """A Graph ``emailAddress`` for a mailbox."""
    return {"name": box.display_name, "address": box.mail}


def response_status(response: str, when: datetime | None) -> dict[str, str]:
    """A Graph ``responseStatus``."""
    return {"response": response, "time": format_offset(when) if when else zero_datetime()}


def base_event(event_id: str, ical_uid: str, now: datetime) -> dict[str, Any]:
    """An event with Graph's defaults for every property (times and people still to be set)."""
    stamp = format_offset(now)
    return {
        "id": event_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "changeKey": new_change_key(),
        "categories": [],
        "originalStartTimeZone": "UTC",
        "originalEndTimeZone": "UTC",
        "iCalUId": ical_uid,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": "",
        "bodyPreview": "",
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": "busy",
        "type": "singleInstance",
        "webLink": web_link(event_id),
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": response_status("organizer", None),
        "body": {"contentType": "html", "content": ""},
        "start": {"dateTime": format_local(now), "timeZone": "UTC"},
        "end": {"dateTime": format_local(now), "timeZone": "UTC"},
        "location": empty_location(),
        "locations": [],
        "recurrence": None,
        "attendees": [],
        "organizer": {"emailAddress": {"name": "", "address": ""}},
        "onlineMeeting": None,
    }


def empty_location() -> dict[str, Any]:
    """What Graph shows for an event without a location."""
    return {"displayName": "", "locationType": "default", "uniqueIdType": "unknown"}


def set_times(data: dict[str, Any], start: datetime, end: datetime, zone_name: str, all_day: bool) -> None:
    """Store start/end canonically: UTC, or local midnight in ``zone_name`` for all-day events."""
    data["isAllDay"] = all_day
    data["originalStartTimeZone"] = zone_name
    data["originalEndTimeZone"] = zone_name
    if all_day:
        zone = resolve_zone(zone_name)
        data["start"] = format_floating_date(start.astimezone(zone).date(), zone_name)
        data["end"] = format_floating_date(end.astimezone(zone).date(), zone_name)
    else:
        data["start"] = format_date_time_time_zone(start, "UTC")
        data["end"] = format_date_time_time_zone(end, "UTC")


def set_body(data: dict[str, Any], content: str, content_type: str) -> None:
    """Set ``body`` (HTML wrapped as Exchange does) and ``bodyPreview``."""
    kind = "html" if content_type.lower() == "html" else "text"
    if kind == "html" and content and "<html" not in content.lower():
        content = f"<html><head></head><body>{content}</body></html>"
    data["body"] = {"contentType": kind, "content": content}
    data["bodyPreview"] = body_preview(content, kind)


def body_preview(content: str, kind: str) -> str:
    """The first 255 characters of the body as plain text."""
    text = content
    if kind == "html":
        text = re.sub(r"(?is)<head>.*?</head>", " ", text)
        text = html.unescape(_TAG.sub(" ", text))
    return _SPACE.sub(" ", text).strip()[:255]


def teams_join_url(tenant: Tenant, organizer: Mailbox) -> str:
    """A unique Teams join URL with a meeting thread id, as Teams generates them."""
    token = base64.b64encode(str(uuid.uuid4()).encode()).decode().rstrip("=")
    thread = quote(f"19:meeting_{token}@thread.v2", safe="")
    context = quote(f'{{"Tid":"{tenant.tenant_id}","Oid":"{organizer.id}"}}', safe="")
    return f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context={context}"


def teams_body_block(join_url: str) -> str:
    """The Teams meeting block Outlook appends to an online meeting's body (Finnish)."""
    return (
        '<div style="width:100%"><span style="white-space:nowrap;color:#5F5F5F">'
        "________________________________________________________________________________</span></div>"
        "<div>Microsoft Teams -kokous</div>"
        "<div>Liity tietokoneella, mobiilisovelluksella tai huonelaitteella</div>"
        f'<div><a href="{html.escape(join_url)}">Liity kokoukseen napsauttamalla tätä</a></div>'
    )


def normalize_location(raw: object, tenant: Tenant) -> dict[str, Any]:
    """A client's ``location`` as Graph stores it (rooms recognised by address or name)."""
    if raw is None:
        return empty_location()
    if not isinstance(raw, dict):
        raise GraphError(400, "BadRequest", "Property 'location' must be a location object.")
    name = str(raw.get("displayName") or "")
    address = raw.get("locationEmailAddress")
    room = _room_for(tenant, address if isinstance(address, str) else None, name)
    if room is not None:
        result: dict[str, Any] = {
            "displayName": name or room.display_name,
            "locationType": "conferenceRoom",
            "uniqueId": room.mail,
            "uniqueIdType": "directory",
            "locationEmailAddress": room.mail,
        }
    elif not name:
        return empty_location()
    else:
        result = {
            "displayName": name,
            "locationType": str(raw.get("locationType") or "default"),
            "uniqueId": str(raw.get("uniqueId") or name),
            "uniqueIdType": str(raw.get("uniqueIdType") or "private"),
        }
        if isinstance(address, str) and address:
            result["locationEmailAddress"] = address
    for key in ("address", "coordinates", "locationUri"):
        if raw.get(key) is not None:
            result[key] = raw[key]
    result["locationType"] = result["locationType"][:1].lower() + result["locationType"][1:]
    return result


def _room_for(tenant: Tenant, address: str | None, name: str) -> Mailbox | None:
    if address:
        box = tenant.find(address)
        return box if box is not None and box.is_room else None
    for room in tenant.rooms:
        if name and name.strip().lower() == room.display_name.lower():
            return room
    return None


def normalize_attendees(raw: object, tenant: Tenant) -> list[dict[str, Any]]:
    """A client's ``attendees`` as Graph stores them on the organizer's event."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise GraphError(400, "BadRequest", "Property 'attendees' must be a collection.")
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        email = item.get("emailAddress") if isinstance(item, dict) else None
        address = email.get("address") if isinstance(email, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid.")
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        box = tenant.find(address)
        kind = str(item.get("type") or "required").lower()
        if kind not in ATTENDEE_TYPES:
            raise GraphError(400, "BadRequest", f"Attendee type '{item.get('type')}' is not valid.")
        name = email.get("name") if isinstance(email, dict) else None
        result.append(
            {
                "type": kind,
                "status": response_status("none", None),
                "emailAddress": {
                    "name": str(name or (box.display_name if box else address)),
                    "address": box.mail if box else address,
                },
            }
        )
    return result


def apply_input(
    data: dict[str, Any], body: dict[str, Any], tenant: Tenant, owner: Mailbox, creating: bool
) -> set[str]:
    """Validate a client's event JSON and apply it to ``data``; returns the properties set."""
    changed: set[str] = set()
    for key, value in body.items():
        if key.startswith("@"):
            continue
        if key not in EVENT_PROPERTIES:
            raise GraphError(
                400,
                "RequestBodyRead",
                f"The property '{key}' does not exist on type 'microsoft.graph.event'. Make sure to only "
                "use property names that are defined by the type or mark the type as open type.",
            )
        if _apply_property(data, key, value, tenant, creating):
            changed.add(key)
    _apply_times(data, body, owner, changed)
    if "location" in changed or "locations" in changed:
        _sync_locations(data, body, tenant)
    return changed


def _apply_property(data: dict[str, Any], key: str, value: Any, tenant: Tenant, creating: bool) -> bool:
    if key == "subject":
        data["subject"] = "" if value is None else _string(key, value)
    elif key == "body":
        if not isinstance(value, dict):
            raise GraphError(400, "BadRequest", "Property 'body' must be an itemBody object.")
        set_body(data, str(value.get("content") or ""), str(value.get("contentType") or "text"))
    elif key in _ENUMS:
        if value not in _ENUMS[key]:
            raise GraphError(400, "BadRequest", f"The value '{value}' is not valid for property '{key}'.")
        data[key] = value
    elif key in _BOOLEANS:
        data[key] = _boolean(key, value)
    elif key == "categories":
        if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
            raise GraphError(400, "BadRequest", "Property 'categories' must be a collection of strings.")
        data[key] = list(value)
    elif key == "reminderMinutesBeforeStart":
        if not isinstance(value, int) or isinstance(value, bool):
            raise GraphError(400, "BadRequest", f"Property '{key}' must be an integer.")
        data[key] = value
    elif key == "attendees":
        data[key] = normalize_attendees(value, tenant)
    elif key == "transactionId":
        _apply_transaction_id(data, value, creating)
    elif key == "recurrence":
        if value is not None:
            raise GraphError(400, "ErrorInvalidRequest", "Recurring events are not supported by this sandbox.")
        return False
    else:
        return key in {"start", "end", "isAllDay", "location", "locations"}
    return True


def _apply_transaction_id(data: dict[str, Any], value: Any, creating: bool) -> None:
    if value is not None and not isinstance(value, str):
        raise GraphError(400, "BadRequest", "Property 'transactionId' must be a string.")
    if not creating and value != data.get("transactionId"):
        raise GraphError(400, "ErrorInvalidRequest", "The transactionId of an event can't be changed.")
    if value:
        data["transactionId"] = value


def _apply_times(data: dict[str, Any], body: dict[str, Any], owner: Mailbox, changed: set[str]) -> None:
    if not ({"start", "end", "isAllDay"} & body.keys()):
        return
    all_day = _boolean("isAllDay", body.get("isAllDay", data.get("isAllDay", False)))
    start_raw = body.get("start", data["start"])
    end_raw = body.get("end", data["end"])
    start = parse_date_time_time_zone(start_raw, "start")
    end = parse_date_time_time_zone(end_raw, "end")
    zone_name = str(start_raw.get("timeZone") or "UTC") if isinstance(start_raw, dict) else "UTC"
    if all_day:
        local_start = parse_local(str(start_raw["dateTime"]))
        local_end = parse_local(str(end_raw["dateTime"]))
        if local_start.time() != time() or local_end.time() != time() or local_end <= local_start:
            raise GraphError(
                400,
                "ErrorPropertyValidationFailure",
                "At least one property failed validation. All-day events must start and end at midnight.",
            )
        if not isinstance(start_raw, dict) or not start_raw.get("timeZone"):
            zone_name = owner.working_hours.time_zone
    if end < start:
        raise GraphError(400, "ErrorPropertyValidationFailure", "At least one property failed validation.")
    if end - start > timedelta(days=1825):
        raise GraphError(400, "ErrorPropertyValidationFailure", "At least one property failed validation.")
    set_times(data, start, end, zone_name, all_day)
    changed.update({"start", "end"})


def _sync_locations(data: dict[str, Any], body: dict[str, Any], tenant: Tenant) -> None:
    raw_locations = body.get("locations")
    if raw_locations is not None and not isinstance(raw_locations, list):
        raise GraphError(400, "BadRequest", "Property 'locations' must be a collection.")
    locations = [normalize_location(item, tenant) for item in raw_locations or []]
    locations = [loc for loc in locations if loc.get("displayName")]
    if "location" in body:
        data["location"] = normalize_location(body["location"], tenant)
    elif locations:
        data["location"] = {
            "displayName": "; ".join(str(loc["displayName"]) for loc in locations),
            "locationType": "default",
            "uniqueId": "; ".join(str(loc["displayName"]) for loc in locations),
            "uniqueIdType": "private",
        }
    if raw_locations is None:
        locations = [dict(data["location"])] if data["location"].get("displayName") else []
    data["locations"] = locations


def _string(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise GraphError(400, "BadRequest", f"Property '{key}' must be a string.")
    return value


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise GraphError(400, "BadRequest", f"Property '{key}' must be a boolean.")
    return value


def render_event(data: dict[str, Any], zone_name: str | None, body_text: bool = False) -> dict[str, Any]:
    """An event as Graph returns it, with times in ``zone_name`` (UTC when None).

    ``body_text`` renders an HTML body as text (``Prefer: outlook.body-content-type="text"``).
    """
    shown = zone_name or "UTC"
    result: dict[str, Any] = {"@odata.etag": f'W/"{data.get("changeKey", "")}"'}
    result.update(data)
    body = data.get("body") or {}
    if body_text and body.get("contentType") == "html":
        result["body"] = {"contentType": "text", "content": body_preview(str(body.get("content") or ""), "html")}
    for key in ("start", "end"):
        if data.get("isAllDay"):
            local = parse_local(str(data[key]["dateTime"]))
            result[key] = format_floating_date(local.date(), shown)
        else:
            moment = parse_date_time_time_zone(data[key], key)
            result[key] = format_date_time_time_zone(moment, shown)
    return result
