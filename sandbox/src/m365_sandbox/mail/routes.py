"""Mailbox reads: the messages (meeting responses) in a user's mailbox, and the event a response is about.

- ``GET /users/{id}/messages`` and ``/users/{id}/mailFolders/{folder}/messages`` (``inbox`` or a folder
  id): ``$filter`` (e.g. ``receivedDateTime ge 2031-03-03T08:00:00Z``, ``from/emailAddress/address eq
  '…'``), ``$select`` (derived properties with their cast, ``microsoft.graph.eventMessage/meetingMessageType``),
  ``$orderby`` (default ``receivedDateTime desc``; its properties must come first in ``$filter``, else 400
  ``InefficientFilter`` as in Exchange), ``$top`` (≤ 1000, 10 per page) and ``$expand`` of
  ``microsoft.graph.eventMessage/event`` (also ``event``) with a nested ``$select``.
- ``GET /users/{id}/messages/{messageId}`` (also under ``mailFolders/{folder}``) with ``$select``/``$expand``.
- ``GET /users/{id}/messages/{messageId}/microsoft.graph.eventMessage/event``: the organizer's event.
- ``POST /users/{id}/sendMail``: 202; to sandbox mailboxes of any tenant (their Inbox), else the outside outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web

from m365_sandbox.calendar.context import calendar_service
from m365_sandbox.calendar.model import render_event
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
from m365_sandbox.core.odata import QueryOptions, apply_order, filter_properties, page, parse_query, select_properties
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.mail.context import mail_service
from m365_sandbox.mail.model import EVENT_MESSAGE_CASTS, MessageRecord, render_message, select_name

DEFAULT_ORDER = (("receivedDateTime", True),)
# Navigation properties of a message that are always empty here.
EMPTY_NAVIGATIONS = frozenset({"attachments", "extensions", "singleValueExtendedProperties",
                               "multiValueExtendedProperties"})


@dataclass(frozen=True)
class Expansion:
    """What ``$expand`` asked for: the event (with its nested ``$select``) and always-empty collections."""

    event: bool = False
    event_select: tuple[str, ...] | None = None
    empty: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shape:
    """How each message of one response is shaped: ``$select``, ``uniqueBody``, ``$expand``, preferences."""

    select: tuple[str, ...] | None
    unique_body: bool
    expansion: Expansion
    zone: str | None
    body_text: bool


def _no_property(name: str) -> GraphError:
    return GraphError(400, "BadRequest", f"Could not find a property named '{name}' on type 'microsoft.graph.message'.")


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside parentheses: ``a($select=x,y),b`` -> ``["a($select=x,y)", "b"]``."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            raise GraphError(400, "BadRequest", "The query specified in the URI is not valid: unbalanced ')'.")
        current += char
    if depth:
        raise GraphError(400, "BadRequest", "The query specified in the URI is not valid: missing ')'.")
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def _nested_select(options: str) -> tuple[str, ...] | None:
    for option in options.split(";"):
        name, _, value = option.partition("=")
        if name.strip().lstrip("$").lower() == "select":
            return tuple(s.strip() for s in value.split(",") if s.strip())
    return None


def parse_expand(raw: str | None) -> Expansion:
    """``$expand`` of a message query: ``microsoft.graph.eventMessage/event($select=id)``, ``event``, …"""
    if not raw:
        return Expansion()
    event = False
    event_select: tuple[str, ...] | None = None
    empty: list[str] = []
    for part in _split_top_level(raw):
        name, _, options = part.partition("(")
        name = name.strip()
        for cast in EVENT_MESSAGE_CASTS:
            name = name.removeprefix(cast)
        if name == "event":
            event = True
            event_select = _nested_select(options.removesuffix(")"))
        elif name in EMPTY_NAVIGATIONS:
            empty.append(name)
        else:
            raise _no_property(name)
    return Expansion(event, event_select, tuple(empty))


def _shape(request: web.Request, options: QueryOptions) -> Shape:
    select: list[str] | None = None
    if options.select:
        select = []
        for raw in options.select:
            named = select_name(raw)
            if named is None:
                raise _no_property(raw.rsplit("/", 1)[-1])
            select.append(named[0])
    raw_expand = request.query.get("$expand") or request.query.get("expand")
    return Shape(
        select=tuple(select) if select is not None else None,
        unique_body=select is not None and "uniqueBody" in select,
        expansion=parse_expand(raw_expand),
        zone=response_zone(request),
        body_text=response_body_text(request),
    )


def _check_sort_and_filter(request: web.Request, options: QueryOptions) -> None:
    """Exchange's rule: $orderby properties must open $filter, in the same order (else InefficientFilter)."""
    raw = request.query.get("$filter") or request.query.get("filter")
    if not raw or not options.orderby:
        return
    used = [name.lower() for name in filter_properties(raw)]
    ordered = [name.lower() for name, _ in options.orderby]
    if used[: len(ordered)] != ordered:
        raise GraphError(400, "InefficientFilter", "The restriction or sort order is too complex for this operation.")


def _event_of(request: web.Request, box: Mailbox, record: MessageRecord) -> StoredEvent | None:
    """The organizer's event a response is about (None once it is gone)."""
    event = calendar_service(request).store.get(record.event_id) if record.event_id else None
    return event if event is not None and event.mailbox_id == box.id else None


def _context_suffix(select: tuple[str, ...] | None) -> str:
    return f"({','.join(select)})" if select else ""


def _shaped(
    request: web.Request, box: Mailbox, record: MessageRecord, item: dict[str, Any], shape: Shape
) -> dict[str, Any]:
    result = select_properties(item, shape.select, ("id",))
    expansion = shape.expansion
    if expansion.event:
        event = _event_of(request, box, record)
        suffix = _context_suffix(expansion.event_select)
        result["event@odata.context"] = (
            f"{base_url(request)}/$metadata#users('{box.id}')/messages('{quote(record.id, safe='')}')"
            f"/microsoft.graph.eventMessage/event{suffix}/$entity"
        )
        rendered = None if event is None else render_event(event.data, shape.zone, shape.body_text)
        result["event"] = None if rendered is None else select_properties(rendered, expansion.event_select, ("id",))
    for name in expansion.empty:
        result[name] = []
    return result


async def list_messages(request: web.Request) -> web.Response:
    """GET /users/{id}/messages (or a folder's): newest first, 10 per page."""
    box = mailbox_of(request)
    options = parse_query(request, "BadRequest", max_top=1000)
    _check_sort_and_filter(request, options)
    shape = _shape(request, options)
    records = {r.id: r for r in mail_service(request).messages(box, request.match_info.get("folder"))}
    items = [render_message(r.data, shape.zone, shape.body_text, shape.unique_body) for r in records.values()]
    if options.filter is not None:
        items = [item for item in items if options.filter(item)]
    items = apply_order(items, options.orderby or DEFAULT_ORDER)
    chunk, next_link = page(request, items, options, 10)
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#users('{box.id}')/messages{_context_suffix(shape.select)}",
        "value": [_shaped(request, box, records[str(item["id"])], item, shape) for item in chunk],
    }
    if next_link:
        payload["@odata.nextLink"] = next_link
    return json_response(payload, headers=preference_headers(shape.zone, shape.body_text))


async def get_message(request: web.Request) -> web.Response:
    """GET /users/{id}/messages/{messageId}."""
    box = mailbox_of(request)
    record = mail_service(request).message(box, request.match_info["message"], request.match_info.get("folder"))
    options = parse_query(request, "BadRequest")
    shape = _shape(request, options)
    item = render_message(record.data, shape.zone, shape.body_text, shape.unique_body)
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#users('{box.id}')/messages"
        f"{_context_suffix(shape.select)}/$entity"
    }
    payload.update(_shaped(request, box, record, item, shape))
    return json_response(payload, headers=preference_headers(shape.zone, shape.body_text))


async def get_message_event(request: web.Request) -> web.Response:
    """GET /users/{id}/messages/{messageId}/microsoft.graph.eventMessage/event: the event the message is about."""
    box = mailbox_of(request)
    record = mail_service(request).message(box, request.match_info["message"], request.match_info.get("folder"))
    event = _event_of(request, box, record)
    if event is None:
        raise GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    options = parse_query(request, "BadRequest")
    zone = response_zone(request)
    text = response_body_text(request)
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#users('{box.id}')/messages('{quote(record.id, safe='')}')"
        f"/microsoft.graph.eventMessage/event{_context_suffix(options.select)}/$entity"
    }
    payload.update(select_properties(render_event(event.data, zone, text), options.select, ("id",)))
    return json_response(payload, headers=preference_headers(zone, text))


async def send_mail(request: web.Request) -> web.Response:
    """POST /users/{id}/sendMail: 202 Accepted, no body (delivery follows, as in Exchange)."""
    box = mailbox_of(request)
    body = await read_json_object(request)
    mail_service(request).send_mail(box, body)
    return web.Response(status=202)


def add_routes(app: web.Application) -> None:
    """Register the message routes for /users/{user} and /me, with and without mailFolders/{folder}."""
    for prefix in user_prefixes():
        app.router.add_post(f"{prefix}/sendMail", send_mail)
        app.router.add_post(f"{prefix}/microsoft.graph.sendMail", send_mail)
        for messages in (f"{prefix}/messages", f"{prefix}/mailFolders/{{folder}}/messages"):
            app.router.add_get(messages, list_messages)
            app.router.add_get(f"{messages}/{{message}}", get_message)
            for cast in EVENT_MESSAGE_CASTS:
                app.router.add_get(f"{messages}/{{message}}/{cast}event", get_message_event)
