"""Mailboxes as Exchange shows them through Graph, as far as meetings and their mail need.

- An attendee's answer sent to the organizer (``sendResponse`` true, Outlook's default) arrives in the
  organizer's Inbox as an ``eventMessageResponse`` carrying the attendee's optional comment.
- Attendees in *another* tenant than the organizer's get the meeting request (``eventMessageRequest``) and
  cancellation (``eventMessage``) in their Inbox; attendees of the organizer's own tenant get only their
  calendar copy, as before (their meeting mail is not modelled).
- ``sendMail`` delivers to the Inbox of any sandbox mailbox (any tenant).
- Mail to addresses outside every tenant (outside people, unknown addresses) lands in the *outside outbox*
  (``GET /_admin/outside-mail``), so that tests and the demo can read what was sent there.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from m365_sandbox.calendar.store import StoredEvent
from m365_sandbox.core.directory import Directory
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.core.transport import Transport
from m365_sandbox.mail.model import (
    MEETING_CANCELLED,
    MEETING_REQUEST,
    MessageRecord,
    folder_id,
    format_stamp,
    meeting_message,
    plain_message,
    recipients,
    response_message,
)
from m365_sandbox.mail.store import MailStore

# Outlook's well-known folder names; only the Inbox receives anything here.
WELL_KNOWN_FOLDERS = frozenset({
    "inbox", "drafts", "sentitems", "deleteditems", "junkemail", "outbox", "archive", "clutter",
    "conversationhistory", "recoverableitemsdeletions", "scheduled", "searchfolders", "msgfolderroot",
})


def _not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class MailService:
    """Delivers meeting mail and sent mail, and reads mailboxes.

    ``directory`` finds recipients of ``sendMail`` in every tenant; ``transport`` carries sent mail (now or later).
    """

    def __init__(
        self, store: MailStore, clock: Callable[[], datetime], *, directory: Directory | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.directory = directory
        self.transport = transport or Transport()

    def deliver_response(
        self,
        *,
        organizer: Mailbox,
        responder: Mailbox,
        origin: StoredEvent,
        response: str,
        comment: str = "",
        proposed_new_time: dict[str, Any] | None = None,
    ) -> MessageRecord | None:
        """Put the reply mail of ``responder``'s answer into the organizer's Inbox (None: nothing sent).

        Nobody mails themselves: an organizer answering their own meeting gets nothing.
        """
        if organizer.id == responder.id or organizer.is_room:
            return None
        data = response_message(
            organizer=organizer,
            responder=responder,
            origin=origin.data,
            response=response,
            comment=comment,
            proposed_new_time=proposed_new_time,
            now=self.clock(),
        )
        record = MessageRecord(id=str(data["id"]), mailbox_id=organizer.id, event_id=origin.id, data=data)
        self.store.add(record)
        return record

    def messages(self, box: Mailbox, folder: str | None = None) -> list[MessageRecord]:
        """A mailbox's messages, newest first: all of them, or one folder's (well-known name or id)."""
        if folder is None:
            return self.store.messages_of(box.id)
        inbox = folder_id(box.id, "inbox")
        if folder.lower() == "inbox" or folder == inbox:
            return [m for m in self.store.messages_of(box.id) if m.data.get("parentFolderId") == inbox]
        if folder.lower() in WELL_KNOWN_FOLDERS or any(folder == folder_id(box.id, f) for f in WELL_KNOWN_FOLDERS):
            return []
        raise _not_found()

    def message(self, box: Mailbox, message_id: str, folder: str | None = None) -> MessageRecord:
        """A message in ``box`` (and in ``folder`` when given); 404 ``ErrorItemNotFound`` otherwise."""
        record = self.store.get(message_id)
        if record is None or record.mailbox_id != box.id:
            raise _not_found()
        if folder is not None and all(m.id != message_id for m in self.messages(box, folder)):
            raise _not_found()
        return record

    def deliver_meeting_message(
        self, *, kind: str, organizer: Mailbox, recipient: Mailbox, event: StoredEvent
    ) -> MessageRecord | None:
        """Put a meeting request or cancellation about ``event`` (the recipient's copy) into their Inbox."""
        if kind not in (MEETING_REQUEST, MEETING_CANCELLED) or recipient.is_room or recipient.id == organizer.id:
            return None
        data = meeting_message(kind=kind, organizer=organizer, recipient=recipient, event=event.data, now=self.clock())
        record = MessageRecord(id=str(data["id"]), mailbox_id=recipient.id, event_id=event.id, data=data)
        self.store.add(record)
        return record

    def send_outside(self, *, kind: str, organizer: Mailbox, address: str, event: dict[str, Any]) -> dict[str, Any]:
        """Put a meeting request or cancellation for ``address`` (outside every tenant) into the outside outbox."""
        body: dict[str, Any] = event["body"] if isinstance(event.get("body"), dict) else {}
        subject = str(event.get("subject") or "")
        if kind == MEETING_CANCELLED:
            subject = "Canceled: " + subject
        extra = {"kind": kind, "iCalUId": event.get("iCalUId"), "eventId": event.get("id"),
                 "joinUrl": (event.get("onlineMeeting") or {}).get("joinUrl")}
        return self._to_outside(organizer, [address], subject, body, extra)

    def send_sharing_invitation(
        self, *, sender: Mailbox, address: str, recipient: Mailbox | None, subject: str, text: str, link: str
    ) -> None:
        """Mail a drive sharing invitation: to a sandbox mailbox's Inbox, else to the outside outbox."""
        body = {"contentType": "text", "content": f"{text}\n\n{link}".strip()}
        if recipient is not None and not recipient.is_room:
            message = {"subject": subject, "body": body,
                       "toRecipients": [{"emailAddress": {"address": recipient.mail, "name": recipient.display_name}}]}
            self.transport.send(f"sharing {recipient.mail}", lambda: self._to_inbox(recipient, sender, message))
            return
        self.transport.send(
            f"sharing {address}",
            lambda: self._to_outside(sender, [address], subject, body, {"kind": "sharingInvitation", "link": link}),
        )

    def send_mail(self, sender: Mailbox, body: dict[str, Any]) -> None:
        """POST /users/{id}/sendMail: deliver ``message`` to every recipient (Inbox or outside outbox)."""
        message = body.get("message") or body.get("Message")
        if not isinstance(message, dict):
            raise GraphError(400, "ErrorInvalidArgument", "The message is required.")
        addresses = [
            str(r["emailAddress"]["address"])
            for key in ("toRecipients", "ccRecipients", "bccRecipients")
            for r in recipients(message.get(key))
        ]
        if not addresses:
            raise GraphError(400, "ErrorInvalidRecipients", "At least one recipient is required, but none were found.")
        outside: list[str] = []
        delivered: set[str] = set()
        for address in addresses:
            box = self.directory.find(address) if self.directory is not None else None
            if box is None:
                outside.append(address)
            elif box.id not in delivered:
                delivered.add(box.id)
                self.transport.send(f"mail {box.mail}", partial(self._to_inbox, box, sender, message))
        if outside:
            raw_body: dict[str, Any] = message["body"] if isinstance(message.get("body"), dict) else {}
            subject = str(message.get("subject") or "")
            self.transport.send(
                f"mail {', '.join(outside)}",
                lambda: self._to_outside(sender, outside, subject, raw_body, {"kind": "message"}),
            )

    def _to_inbox(self, owner: Mailbox, sender: Mailbox, message: dict[str, Any]) -> None:
        data = plain_message(owner=owner, sender=sender, message=message, now=self.clock())
        self.store.add(MessageRecord(id=str(data["id"]), mailbox_id=owner.id, event_id=None, data=data))

    def _to_outside(
        self, sender: Mailbox, to: list[str], subject: str, body: dict[str, Any], extra: dict[str, Any]
    ) -> dict[str, Any]:
        content_type = "text" if str(body.get("contentType", "text")).lower() == "text" else "html"
        entry: dict[str, Any] = {
            "to": list(to),
            "from": sender.mail,
            "fromName": sender.display_name,
            "subject": subject,
            "body": str(body.get("content") or ""),
            "contentType": content_type,
            "sentDateTime": format_stamp(self.clock()),
        }
        entry.update({key: value for key, value in extra.items() if value is not None})
        self.store.add_outside(entry)
        return entry

    def outside_mail(self) -> list[dict[str, Any]]:
        """The outside outbox, oldest first (``GET /_admin/outside-mail``)."""
        return self.store.outside()
