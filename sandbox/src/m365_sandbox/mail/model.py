"""Graph's message JSON for the meeting responses Exchange delivers to an organizer's Inbox.

When an attendee accepts, tentatively accepts or declines with ``sendResponse`` true, Outlook sends
the organizer a reply mail; Graph shows it as a ``microsoft.graph.eventMessageResponse`` (derived from
``eventMessage`` and ``message``) whose ``event`` navigation property is the organizer's own event.
The attendee's optional comment is the mail's body, HTML-escaped into an HTML body as Outlook does.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from m365_sandbox.calendar.model import body_preview, email_address
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.core.timezones import (
    format_date_time_time_zone,
    format_floating_date,
    parse_date_time_time_zone,
    parse_local,
)

EVENT_MESSAGE_RESPONSE = "#microsoft.graph.eventMessageResponse"
EVENT_MESSAGE_REQUEST = "#microsoft.graph.eventMessageRequest"
EVENT_MESSAGE = "#microsoft.graph.eventMessage"
MESSAGE = "#microsoft.graph.message"
MEETING_REQUEST = "meetingRequest"
MEETING_CANCELLED = "meetingCancelled"
# The event response -> (subject prefix as Outlook writes it, meetingMessageType as Graph's CSDL spells it).
RESPONSE_MAIL: Mapping[str, tuple[str, str]] = MappingProxyType({
    "accepted": ("Accepted: ", "meetingAccepted"),
    "tentativelyAccepted": ("Tentative: ", "meetingTenativelyAccepted"),
    "declined": ("Declined: ", "meetingDeclined"),
})
# Properties of microsoft.graph.message (with outlookItem's and entity's), for $select.
MESSAGE_PROPERTIES = frozenset({
    "id", "categories", "changeKey", "createdDateTime", "lastModifiedDateTime", "bccRecipients", "body",
    "bodyPreview", "ccRecipients", "conversationId", "conversationIndex", "flag", "from", "hasAttachments",
    "importance", "inferenceClassification", "internetMessageHeaders", "internetMessageId",
    "isDeliveryReceiptRequested", "isDraft", "isRead", "isReadReceiptRequested", "parentFolderId",
    "receivedDateTime", "replyTo", "sender", "sentDateTime", "subject", "toRecipients", "uniqueBody", "webLink",
})
# What microsoft.graph.eventMessage and eventMessageResponse add (selected with a type cast).
EVENT_MESSAGE_PROPERTIES = frozenset({
    "endDateTime", "isAllDay", "isDelegated", "isOutOfDate", "location", "meetingMessageType", "recurrence",
    "startDateTime", "type",
})
RESPONSE_PROPERTIES = frozenset({"proposedNewTime", "responseType"})
EVENT_MESSAGE_CASTS = ("microsoft.graph.eventMessage/", "microsoft.graph.eventMessageResponse/")
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|tr|h[1-6])\s*>")
_TAG = re.compile(r"<[^>]+>")
_HEAD = re.compile(r"(?is)<(head|style|script)\b.*?</\1\s*>")
_BLANKS = re.compile(r"\n{3,}")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


@dataclass(frozen=True)
class MessageRecord:
    """One message in one mailbox: Graph's JSON (times in UTC) and the organizer's event it is about."""

    id: str
    mailbox_id: str
    event_id: str | None
    data: dict[str, Any]


def new_message_id() -> str:
    """An Exchange-style message id (URL-safe base64)."""
    return "AAMkAG" + base64.urlsafe_b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()


def folder_id(mailbox_id: str, folder: str) -> str:
    """The id of a mailbox's well-known folder (stable: derived from the mailbox and folder name)."""
    digest = hashlib.sha256(f"{mailbox_id}/{folder}".encode()).digest()
    return "AQMkAD" + base64.urlsafe_b64encode(digest).decode()


def format_stamp(moment: datetime) -> str:
    """Graph's message timestamps: UTC, whole seconds (``2031-03-03T08:00:05Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def comment_body(comment: str) -> dict[str, str]:
    """The reply mail's body for an answer's comment: HTML-escaped into an HTML body; empty without one."""
    if not comment:
        return {"contentType": "html", "content": ""}
    escaped = html.escape(comment).replace("\r\n", "\n").replace("\n", "<br>\r\n")
    content = (
        '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\r\n</head>\r\n'
        f"<body>\r\n{escaped}\r\n</body>\r\n</html>\r\n"
    )
    return {"contentType": "html", "content": content}


def html_to_text(content: str) -> str:
    """An HTML body as text (``Prefer: outlook.body-content-type="text"``): line breaks kept, tags dropped."""
    text = _WHITESPACE.sub(" ", _HEAD.sub("", content))  # source line breaks are only spaces in HTML
    text = _BLOCK_END.sub("\n", text)
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _message(
    *, odata_type: str, owner: Mailbox, sender: Mailbox | dict[str, str], to: list[dict[str, Any]],
    subject: str, body: dict[str, str], conversation_key: str, now: datetime,
) -> dict[str, Any]:
    """A message's common properties as Graph shows them, delivered to ``owner``'s Inbox."""
    message_id = new_message_id()
    stamp = format_stamp(now)
    conversation = hashlib.sha256(conversation_key.encode()).digest()
    sender_address = sender if isinstance(sender, dict) else email_address(sender)
    domain = str(sender_address.get("address", "")).split("@", 1)[-1]
    return {
        "@odata.type": odata_type,
        "id": message_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "changeKey": base64.b64encode(uuid.uuid4().bytes).decode(),
        "categories": [],
        "receivedDateTime": stamp,
        "sentDateTime": stamp,
        "hasAttachments": False,
        "internetMessageId": f"<{uuid.uuid4().hex.upper()}@{domain}>",
        "subject": subject,
        "bodyPreview": body_preview(body["content"], body.get("contentType", "html")),
        "importance": "normal",
        "parentFolderId": folder_id(owner.id, "inbox"),
        "conversationId": "AAQkAG" + base64.urlsafe_b64encode(conversation).decode(),
        "conversationIndex": base64.b64encode(b"\x01" + conversation[:21]).decode(),
        "isDeliveryReceiptRequested": None,
        "isReadReceiptRequested": False,
        "isRead": False,
        "isDraft": False,
        "webLink": "https://outlook.office365.com/owa/?ItemID="
        f"{quote(message_id, safe='')}&exvsurl=1&viewmodel=ReadMessageItem",
        "inferenceClassification": "focused",
        "body": body,
        "sender": {"emailAddress": dict(sender_address)},
        "from": {"emailAddress": dict(sender_address)},
        "toRecipients": to,
        "ccRecipients": [],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"},
    }


def _event_message_part(origin: dict[str, Any], meeting_message_type: str) -> dict[str, Any]:
    """What ``eventMessage`` adds to a message: the meeting's type, times and place."""
    return {
        "meetingMessageType": meeting_message_type,
        "type": str(origin.get("type") or "singleInstance"),
        "isOutOfDate": False,
        "isAllDay": bool(origin.get("isAllDay", False)),
        "isDelegated": False,
        "startDateTime": dict(origin["start"]),
        "endDateTime": dict(origin["end"]),
        "location": dict(origin.get("location") or {}),
        "recurrence": None,
    }


def response_message(
    *,
    organizer: Mailbox,
    responder: Mailbox,
    origin: dict[str, Any],
    response: str,
    comment: str,
    proposed_new_time: dict[str, Any] | None,
    now: datetime,
) -> dict[str, Any]:
    """The eventMessageResponse the organizer receives when ``responder`` answers the meeting ``origin``."""
    prefix, meeting_message_type = RESPONSE_MAIL[response]
    data = _message(
        odata_type=EVENT_MESSAGE_RESPONSE, owner=organizer, sender=responder,
        to=[{"emailAddress": email_address(organizer)}], subject=prefix + str(origin.get("subject") or ""),
        body=comment_body(comment), conversation_key=str(origin.get("iCalUId") or ""), now=now,
    )
    data.update(_event_message_part(origin, meeting_message_type))
    data["responseType"] = response
    if proposed_new_time is not None:
        data["proposedNewTime"] = proposed_new_time
    return data


def meeting_message(
    *, kind: str, organizer: Mailbox, recipient: Mailbox, event: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The meeting request (``eventMessageRequest``) or cancellation (``eventMessage``) an attendee receives."""
    body = dict(event.get("body") or {"contentType": "html", "content": ""})
    request = kind == MEETING_REQUEST
    data = _message(
        odata_type=EVENT_MESSAGE_REQUEST if request else EVENT_MESSAGE, owner=recipient, sender=organizer,
        to=[{"emailAddress": email_address(recipient)}], subject=str(event.get("subject") or ""),
        body={"contentType": str(body.get("contentType") or "html"), "content": str(body.get("content") or "")},
        conversation_key=str(event.get("iCalUId") or ""), now=now,
    )
    data.update(_event_message_part(event, kind))
    if request:
        data.update({
            "allowNewTimeProposals": bool(event.get("allowNewTimeProposals", True)),
            "meetingRequestType": "newMeetingRequest",
            "previousStartDateTime": None,
            "previousEndDateTime": None,
            "previousLocation": None,
            "responseRequested": bool(event.get("responseRequested", True)),
        })
    return data


def plain_message(
    *, owner: Mailbox, sender: Mailbox, message: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A sent mail (``sendMail``) as it arrives in ``owner``'s Inbox."""
    body: dict[str, Any] = message["body"] if isinstance(message.get("body"), dict) else {}
    content_type = "text" if str(body.get("contentType", "text")).lower() == "text" else "html"
    data = _message(
        odata_type=MESSAGE, owner=owner, sender=sender, to=recipients(message.get("toRecipients")),
        subject=str(message.get("subject") or ""),
        body={"contentType": content_type, "content": str(body.get("content") or "")},
        conversation_key=str(uuid.uuid4()), now=now,
    )
    data["ccRecipients"] = recipients(message.get("ccRecipients"))
    return data


def recipients(raw: object) -> list[dict[str, Any]]:
    """A ``recipient`` collection as given in a request, reduced to name and address."""
    result: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        address = item.get("emailAddress") if isinstance(item, dict) else None
        if isinstance(address, dict) and isinstance(address.get("address"), str):
            entry: dict[str, str] = {"address": address["address"]}
            if isinstance(address.get("name"), str):
                entry["name"] = address["name"]
            result.append({"emailAddress": entry})
    return result


def _shown_time(value: dict[str, Any], all_day: bool, zone: str) -> dict[str, str]:
    if all_day:
        return format_floating_date(parse_local(str(value["dateTime"])).date(), zone)
    return format_date_time_time_zone(parse_date_time_time_zone(value, "dateTime"), zone)


def render_message(data: dict[str, Any], zone_name: str | None, body_text: bool, unique_body: bool) -> dict[str, Any]:
    """A message as Graph returns it: meeting times in ``zone_name`` (UTC when None), the body as text
    when asked (``Prefer: outlook.body-content-type="text"``), ``uniqueBody`` only when selected."""
    result: dict[str, Any] = {"@odata.type": data.get("@odata.type"), "@odata.etag": f'W/"{data.get("changeKey", "")}"'}
    result.update(data)
    body = dict(data.get("body") or {"contentType": "html", "content": ""})
    if body_text and body.get("contentType") == "html":
        body = {"contentType": "text", "content": html_to_text(str(body.get("content") or ""))}
    result["body"] = body
    if unique_body:
        result["uniqueBody"] = dict(body)
    shown = zone_name or "UTC"
    all_day = bool(data.get("isAllDay"))
    for key in ("startDateTime", "endDateTime"):
        if isinstance(data.get(key), dict):
            result[key] = _shown_time(data[key], all_day, shown)
    proposed = data.get("proposedNewTime")
    if isinstance(proposed, dict):
        result["proposedNewTime"] = {k: _shown_time(v, False, shown) for k, v in proposed.items()}
    return result


def select_name(raw: str) -> tuple[str, bool] | None:
    """A $select entry of a message query as (property, needs an event message), or None if unknown.

    Base properties are named as they are; those of eventMessage/eventMessageResponse need the cast
    (``microsoft.graph.eventMessage/meetingMessageType``), as in Graph.
    """
    for cast in EVENT_MESSAGE_CASTS:
        if raw.startswith(cast):
            name = raw[len(cast) :]
            derived = EVENT_MESSAGE_PROPERTIES | (RESPONSE_PROPERTIES if "Response" in cast else frozenset())
            return (name, True) if name in MESSAGE_PROPERTIES | derived else None
    return (raw, False) if raw in MESSAGE_PROPERTIES else None
