"""Calendar behaviour as Exchange shows it through Graph: meetings, copies, responses, rooms."""

from __future__ import annotations

import copy
import html
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from m365_sandbox.calendar.model import (
    apply_input,
    base_event,
    email_address,
    new_event_id,
    new_ical_uid,
    response_status,
    set_body,
    teams_body_block,
    teams_join_url,
    touch,
)
from m365_sandbox.calendar.store import CalendarStore, StoredEvent
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant

# What an attendee's copy takes over from the organizer's event.
SHARED_PROPERTIES = (
    "subject", "body", "bodyPreview", "start", "end", "isAllDay", "originalStartTimeZone",
    "originalEndTimeZone", "location", "locations", "importance", "sensitivity", "isOnlineMeeting",
    "onlineMeetingProvider", "onlineMeeting", "onlineMeetingUrl", "attendees", "allowNewTimeProposals",
    "responseRequested", "hideAttendees", "organizer", "iCalUId", "type",
)
RESPONSES = {"accept": "accepted", "tentativelyAccept": "tentativelyAccepted", "decline": "declined"}
CANCELLED_PREFIX = "Canceled: "


class ReplyMail(Protocol):
    """Where an answer sent to the organizer goes as a reply mail (the mail area's ``MailService``)."""

    def deliver_response(
        self,
        *,
        organizer: Mailbox,
        responder: Mailbox,
        origin: StoredEvent,
        response: str,
        comment: str,
        proposed_new_time: dict[str, Any] | None,
    ) -> object:
        """Put the reply mail of ``responder``'s answer into the organizer's Inbox."""


def _not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class CalendarService:
    """Reads and changes calendars, keeping organizer events and attendee copies consistent.

    With ``mail``, an answer sent to the organizer also arrives in the organizer's Inbox as a reply mail.
    """

    def __init__(
        self, tenant: Tenant, store: CalendarStore, clock: Callable[[], datetime], mail: ReplyMail | None = None
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.clock = clock
        self.mail = mail

    # --- lookups -------------------------------------------------------------------------

    def mailbox(self, key: str) -> Mailbox:
        """The mailbox for a user id or address; 404 ``ErrorInvalidUser`` as Graph answers."""
        return self.tenant.mailbox(key)

    def event(self, box: Mailbox, event_id: str) -> StoredEvent:
        """An event in ``box``'s calendar; 404 ``ErrorItemNotFound`` otherwise."""
        event = self.store.get(event_id)
        if event is None or event.mailbox_id != box.id:
            raise _not_found()
        return event

    def events(self, box: Mailbox) -> list[StoredEvent]:
        """Every event in the mailbox's calendar, by start time."""
        return sorted(self.store.events_of(box.id), key=lambda e: (e.start, e.end, e.id))

    def calendar_view(self, box: Mailbox, start: datetime, end: datetime) -> list[StoredEvent]:
        """Events that overlap [start, end), by start time."""
        return [
            e for e in self.events(box) if e.overlaps(start, end) or (e.start == e.end and start <= e.start < end)
        ]

    def find_copy(self, box: Mailbox, ical_uid: str | None, transaction_id: str | None) -> StoredEvent:
        """The event in ``box`` belonging to a meeting known by iCalUId or organizer transactionId."""
        if transaction_id:
            origin = next(
                (
                    e
                    for e in self.store_all()
                    if e.data.get("transactionId") == transaction_id and e.is_organizer
                ),
                None,
            )
            if origin is None:
                raise _not_found()
            ical_uid = origin.ical_uid
        match = next((e for e in self.store.events_of(box.id) if e.ical_uid == ical_uid), None)
        if match is None:
            raise _not_found()
        return match

    def store_all(self) -> list[StoredEvent]:
        """Every stored event of every mailbox."""
        return [e for b in self.tenant.mailboxes for e in self.store.events_of(b.id)]

    # --- create --------------------------------------------------------------------------

    def create(self, box: Mailbox, body: dict[str, Any]) -> tuple[StoredEvent, bool]:
        """Create an event (and invite its attendees); returns it and whether it is new.

        A repeated ``transactionId`` of the same organizer returns the existing event.
        """
        transaction_id = body.get("transactionId")
        if isinstance(transaction_id, str) and transaction_id:
            for existing in self.store.events_of(box.id):
                if existing.is_organizer and existing.data.get("transactionId") == transaction_id:
                    return existing, False
        now = self.clock()
        data = base_event(new_event_id(), new_ical_uid(), now)
        data["organizer"] = {"emailAddress": email_address(box)}
        data["responseStatus"] = response_status("organizer", None)
        apply_input(data, body, self.tenant, box, creating=True)
        if "start" not in body or "end" not in body:
            raise GraphError(400, "ErrorPropertyValidationFailure", "At least one property failed validation.")
        self._apply_online_meeting(data, box)
        event = StoredEvent.from_data(box.id, data)
        with self.store.batch():
            self._invite(event, list(data["attendees"]), now)
            self.store.put(event)
        return event, True

    def _apply_online_meeting(self, data: dict[str, Any], organizer: Mailbox) -> None:
        if not data.get("isOnlineMeeting"):
            if data.get("onlineMeeting") is None:
                data["onlineMeetingProvider"] = data.get("onlineMeetingProvider", "unknown")
            return
        if data.get("onlineMeetingProvider") in (None, "unknown"):
            data["onlineMeetingProvider"] = "teamsForBusiness"
        if data["onlineMeetingProvider"] != "teamsForBusiness" or data.get("onlineMeeting"):
            return
        join_url = teams_join_url(self.tenant, organizer)
        data["onlineMeeting"] = {"joinUrl": join_url}
        content = str(data["body"].get("content") or "")
        if data["body"].get("contentType") == "text":
            content = html.escape(content).replace("\n", "<br>")
        inner = content
        if "<body>" in inner:
            inner = inner.split("<body>", 1)[1].rsplit("</body>", 1)[0]
        set_body(data, f"<html><head></head><body>{inner}{teams_body_block(join_url)}</body></html>", "html")

    def _invite(self, origin: StoredEvent, attendees: list[dict[str, Any]], now: datetime) -> None:
        for entry in attendees:
            target = self.tenant.find(str(entry["emailAddress"]["address"]))
            if target is None or target.id == origin.mailbox_id:
                continue
            if target.is_room:
                self._book_room(origin, entry, target, now)
            else:
                self._place_copy(origin, target, now)

    def _place_copy(self, origin: StoredEvent, target: Mailbox, now: datetime) -> StoredEvent:
        data = base_event(new_event_id(), origin.ical_uid, now)
        for key in SHARED_PROPERTIES:
            data[key] = copy.deepcopy(origin.data.get(key))
        data["isOrganizer"] = False
        data["responseStatus"] = response_status("notResponded", None)
        data["showAs"] = "tentative"
        for attendee in data["attendees"]:
            attendee["status"] = response_status("none", None)
        event = StoredEvent.from_data(target.id, data)
        self.store.put(event)
        return event

    def _book_room(self, origin: StoredEvent, entry: dict[str, Any], room: Mailbox, now: datetime) -> None:
        existing = self._copy_in(room, origin.ical_uid)
        busy = any(
            e.overlaps(origin.start, origin.end)
            for e in self.store.events_of(room.id)
            if e.ical_uid != origin.ical_uid and not e.is_cancelled and e.show_as != "free"
        )
        if busy:
            entry["status"] = response_status("declined", now)
            if existing is not None:
                self.store.remove(existing.id)
            return
        entry["status"] = response_status("accepted", now)
        event = existing or self._place_copy(origin, room, now)
        for key in SHARED_PROPERTIES:
            event.data[key] = copy.deepcopy(origin.data.get(key))
        organizer = origin.data["organizer"]["emailAddress"]
        event.data["subject"] = str(organizer.get("name") or organizer.get("address"))
        set_body(event.data, "", "html")
        event.data["responseStatus"] = response_status("accepted", now)
        event.data["showAs"] = "busy"
        touch(event.data, now)
        self.store.put(event)

    def _copy_in(self, box: Mailbox, ical_uid: str) -> StoredEvent | None:
        return next((e for e in self.store.events_of(box.id) if e.ical_uid == ical_uid), None)

    def _copies(self, origin: StoredEvent) -> list[tuple[Mailbox, StoredEvent]]:
        result = []
        for entry in origin.data.get("attendees", []):
            target = self.tenant.find(str(entry["emailAddress"]["address"]))
            if target is None or target.id == origin.mailbox_id:
                continue
            event = self._copy_in(target, origin.ical_uid)
            if event is not None:
                result.append((target, event))
        return result

    def organizer_event(self, event: StoredEvent) -> StoredEvent | None:
        """The organizer's own event of the meeting ``event`` belongs to (None when the organizer is external)."""
        address = str(event.data.get("organizer", {}).get("emailAddress", {}).get("address", ""))
        organizer = self.tenant.find(address) if address else None
        if organizer is None:
            return None
        return next(
            (e for e in self.store.events_of(organizer.id) if e.ical_uid == event.ical_uid and e.is_organizer),
            None,
        )

    # --- update and delete ---------------------------------------------------------------

    def update(self, box: Mailbox, event_id: str, body: dict[str, Any]) -> StoredEvent:
        """Apply a PATCH; an organizer's changes reach the attendees' copies."""
        event = self.event(box, event_id)
        now = self.clock()
        before = copy.deepcopy(event.data)
        data = copy.deepcopy(event.data)
        changed = apply_input(data, body, self.tenant, box, creating=False)
        if "isOnlineMeeting" in changed or "onlineMeetingProvider" in changed:
            self._apply_online_meeting(data, box)
        touch(data, now)
        event.data = data
        with self.store.batch():
            if event.is_organizer and (before.get("attendees") or data.get("attendees")):
                self._propagate(event, before, now)
            self.store.put(event)
        return event

    def _propagate(self, origin: StoredEvent, before: dict[str, Any], now: datetime) -> None:
        retimed = before["start"] != origin.data["start"] or before["end"] != origin.data["end"]
        old = {a["emailAddress"]["address"].lower() for a in before.get("attendees", [])}
        current = origin.data.get("attendees", [])
        new = {a["emailAddress"]["address"].lower() for a in current}
        previous = {a["emailAddress"]["address"].lower(): a for a in before.get("attendees", [])}
        for entry in current:
            address = entry["emailAddress"]["address"].lower()
            if retimed:
                entry["status"] = response_status("none", None)
            elif address in previous:
                entry["status"] = previous[address]["status"]
        for address in old - new:
            target = self.tenant.find(address)
            event = self._copy_in(target, origin.ical_uid) if target else None
            if target is not None and event is not None:
                self._cancel_copy(target, event, now)
        fresh = [a for a in current if a["emailAddress"]["address"].lower() not in old]
        self._invite(origin, fresh, now)
        for target, event in self._copies(origin):
            if target.is_room:
                continue
            for key in SHARED_PROPERTIES:
                event.data[key] = copy.deepcopy(origin.data.get(key))
            for attendee in event.data["attendees"]:
                attendee["status"] = response_status("none", None)
            if retimed:
                event.data["responseStatus"] = response_status("notResponded", None)
                event.data["showAs"] = "tentative"
            touch(event.data, now)
            self.store.put(event)
        for entry in current:
            room = self.tenant.find(str(entry["emailAddress"]["address"]))
            if room is not None and room.is_room:
                self._book_room(origin, entry, room, now)

    def delete(self, box: Mailbox, event_id: str) -> None:
        """Delete an event; deleting an organizer's meeting cancels it for the attendees."""
        event = self.event(box, event_id)
        with self.store.batch():
            if event.is_organizer:
                now = self.clock()
                for target, copy_event in self._copies(event):
                    self._cancel_copy(target, copy_event, now)
            self.store.remove(event.id)

    def _cancel_copy(self, target: Mailbox, event: StoredEvent, now: datetime) -> None:
        if target.is_room:
            self.store.remove(event.id)
            return
        if not event.is_cancelled:
            event.data["isCancelled"] = True
            event.data["subject"] = CANCELLED_PREFIX + str(event.data.get("subject") or "")
            event.data["showAs"] = "free"
            touch(event.data, now)
            self.store.put(event)

    # --- meeting actions -----------------------------------------------------------------

    def cancel(self, box: Mailbox, event_id: str) -> None:
        """The organizer cancels: attendees' copies are marked cancelled, the event is removed."""
        event = self.event(box, event_id)
        if not event.is_organizer:
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. You need to be an organizer to cancel a meeting.",
            )
        self.delete(box, event_id)

    def respond(
        self,
        box: Mailbox,
        event_id: str,
        action: str,
        send_response: bool = True,
        comment: str = "",
        proposed_new_time: dict[str, Any] | None = None,
    ) -> None:
        """accept / tentativelyAccept / decline an invitation in ``box``'s calendar.

        With ``send_response`` the organizer's event records the answer and the organizer receives
        the reply mail (an eventMessageResponse with ``comment`` as its body, and ``proposed_new_time``).
        """
        event = self.event(box, event_id)
        if event.is_organizer:
            raise GraphError(
                400,
                "ErrorInvalidRequest",
                "Your request can't be completed. You can't respond to a meeting you organized.",
            )
        if event.is_cancelled:
            raise GraphError(
                400, "ErrorInvalidRequest", "Your request can't be completed. The meeting has been canceled."
            )
        response = RESPONSES[action]
        now = self.clock()
        origin = self.organizer_event(event)
        with self.store.batch():
            if response == "declined":
                self.store.remove(event.id)
            else:
                event.data["responseStatus"] = response_status(response, now)
                shown = origin.show_as if origin is not None else "busy"
                event.data["showAs"] = "tentative" if response == "tentativelyAccepted" else shown
                touch(event.data, now)
                self.store.put(event)
            if origin is not None and send_response:
                for entry in origin.data.get("attendees", []):
                    if str(entry["emailAddress"]["address"]).lower() == box.mail.lower():
                        entry["status"] = response_status(response, now)
                touch(origin.data, now)
                self.store.put(origin)
        if origin is not None and send_response:
            self._send_reply_mail(box, origin, response, comment, proposed_new_time)

    def _send_reply_mail(
        self, box: Mailbox, origin: StoredEvent, response: str, comment: str, proposed: dict[str, Any] | None
    ) -> None:
        organizer = self.tenant.find(origin.mailbox_id)
        if self.mail is None or organizer is None:
            return
        self.mail.deliver_response(
            organizer=organizer, responder=box, origin=origin, response=response, comment=comment,
            proposed_new_time=proposed,
        )
