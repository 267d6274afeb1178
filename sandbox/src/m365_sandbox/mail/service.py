"""Mailboxes as Exchange shows them through Graph, as far as meetings need: answers reach the organizer.

An attendee's answer sent to the organizer (``sendResponse`` true, Outlook's default) arrives in the
organizer's Inbox as an ``eventMessageResponse`` carrying the attendee's optional comment; nothing
else is delivered (no invitations or cancellations in attendees' mailboxes, no mail sending).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from m365_sandbox.calendar.store import StoredEvent
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.mail.model import MessageRecord, folder_id, response_message
from m365_sandbox.mail.store import MailStore

# Outlook's well-known folder names; only the Inbox receives anything here.
WELL_KNOWN_FOLDERS = frozenset({
    "inbox", "drafts", "sentitems", "deleteditems", "junkemail", "outbox", "archive", "clutter",
    "conversationhistory", "recoverableitemsdeletions", "scheduled", "searchfolders", "msgfolderroot",
})


def _not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class MailService:
    """Delivers meeting responses and reads mailboxes."""

    def __init__(self, store: MailStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

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
