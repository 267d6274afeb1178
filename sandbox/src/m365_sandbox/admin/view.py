"""What the admin page shows about one person: their events in a window and their OneDrive files.

Plain data, gathered from the calendar and drive services; :mod:`m365_sandbox.admin.page` turns it into HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from m365_sandbox.calendar.service import CalendarService
from m365_sandbox.calendar.store import StoredEvent
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.drive.model import ItemRecord, documents_url
from m365_sandbox.drive.render import item_web_url
from m365_sandbox.drive.service import DriveService
from m365_sandbox.drive.sharing import SharingService
from m365_sandbox.mail.model import html_to_text
from m365_sandbox.mail.service import MailService

# The folder the bot keeps its plans in (services.meeting_service's default drive_folder).
BOT_FOLDER = "Yhdessä aika"


@dataclass(frozen=True)
class Attendee:
    """An attendee as the organizer's event sees them (``response``: none, accepted, declined, …)."""

    name: str
    address: str
    kind: str
    response: str


@dataclass(frozen=True)
class EventRow:
    """One event of the person's calendar, or an invitation they declined (then ``event_id`` is None)."""

    event_id: str | None
    ical_uid: str
    transaction_id: str | None
    subject: str
    start: datetime
    end: datetime
    all_day: bool
    location: str
    organizer_name: str
    organizer_address: str
    attendees: tuple[Attendee, ...]
    cancelled: bool
    is_organizer: bool
    own_response: str
    preview: str

    @property
    def can_answer(self) -> bool:
        """Whether the person can accept, tentatively accept or decline it (an attendee's live copy)."""
        return self.event_id is not None and not self.is_organizer and not self.cancelled

    @property
    def is_meeting(self) -> bool:
        """Whether others take part (it has attendees, or someone else organizes it)."""
        return bool(self.attendees) or not self.is_organizer


@dataclass(frozen=True)
class MessageRow:
    """A message in the person's Inbox (a meeting response): who, when, what and the comment as text."""

    received: str
    sender_name: str
    sender_address: str
    subject: str
    response: str
    comment: str


@dataclass(frozen=True)
class FileRow:
    """A driveItem as the page lists it."""

    name: str
    path: str
    is_folder: bool
    size: int
    modified: str
    web_url: str
    owner: str
    depth: int


def _attendees(data: dict[str, Any]) -> tuple[Attendee, ...]:
    result = []
    for entry in data.get("attendees") or []:
        email = entry.get("emailAddress") or {}
        status = entry.get("status") or {}
        result.append(
            Attendee(
                name=str(email.get("name") or email.get("address") or ""),
                address=str(email.get("address") or ""),
                kind=str(entry.get("type") or "required"),
                response=str(status.get("response") or "none"),
            )
        )
    return tuple(result)


def _row(event: StoredEvent, truth: StoredEvent, event_id: str | None, own_response: str) -> EventRow:
    data = event.data
    organizer = (data.get("organizer") or {}).get("emailAddress") or {}
    transaction_id = truth.data.get("transactionId")
    return EventRow(
        event_id=event_id,
        ical_uid=event.ical_uid,
        transaction_id=str(transaction_id) if transaction_id else None,
        subject=str(data.get("subject") or ""),
        start=event.start,
        end=event.end,
        all_day=bool(data.get("isAllDay")),
        location=str((data.get("location") or {}).get("displayName") or ""),
        organizer_name=str(organizer.get("name") or ""),
        organizer_address=str(organizer.get("address") or ""),
        attendees=_attendees(truth.data),
        cancelled=event.is_cancelled,
        is_organizer=event.is_organizer,
        own_response=own_response,
        preview=str(data.get("bodyPreview") or ""),
    )


def event_rows(calendar: CalendarService, box: Mailbox, start: datetime, end: datetime) -> list[EventRow]:
    """The person's events overlapping [start, end), and the invitations there they declined, by start.

    Attendees' answers come from the organizer's event (an attendee's copy does not know them).
    """
    rows = []
    own = calendar.calendar_view(box, start, end)
    for event in own:
        truth = calendar.organizer_event(event) or event
        response = str((event.data.get("responseStatus") or {}).get("response") or "none")
        rows.append(_row(event, truth, event.id, response))
    present = {event.ical_uid for event in own}
    address = box.mail.lower()
    for origin in calendar.store_all():
        if not origin.is_organizer or origin.ical_uid in present or origin.mailbox_id == box.id:
            continue
        if not origin.overlaps(start, end):
            continue
        mine = next((a for a in _attendees(origin.data) if a.address.lower() == address), None)
        if mine is not None:
            rows.append(_row(origin, origin, None, mine.response))
    return sorted(rows, key=lambda row: (row.start, row.end, row.subject))


def _file_row(drives: DriveService, item: ItemRecord, site_root: str, depth: int) -> FileRow:
    owner = drives.find(item.owner_id)
    return FileRow(
        name=item.name,
        path=drives.relative_path(item),
        is_folder=item.is_folder,
        size=drives.size_of(item),
        modified=item.modified,
        web_url=item_web_url(drives, item, site_root),
        owner=owner.display_name if owner else "",
        depth=depth,
    )


def _walk(drives: DriveService, folder: ItemRecord, site_root: str, depth: int) -> list[FileRow]:
    rows = []
    for child in drives.children(folder):
        rows.append(_file_row(drives, child, site_root, depth))
        if child.is_folder:
            rows += _walk(drives, child, site_root, depth + 1)
    return rows


@dataclass(frozen=True)
class DriveView:
    """The person's OneDrive as the page shows it."""

    root_url: str | None  # the drive's webUrl (None: never used)
    folder_url: str | None  # the webUrl of ``Yhdessä aika`` (None: no such folder)
    files: list[FileRow]  # everything in ``Yhdessä aika``, depth first
    shared: list[FileRow]  # items in other people's drives shared with the person by name


def drive_view(drives: DriveService, sharing: SharingService, box: Mailbox, site_root: str) -> DriveView:
    """The person's drive, ``Yhdessä aika`` folder and what others have shared with them."""
    shared_items = sorted(sharing.shared_with(box), key=lambda item: item.modified, reverse=True)
    shared = [_file_row(drives, item, site_root, 0) for item in shared_items]
    drive = drives.existing_drive(box)
    if drive is None:
        return DriveView(None, None, [], shared)
    folder = drives.store.child_named(drive.root.id, BOT_FOLDER)
    if folder is None or not folder.is_folder:
        return DriveView(documents_url(site_root, box), None, [], shared)
    files = _walk(drives, folder, site_root, 0)
    return DriveView(documents_url(site_root, box), item_web_url(drives, folder, site_root), files, shared)


def inbox_rows(mail: MailService, box: Mailbox, limit: int = 20) -> list[MessageRow]:
    """The newest messages in the person's Inbox."""
    rows = []
    for record in mail.messages(box, "inbox")[:limit]:
        data = record.data
        sender = (data.get("from") or {}).get("emailAddress") or {}
        body = data.get("body") or {}
        content = str(body.get("content") or "")
        rows.append(
            MessageRow(
                received=str(data.get("receivedDateTime") or ""),
                sender_name=str(sender.get("name") or ""),
                sender_address=str(sender.get("address") or ""),
                subject=str(data.get("subject") or ""),
                response=str(data.get("responseType") or ""),
                comment=html_to_text(content) if body.get("contentType") == "html" else content,
            )
        )
    return rows
