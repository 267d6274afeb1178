"""Invitees' messages to the organizer: the comment that came with an answer, from the organizer's mailbox.

An answer given in Outlook with "send the response" (the default) reaches the organizer as a reply
mail, which Graph shows as a ``microsoft.graph.eventMessageResponse`` in the organizer's mailbox. Its
body is the invitee's optional comment and its ``event`` navigation property is the organizer's own
event; the event itself never carries the comment.

Least data read: the mailbox is listed with only ``from`` and ``receivedDateTime`` (plus the linked
event's id), so no other mail's body is ever read; then only the latest answer of each invitee about
the event is read, with ``body`` only.

Permission: ``Mail.Read`` as an application permission (``Mail.ReadBasic.All`` has no body), granted
through RBAC for Applications in Exchange Online (role "Application Mail.Read" with a management scope
holding the near workers' mailboxes) rather than tenant-wide in Entra ID.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.users.item.messages.item.message_item_request_builder import MessageItemRequestBuilder
from msgraph.generated.users.item.messages.messages_request_builder import MessagesRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from graph.errors import GraphUnavailableError, call
from graph.json_requests import send_json

#: Read as plain JSON (graph/json_requests.py): kiota's message models would import ~1,200 modules on the loop.
RESPONSE_TYPE = "#microsoft.graph.eventMessageResponse"

#: The longest comment shown; longer ones are cut (with an ellipsis).
MAX_COMMENT_CHARS = 500
#: Messages per page, and pages read at most (the window since the booking is short).
PAGE_SIZE = 50
MAX_PAGES = 10
EVENT_EXPAND = "microsoft.graph.eventMessage/event($select=id)"
LIST_FIELDS = ("from", "receivedDateTime")
BODY_FIELDS = ("body",)
# Statuses with which a mailbox refuses the $expand of the event (then each response's event is read).
_EXPAND_REFUSED = frozenset({400, 501})
_BLOCKS = frozenset({"p", "div", "li", "tr", "table", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = frozenset({"head", "style", "script", "title"})
# Where Outlook's quoted original begins in a reply's HTML.
_QUOTE_MARKERS = frozenset({"divRplyFwdMsg", "appendonsend"})
# A line where a quoted original starts for sure: Outlook's separators.
_QUOTE_SEPARATOR = re.compile(
    r"^(?:-{2,}\s*(?:original message|alkuperäinen viesti|ursprungligt meddelande)\s*-{2,}|_{10,})$",
    re.IGNORECASE,
)
# A quoted original's header block: "From:" followed by "Sent:", "To:", … (English, Finnish, Swedish).
_FROM_HEADER = re.compile(r"^\*?(?:from|lähettäjä|från)\*?:", re.IGNORECASE)
_OTHER_HEADER = re.compile(
    r"^\*?(?:sent|date|to|cc|subject|lähetetty|päivämäärä|vastaanottaja|aihe|skickat|datum|till|ämne)\*?:",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")


class _TextParser(HTMLParser):
    """HTML to text up to the first ``<hr>`` or Outlook's quoted-reply block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "hr" or (tag == "div" and dict(attrs).get("id") in _QUOTE_MARKERS):
            self._done = True
        elif tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1
        elif tag in _BLOCKS and not self._done:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._done and not self._hidden:
            self.parts.append(_SPACES.sub(" ", data))


def comment_text(content: str | None, is_html: bool = True) -> str:
    """The invitee's own words from a reply's body, as plain text of at most ``MAX_COMMENT_CHARS``.

    HTML is stripped; text from the first horizontal rule, Outlook's quoted-reply block or a
    "From:" header (Finnish and Swedish too) onwards is the quoted invitation and is left out.
    """
    if not content:
        return ""
    if is_html:
        parser = _TextParser()
        parser.feed(content)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = content.replace("\r\n", "\n")
    all_lines = [_SPACES.sub(" ", raw).strip() for raw in text.split("\n")]
    lines: list[str] = []
    for index, line in enumerate(all_lines):
        if _QUOTE_SEPARATOR.match(line) or _starts_header_block(all_lines, index):
            break
        if line or (lines and lines[-1]):
            lines.append(line)
    result = "\n".join(lines).strip()
    if len(result) > MAX_COMMENT_CHARS:
        result = result[: MAX_COMMENT_CHARS - 1].rstrip() + "…"
    return result


def _starts_header_block(lines: list[str], index: int) -> bool:
    """Whether ``lines[index]`` is "From: …" followed by another header line ("Sent: …", "To: …", …)."""
    if not _FROM_HEADER.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 5] if line][:2]
    return any(_OTHER_HEADER.match(line) for line in following)


def _stamp(moment: datetime) -> str:
    """``receivedDateTime`` literal: UTC, floored to whole seconds as Exchange stamps mail."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sender(message: dict[str, Any]) -> str:
    address = _dict(_dict(message.get("from")).get("emailAddress")).get("address")
    return address.lower() if isinstance(address, str) else ""


def _received(message: dict[str, Any]) -> datetime:
    raw = message.get("receivedDateTime")
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class GraphMail:
    """Reads the organizer's mailbox for invitees' answers (``/users/{id}/messages``)."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def answer_messages(self, organizer_id: str, event_id: str, since: datetime) -> dict[str, str]:
        """Each invitee's comment on their latest answer to the organizer's event ``event_id``.

        Looks at eventMessageResponse messages received since ``since`` (naive means UTC). Returns
        invitee address (lower-case) → comment as plain text; an invitee whose latest answer came
        without a comment is left out, and so are answers not sent to the organizer. Graph failures
        raise :class:`~graph.errors.GraphUnavailableError`.
        """
        latest = await self._latest_answers(organizer_id, event_id, since)
        comments: dict[str, str] = {}
        for address, message_id in latest.items():
            text = await self._comment(organizer_id, message_id)
            if text:
                comments[address] = text
        return comments

    async def _latest_answers(self, organizer_id: str, event_id: str, since: datetime) -> dict[str, str]:
        """Invitee address → id of their newest response message about ``event_id``."""
        try:
            responses = await self._responses(organizer_id, since, expand=True)
        except GraphUnavailableError as err:
            if err.status not in _EXPAND_REFUSED:
                raise
            responses = await self._responses(organizer_id, since, expand=False)
        latest: dict[str, str] = {}
        for message in sorted(responses, key=_received, reverse=True):
            address = _sender(message)
            message_id = message.get("id")
            if not isinstance(message_id, str) or not message_id or not address or address in latest:
                continue
            about = _dict(message.get("event")).get("id")
            if about is None:  # the expansion was refused (or ignored): read this response's event
                about = await self._event_id(organizer_id, message_id)
            if about == event_id:
                latest[address] = message_id
        return latest

    async def _responses(self, organizer_id: str, since: datetime, expand: bool) -> list[dict[str, Any]]:
        """The meeting responses among the messages received since ``since``, newest first."""
        query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
            filter=f"receivedDateTime ge {_stamp(since)}",
            orderby=["receivedDateTime desc"],
            select=list(LIST_FIELDS),
            expand=[EVENT_EXPAND] if expand else None,
            top=PAGE_SIZE,
        )
        builder = self._client.users.by_user_id(organizer_id).messages
        request = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
        found: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            page = await call(partial(send_json, builder.request_adapter, request))
            values = page.get("value")
            found.extend(m for m in (values if isinstance(values, list) else [])
                         if isinstance(m, dict) and m.get("@odata.type") == RESPONSE_TYPE)
            next_link = page.get("@odata.nextLink")
            if not isinstance(next_link, str) or not next_link:
                break
            request = builder.with_url(next_link).to_get_request_information()
        return found

    async def _event_id(self, organizer_id: str, message_id: str) -> str | None:
        """``GET …/messages/{id}/microsoft.graph.eventMessage/event?$select=id`` (None when it is gone)."""
        adapter = self._client.request_adapter
        url = (
            f"{str(adapter.base_url).rstrip('/')}/users/{quote(organizer_id, safe='')}/messages/"
            f"{quote(message_id, safe='')}/microsoft.graph.eventMessage/event?%24select=id"
        )
        builder = self._client.users.by_user_id(organizer_id).events.by_event_id(message_id).with_url(url)
        try:
            event = await call(partial(send_json, builder.request_adapter, builder.to_get_request_information()))
        except GraphUnavailableError as err:
            if err.status == 404:
                return None
            raise
        found = event.get("id")
        return found if isinstance(found, str) else None

    async def _comment(self, organizer_id: str, message_id: str) -> str:
        """One response message's comment: its body (only), as plain text."""
        query = MessageItemRequestBuilder.MessageItemRequestBuilderGetQueryParameters(select=list(BODY_FIELDS))
        builder = self._client.users.by_user_id(organizer_id).messages.by_message_id(message_id)
        request = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
        message = await call(partial(send_json, builder.request_adapter, request))
        body = _dict(message.get("body"))
        if not body:
            return ""
        content = body.get("content")
        return comment_text(content if isinstance(content, str) else None, str(body.get("contentType")) != "text")



class GraphOutbox:
    """Sends mail from a worker's own mailbox (``POST /users/{id}/sendMail``): the questions about suitable
    times to people whose calendars the bot cannot read (services.availability_questions).

    Permission: ``Mail.Send`` as an application permission, limited through RBAC for Applications in Exchange
    Online to the near workers' mailboxes (as ``Mail.Read`` is above).

    Mails sent at once from one mailbox go at most 4 at a time (graph/mailbox_limit.py).
    """

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def send(self, sender_id: str, to: str, subject: str, html_body: str) -> None:
        """One HTML mail to ``to``, kept in the sender's Sent Items (Graph answers 202 with no body).

        Not retried on a dropped connection: the mail may have gone, and a second one would be a duplicate.
        Failures raise :class:`~graph.errors.GraphUnavailableError`.
        """
        payload = {"message": {"subject": subject, "body": {"contentType": "HTML", "content": html_body},
                               "toRecipients": [{"emailAddress": {"address": to}}]},
                   "saveToSentItems": True}
        builder = self._client.users.by_user_id(sender_id).send_mail
        # Built by hand as JSON: kiota's SendMailPostRequestBody would import the message models on the loop.
        request = RequestInformation(Method.POST, builder.url_template, builder.path_parameters)
        request.headers.try_add("Accept", "application/json")
        request.set_stream_content(json.dumps(payload).encode(), "application/json")
        await call(partial(send_json, builder.request_adapter, request), retry_transport=False)
