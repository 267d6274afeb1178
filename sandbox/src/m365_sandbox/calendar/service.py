"""Calendar behaviour as Exchange shows it through Graph: meetings, copies, responses, rooms."""

from __future__ import annotations

import copy
import html
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from m365_sandbox.core.directory import Directory, outside_mailbox
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.transport import Transport

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
    """Where meeting mail goes (the mail area's ``MailService``): answers to the organizer, and invitations
    and cancellations to attendees of other organisations (their Inbox) or outside every tenant (the outbox)."""

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

    def deliver_meeting_message(
        self, *, kind: str, organizer: Mailbox, recipient: Mailbox, event: StoredEvent
    ) -> object:
        """Put a ``meetingRequest`` or ``meetingCancelled`` about ``event`` (the recipient's copy) into their Inbox."""

    def send_outside(self, *, kind: str, organizer: Mailbox, address: str, event: dict[str, Any]) -> object:
        """Put a meeting request or cancellation for an address outside every tenant into the outside outbox."""


def _not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


class CalendarService:
    """Reads and changes calendars, keeping organizer events and attendee copies consistent.

    With ``mail``, an answer sent to the organizer also arrives in the organizer's Inbox as a reply mail.
    ``directory`` (default: ``tenant`` alone) finds attendees in every tenant: those of other tenants get
    their copy and the invitation mail in their own mailbox, addresses outside every tenant the invitation
    in the outside outbox. ``transport`` carries what goes from one mailbox to another (now, or later).
    """

    def __init__(
        self,
        tenant: Tenant,
        store: CalendarStore,
        clock: Callable[[], datetime],
        mail: ReplyMail | None = None,
        *,
        directory: Directory | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.clock = clock
        self.mail = mail
        self.directory = directory or Directory.single(tenant)
        self.transport = transport or Transport()
        self._sequence = itertools.count()
        self._applied: dict[tuple[str, str], int] = {}  # (mailbox, iCalUId) -> newest delivery applied
        self._deferred: list[Callable[[], object]] | None = None

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """One calendar transaction; mail written meanwhile waits until it is committed (one writer at a time)."""
        outer = self._deferred is None
        if outer:
            self._deferred = []
        try:
            with self.store.batch():
                yield
        finally:
            deferred = self._deferred if outer else None
            if outer:
                self._deferred = None
        for action in deferred or []:
            action()

    def _after_commit(self, action: Callable[[], object]) -> None:
        if self._deferred is not None:
            self._deferred.append(action)
        else:
            action()

    def _fresh(self, box_id: str, ical_uid: str, sequence: int) -> bool:
        """Whether a delivery is newer than what the mailbox has applied of the meeting (else it is dropped)."""
        key = (box_id, ical_uid)
        if self._applied.get(key, -1) > sequence:
            return False
        self._applied[key] = sequence
        return True

    def _cross_tenant(self, organizer_id: str, target: Mailbox) -> bool:
        organizer = self.directory.find(organizer_id)
        home = self.directory.tenant_of(organizer) if organizer is not None else self.tenant
        return self.directory.tenant_of(target).tenant_id != home.tenant_id

    # --- lookups -------------------------------------------------------------------------

    def mailbox(self, key: str) -> Mailbox:
        """The mailbox (of any tenant) for a user id or address; 404 ``ErrorInvalidUser`` as Graph answers."""
        box = self.directory.find(key)
        return box if box is not None else self.tenant.mailbox(key)

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
        return [e for b in self.directory.mailboxes for e in self.store.events_of(b.id)]

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
        apply_input(data, body, self.directory.tenant_of(box), box, creating=True)
        if "start" not in body or "end" not in body:
            raise GraphError(400, "ErrorPropertyValidationFailure", "At least one property failed validation.")
        self._apply_online_meeting(data, box)
        event = StoredEvent.from_data(box.id, data)
        with self._batch():
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
        join_url = teams_join_url(self.directory.tenant_of(organizer), organizer)
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
            address = str(entry["emailAddress"]["address"])
            target = self.directory.find(address)
            if target is None:
                self._mail_outside(origin, address, "meetingRequest")
            elif target.id == origin.mailbox_id:
                continue
            elif target.is_room:
                self._book_room(origin, entry, target, now)
            else:
                self._send_copy(origin, target, retimed=False, fresh=True)

    # --- deliveries to attendees (through the transport: now, or later) -------------------

    def _send_copy(self, origin: StoredEvent, target: Mailbox, *, retimed: bool, fresh: bool) -> None:
        """Deliver the meeting request (new or updated) to a person: their copy, and the mail across tenants."""
        snapshot = copy.deepcopy(origin.data)
        sequence = next(self._sequence)
        label = f"meetingRequest {target.mail}"
        self.transport.send(label, lambda: self._receive_copy(origin.mailbox_id, snapshot, target, sequence,
                                                              retimed=retimed, fresh=fresh))

    def _receive_copy(
        self, organizer_id: str, snapshot: dict[str, Any], target: Mailbox, sequence: int, *, retimed: bool,
        fresh: bool,
    ) -> None:
        ical_uid = str(snapshot.get("iCalUId", ""))
        seen = (target.id, ical_uid) in self._applied
        if not self._fresh(target.id, ical_uid, sequence):
            return
        now = self.clock()
        existing = self._copy_in(target, ical_uid)
        if existing is None and not fresh and (seen or self.transport.config.synchronous):
            return  # they declined (their copy is gone): an update does not bring it back
        if existing is None or (fresh and existing.is_cancelled):
            event = self._place_copy(StoredEvent.from_data(organizer_id, snapshot), target, now)
        else:
            event = existing
            for key in SHARED_PROPERTIES:
                event.data[key] = copy.deepcopy(snapshot.get(key))
            for attendee in event.data["attendees"]:
                attendee["status"] = response_status("none", None)
            if retimed:
                event.data["responseStatus"] = response_status("notResponded", None)
                event.data["showAs"] = "tentative"
            touch(event.data, now)
            self.store.put(event)
        if self._cross_tenant(organizer_id, target):
            self._mail_member(organizer_id, target, event, "meetingRequest")

    def _send_cancel(self, origin: StoredEvent, target: Mailbox) -> None:
        """Deliver a cancellation to a person: their copy is marked cancelled (and mailed across tenants)."""
        sequence = next(self._sequence)
        organizer_id, ical_uid = origin.mailbox_id, origin.ical_uid
        self.transport.send(f"meetingCancelled {target.mail}",
                            lambda: self._receive_cancel(organizer_id, ical_uid, target, sequence))

    def _receive_cancel(self, organizer_id: str, ical_uid: str, target: Mailbox, sequence: int) -> None:
        if not self._fresh(target.id, ical_uid, sequence):
            return
        event = self._copy_in(target, ical_uid)
        if event is None:
            return
        self._cancel_copy(target, event, self.clock())
        if self._cross_tenant(organizer_id, target):
            self._mail_member(organizer_id, target, event, "meetingCancelled")

    def _mail_member(self, organizer_id: str, target: Mailbox, event: StoredEvent, kind: str) -> None:
        organizer = self.directory.find(organizer_id)
        mail = self.mail
        if mail is None or organizer is None:
            return
        self._after_commit(
            lambda: mail.deliver_meeting_message(kind=kind, organizer=organizer, recipient=target, event=event)
        )

    def _mail_outside(self, origin: StoredEvent, address: str, kind: str) -> None:
        """Mail an invitation (or cancellation) to an address outside every tenant: the outside outbox."""
        organizer = self.directory.find(origin.mailbox_id)
        mail = self.mail
        if mail is None or organizer is None or "@" not in address:
            return
        snapshot = copy.deepcopy(origin.data)
        self.transport.send(
            f"{kind} {address}",
            lambda: self._after_commit(
                lambda: mail.send_outside(kind=kind, organizer=organizer, address=address, event=snapshot)
            ),
        )

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
            target = self.directory.find(str(entry["emailAddress"]["address"]))
            if target is None or target.id == origin.mailbox_id:
                continue
            event = self._copy_in(target, origin.ical_uid)
            if event is not None:
                result.append((target, event))
        return result

    def organizer_event(self, event: StoredEvent) -> StoredEvent | None:
        """The organizer's own event of the meeting ``event`` belongs to (None when the organizer is external)."""
        address = str(event.data.get("organizer", {}).get("emailAddress", {}).get("address", ""))
        organizer = self.directory.find(address) if address else None
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
        changed = apply_input(data, body, self.directory.tenant_of(box), box, creating=False)
        if "isOnlineMeeting" in changed or "onlineMeetingProvider" in changed:
            self._apply_online_meeting(data, box)
        touch(data, now)
        event.data = data
        with self._batch():
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
        for address in sorted(old - new):
            self._cancel_for(origin, str(previous[address]["emailAddress"]["address"]), now)
        fresh = [a for a in current if a["emailAddress"]["address"].lower() not in old]
        self._invite(origin, fresh, now)
        for entry in current:
            address = str(entry["emailAddress"]["address"])
            if address.lower() not in old:
                continue
            target = self.directory.find(address)
            if target is None:
                self._mail_outside(origin, address, "meetingRequest")
            elif target.id != origin.mailbox_id and not target.is_room:
                self._send_copy(origin, target, retimed=retimed, fresh=False)
        for entry in current:
            room = self.directory.find(str(entry["emailAddress"]["address"]))
            if room is not None and room.is_room:
                self._book_room(origin, entry, room, now)

    def _cancel_for(self, origin: StoredEvent, address: str, now: datetime) -> None:
        """Tell one attendee that the meeting is off for them (a room's booking goes at once)."""
        target = self.directory.find(address)
        if target is None:
            self._mail_outside(origin, address, "meetingCancelled")
        elif target.id == origin.mailbox_id:
            return
        elif target.is_room:
            booking = self._copy_in(target, origin.ical_uid)
            if booking is not None:
                self._cancel_copy(target, booking, now)
        else:
            self._send_cancel(origin, target)

    def delete(self, box: Mailbox, event_id: str) -> None:
        """Delete an event; deleting an organizer's meeting cancels it for the attendees."""
        event = self.event(box, event_id)
        with self._batch():
            if event.is_organizer:
                now = self.clock()
                for entry in event.data.get("attendees", []):
                    self._cancel_for(event, str(entry["emailAddress"]["address"]), now)
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
        The organizer may be in another tenant: the answer travels there as any other.
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
        with self._batch():
            if response == "declined":
                self.store.remove(event.id)
            else:
                event.data["responseStatus"] = response_status(response, now)
                shown = origin.show_as if origin is not None else "busy"
                event.data["showAs"] = "tentative" if response == "tentativelyAccepted" else shown
                touch(event.data, now)
                self.store.put(event)
            if origin is not None and send_response:
                self._send_answer(origin, box, response, comment, proposed_new_time)

    def respond_outside(
        self, address: str, response: str, comment: str = "", *, event_id: str | None = None,
        ical_uid: str | None = None,
    ) -> StoredEvent:
        """An answer from an address outside every tenant (their mail system's reply) to the organizer's event.

        ``response`` is accepted, tentativelyAccepted or declined; the event is the organizer's (by id, or any
        copy's id, or by iCalUId). Returns the organizer's event.
        """
        if response not in RESPONSES.values():
            raise GraphError(
                400, "ErrorInvalidRequest", "The response must be accepted, tentativelyAccepted or declined."
            )
        found = self.store.get(event_id) if event_id else None
        origin = found if found is not None and found.is_organizer else None
        if found is not None and origin is None:
            origin = self.organizer_event(found)
        if origin is None and ical_uid:
            origin = next((e for e in self.store_all() if e.ical_uid == ical_uid and e.is_organizer), None)
        if origin is None:
            raise _not_found()
        entry = next(
            (a for a in origin.data.get("attendees", [])
             if str(a["emailAddress"]["address"]).lower() == address.strip().lower()),
            None,
        )
        if entry is None:
            raise GraphError(404, "ErrorItemNotFound", f"'{address}' is not an attendee of the meeting.")
        if self.directory.find(address) is not None:
            raise GraphError(
                400, "ErrorInvalidRequest", f"'{address}' has a mailbox in the sandbox: answer through Graph."
            )
        person = self.directory.outside_person(address)
        name = person.display_name if person else str(entry["emailAddress"].get("name") or address)
        responder = outside_mailbox(str(entry["emailAddress"]["address"]), name)
        self._send_answer(origin, responder, response, comment, None)
        return origin

    def _send_answer(
        self, origin: StoredEvent, responder: Mailbox, response: str, comment: str, proposed: dict[str, Any] | None
    ) -> None:
        sequence = next(self._sequence)
        origin_id = origin.id
        self.transport.send(
            f"{response} {responder.mail}",
            lambda: self._receive_answer(origin_id, responder, response, comment, proposed, sequence),
        )

    def _receive_answer(
        self, origin_id: str, responder: Mailbox, response: str, comment: str, proposed: dict[str, Any] | None,
        sequence: int,
    ) -> None:
        """The organizer's side of an answer: the attendee's status on the event, and the reply mail."""
        origin = self.store.get(origin_id)
        if origin is None:
            return
        now = self.clock()
        if self._fresh(origin.mailbox_id, f"{origin.ical_uid}/{responder.mail.lower()}", sequence):
            for entry in origin.data.get("attendees", []):
                if str(entry["emailAddress"]["address"]).lower() == responder.mail.lower():
                    entry["status"] = response_status(response, now)
            touch(origin.data, now)
            self.store.put(origin)
        organizer = self.directory.find(origin.mailbox_id)
        mail = self.mail
        if mail is None or organizer is None:
            return
        self._after_commit(lambda: mail.deliver_response(
            organizer=organizer, responder=responder, origin=origin, response=response, comment=comment,
            proposed_new_time=proposed,
        ))
