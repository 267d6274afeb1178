"""FakeCalendar: Outlook calendars in memory — people's busy times, the events the bot creates, the answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.availability import BusyInterval, BusyStatus, Schedule, free_during
from domain.convening import Answer, Response
from services.errors import ServiceUnavailableError
from services.ports import CreatedEvent, EventDraft


@dataclass
class FakeEvent:
    """One event in an organizer's calendar, as Outlook holds it."""

    id: str
    organizer: str  # the organizer's user id
    draft: EventDraft  # as created or last updated
    responses: dict[str, Response] = field(default_factory=dict)  # attendee address → answer
    cancelled: bool = False
    cancel_message: str = ""
    room_response: str | None = None

    @property
    def attendees(self) -> tuple[str, ...]:
        """The invitees' addresses (lower case), the room's included."""
        people = tuple(p.email.lower() for p in self.draft.attendees)
        return (*people, self.draft.room_email.lower()) if self.draft.room_email else people


@dataclass
class FakeCalendar:
    """Free/busy and events. ``busy`` holds times blocked outside the bot; the bot's own events block their
    organizer, attendees and room too (rooms accept when free, as Exchange's resource booking does)."""

    organizer_emails: dict[str, str] = field(default_factory=dict)  # user id → address (whose calendar)
    busy: dict[str, list[BusyInterval]] = field(default_factory=dict)
    events: dict[str, FakeEvent] = field(default_factory=dict)
    unknown_mailboxes: set[str] = field(default_factory=set)  # getSchedule answers with an error for these
    failures: list[ServiceUnavailableError] = field(default_factory=list)  # raised by the next calls, in turn

    # --- arranging --------------------------------------------------------------------------------------

    def block(self, address: str, start: datetime, end: datetime, status: BusyStatus = BusyStatus.BUSY) -> None:
        """Someone (or a room) is taken at [start, end) by something the bot did not book."""
        self.busy.setdefault(address.lower(), []).append(BusyInterval(start, end, status))

    def answer(self, event_id: str, address: str, answer: Answer) -> None:
        """An invitee (or the room) answers the invitation in Outlook."""
        self.events[event_id].responses[address.lower()] = Response(answer)

    # --- reading back -----------------------------------------------------------------------------------

    def live_events(self) -> list[FakeEvent]:
        """Events not cancelled, in creation order."""
        return [e for e in self.events.values() if not e.cancelled]

    def events_of(self, address: str) -> list[FakeEvent]:
        """Live events the address organizes or is invited to."""
        low = address.lower()
        return [e for e in self.live_events()
                if low in e.attendees or self.organizer_emails.get(e.organizer, "").lower() == low]

    # --- the port ---------------------------------------------------------------------------------------

    async def schedules(self, organizer_id: str, addresses: Sequence[str], start: datetime,
                        end: datetime, timezone: str) -> Mapping[str, Schedule]:
        """Free/busy keyed by lower-case address (an error for an unknown mailbox)."""
        self._maybe_fail()
        result: dict[str, Schedule] = {}
        for address in addresses:
            low = address.lower()
            if low in self.unknown_mailboxes:
                result[low] = Schedule(low, (), error="ErrorMailboxNotFound")
                continue
            intervals = [i for i in self._blocked(low) if i.start < end and start < i.end]
            result[low] = Schedule(low, tuple(sorted(intervals, key=lambda i: i.start)))
        return result

    async def create_event(self, organizer_id: str, draft: EventDraft) -> CreatedEvent:
        """Creates the event; the same transaction id gives back the same event (Graph's idempotency)."""
        self._maybe_fail()
        for event in self.events.values():
            if event.organizer == organizer_id and event.draft.transaction_id == draft.transaction_id:
                return self._created(event)
        event = FakeEvent(f"event-{len(self.events) + 1}", organizer_id, draft)
        event.room_response = self._room_answer(draft, event.id)
        self.events[event.id] = event
        return self._created(event)

    async def event_responses(self, organizer_id: str, event_id: str) -> dict[str, Response] | None:
        """Each attendee's answer (None when the event is gone)."""
        self._maybe_fail()
        event = self.events.get(event_id)
        if event is None or event.cancelled or event.organizer != organizer_id:
            return None
        answers = {a: Response() for a in event.attendees}
        if event.room_response and event.draft.room_email:
            answers[event.draft.room_email.lower()] = Response(Answer(event.room_response))
        return {**answers, **event.responses}

    async def update_event(self, organizer_id: str, event_id: str, draft: EventDraft) -> CreatedEvent:
        """The same event with a new time, place, attendees or body."""
        self._maybe_fail()
        event = self.events[event_id]
        moved = (event.draft.start, event.draft.end) != (draft.start, draft.end)
        kept = {p.email.lower() for p in draft.attendees}
        # A new time asks everyone again; someone no longer invited has no answer to keep.
        event.responses = {} if moved else {a: r for a, r in event.responses.items() if a in kept}
        event.draft = draft
        event.room_response = self._room_answer(draft, event.id)
        return self._created(event)

    async def cancel_event(self, organizer_id: str, event_id: str, comment: str) -> None:
        """Cancels the event with a message to the invitees."""
        self._maybe_fail()
        event = self.events[event_id]
        event.cancelled, event.cancel_message = True, comment

    # --- internals --------------------------------------------------------------------------------------

    def _blocked(self, address: str) -> list[BusyInterval]:
        own = [BusyInterval(e.draft.start, e.draft.end, BusyStatus.BUSY) for e in self.events_of(address)]
        return [*self.busy.get(address, []), *own]

    def _room_answer(self, draft: EventDraft, event_id: str) -> str | None:
        if not draft.room_email:
            return None
        room = draft.room_email.lower()
        others = [i for i in self.busy.get(room, [])] + [
            BusyInterval(e.draft.start, e.draft.end, BusyStatus.BUSY) for e in self.events_of(room) if e.id != event_id]
        return "accepted" if free_during(Schedule(room, tuple(others)), draft.start, draft.end) else "declined"

    def _created(self, event: FakeEvent) -> CreatedEvent:
        join = f"https://teams.example/l/meetup-join/19%3ameeting_{event.id}%40thread.v2/0" if event.draft.online \
            else None
        return CreatedEvent(event.id, join, event.room_response)

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

