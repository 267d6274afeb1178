"""Answers from Outlook: recording them, and the ways on when someone (or the room) declines.

:class:`StatusUpdater` follows the organizer's calendar (change notifications): it reads the event's
answers, records them, and has the near worker's status card shown again (the StatusCards port).
:class:`Answers` holds the rules: a decliner replaced by another member of the same role in the same
event, going on without them, another free room in the same event, going on without a room.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from domain.availability import free_during
from domain.convening import Answer, Booking, Convening, ConveningRequest, ConveningStatus, Person, Response
from domain.slots import Slot
from domain.team import Team
from domain.ways_on import decliner_substitutes
from services.booking import release_booked_time
from services.caller import Caller
from services.convenings import ConveningQueries
from services.errors import ServiceUnavailableError, StaleWriteError, UserFacingError
from services.invitation_text import event_draft
from services.ports import AnswerMail, Calendar, ConveningStore, SlotReservations, StatusCards
from services.proposing import FAMILY_SEATS
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Booked:
    """A booked convening with what its event was made of."""

    convening: Convening
    booking: Booking
    request: ConveningRequest
    team: Team


class Answers:
    """What the invitees' (and the room's) answers lead to, independent of Teams and Graph."""

    def __init__(self, *, teams: TeamRegistry, calendar: Calendar, store: ConveningStore,
                 reservations: SlotReservations | None = None) -> None:
        self._teams = teams
        self._calendar = calendar
        self._store = store
        self._reservations = reservations

    async def record_responses(self, convening_id: str, answers: dict[str, Response] | None) -> Convening | None:
        """Stores the answers read from Outlook; returns the convening when something changed.

        ``answers`` None means the event is gone (cancelled in Outlook). A write that meets a concurrent one
        (the same answers delivered to another instance) reads again: then there is usually nothing left to do.
        """
        while True:
            records = ConveningRecords(self._store)
            convening = await records.get(convening_id)
            if convening is None:
                return None
            updated = await self._answered(convening, answers)
            if updated is None:
                return None
            try:
                return await records.save(updated)
            except StaleWriteError:
                continue

    async def _answered(self, convening: Convening, answers: dict[str, Response] | None) -> Convening | None:
        """The convening with ``answers`` recorded, or None when they change nothing."""
        if answers is None:
            if convening.status is ConveningStatus.CANCELLED:
                return None
            await release_booked_time(self._reservations, convening)
            return replace(convening, status=ConveningStatus.CANCELLED)
        # A decliner's message is outside text: screened before it is kept or shown (domain.Response.screened).
        merged = {email: answer.screened(convening.response_of(email))
                  for email, answer in answers.items()
                  if any(p.email.lower() == email for p in convening.invitees)}
        booking = convening.booking
        room = answers.get(booking.room.lower()) if booking is not None and booking.room else None
        room_declined = booking is not None and (booking.room_declined or (
            room is not None and room.answer is Answer.DECLINED))
        if merged == convening.responses and (booking is None or room_declined == booking.room_declined):
            return None
        updated = convening.with_responses(merged)
        if booking is not None and room_declined != booking.room_declined:
            updated = replace(updated, booking=replace(booking, room_declined=room_declined))
        return updated

    async def substitute_decliner(self, convening_id: str, caller: Caller, person: int) -> Convening:
        """Invites another member with the decliner's role who is free at the booked time, into the same event."""
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if convening.booking is None or convening.request is None or not 0 <= person < len(convening.invitees):
            raise UserFacingError("convening.not_booked")
        decliner = convening.invitees[person]
        if convening.response_of(decliner.email).answer is not Answer.DECLINED or not decliner.role:
            raise UserFacingError("convening.not_declined")
        team = self._teams.team(convening.team_key)
        candidates = decliner_substitutes(team, convening, decliner)
        if not candidates:
            raise UserFacingError("convening.no_substitute")
        booking = convening.booking
        schedules = await self._calendar.schedules(convening.convener_id, [m.email for m in candidates],
                                                   booking.start, booking.end, team.timezone)
        free = next((m for m in candidates
                     if free_during(schedules.get(m.email.lower()), booking.start, booking.end,
                                    in_person=convening.request is not None and convening.request.venue.in_person)),
                    None)
        if free is None:
            raise UserFacingError("convening.no_free_substitute")
        invitees = tuple(Person(free.email, free.display_name, decliner.role) if i == person else p
                         for i, p in enumerate(convening.invitees))
        changed = replace(convening, invitees=invitees)
        slot = Slot(booking.start, booking.end, booking.room)
        await self._calendar.update_event(convening.convener_id, booking.event_id,
                                          event_draft(changed, convening.request, team, slot))
        responses = {k: v for k, v in convening.responses.items() if k != decliner.email.lower()}
        return await records.save_or_refuse(replace(changed, responses=responses))

    async def go_without(self, convening_id: str, caller: Caller, person: int) -> Convening:
        """The near worker goes on without a decliner (the offer is no longer shown)."""
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if not 0 <= person < len(convening.invitees):
            raise UserFacingError("input.invalid")
        email = convening.invitees[person].email.lower()
        return await records.save_or_refuse(
            replace(convening, going_without=tuple(dict.fromkeys((*convening.going_without, email)))))

    async def change_room(self, convening_id: str, caller: Caller) -> Convening:
        """The room declined: another free room that seats everyone, at the same time, in the same event."""
        records = ConveningRecords(self._store)
        booked = await self._booked(records, convening_id, caller)
        convening, booking, team = booked.convening, booked.booking, booked.team
        seats = 1 + len(convening.invitees) + FAMILY_SEATS
        rooms = [r.email for r in sorted(team.rooms, key=lambda r: (r.capacity, r.email))
                 if r.capacity >= seats and r.email.lower() != (booking.room or "").lower()
                 and (r.wheelchair_accessible or not (convening.request and convening.request.accessible_room))]
        schedules = await self._calendar.schedules(convening.convener_id, rooms, booking.start, booking.end,
                                                   team.timezone) if rooms else {}
        room = next((r for r in rooms if free_during(schedules.get(r.lower()), booking.start, booking.end)), None)
        if room is None:
            raise UserFacingError("booked.room_none_free")
        slot = Slot(booking.start, booking.end, room)
        updated_event = await self._calendar.update_event(convening.convener_id, booking.event_id,
                                                          event_draft(convening, booked.request, team, slot))
        return await records.save_or_refuse(replace(convening, booking=replace(
            booking, room=room, room_declined=updated_event.room_response == "declined")))

    async def go_without_room(self, convening_id: str, caller: Caller) -> Convening:
        """The room declined and the near worker goes on without one: the room leaves the event."""
        records = ConveningRecords(self._store)
        booked = await self._booked(records, convening_id, caller)
        convening, booking = booked.convening, booked.booking
        without_room = Slot(booking.start, booking.end, None)
        await self._calendar.update_event(convening.convener_id, booking.event_id,
                                          event_draft(convening, booked.request, booked.team, without_room))
        return await records.save_or_refuse(replace(convening, booking=replace(booking, room=None,
                                                                               room_declined=False)))

    async def remember_status_card(self, convening_id: str, activity_id: str | None) -> None:
        """Where the card showing the answers is, so it can be updated in place."""
        if not activity_id:
            return
        records = ConveningRecords(self._store)
        convening = await records.get(convening_id)
        if convening is not None and convening.status_activity_id != activity_id:
            await records.save(replace(convening, status_activity_id=activity_id))

    async def _booked(self, records: ConveningRecords, convening_id: str, caller: Caller) -> _Booked:
        """The caller's own booked convening; refused if not booked."""
        convening = await records.own(convening_id, caller)
        booking, request = convening.booking, convening.request
        if booking is None or request is None or convening.status is not ConveningStatus.BOOKED:
            raise UserFacingError("convening.not_booked")
        return _Booked(convening, booking, request, self._teams.team(convening.team_key))


class StatusUpdater:
    """Called for every verified change notification about an organizer's events."""

    def __init__(self, answers: Answers, convenings: ConveningQueries, calendar: Calendar, cards: StatusCards,
                 mail: AnswerMail | None = None) -> None:
        self._answers = answers
        self._convenings = convenings
        self._calendar = calendar
        self._cards = cards
        self._mail = mail

    async def on_change(self, organizer_id: str, event_id: str, change_type: str) -> None:
        """Reads the event's answers; when they changed, the near worker's card is updated in place."""
        convening = await self._convenings.by_event(organizer_id, event_id)
        if convening is None or convening.booking is None:
            return  # not an event the bot booked
        answers = None if change_type == "deleted" else await self._calendar.event_responses(organizer_id, event_id)
        if answers and any(a.answer is Answer.DECLINED for a in answers.values()):
            answers = await self._with_decline_messages(organizer_id, event_id, convening.created_at, answers)
        updated = await self._answers.record_responses(convening.id, answers)
        if updated is not None:
            await self.show(updated)

    async def on_missed(self, organizer_id: str) -> None:
        """Some notifications were lost: re-read every booked event of the organizer."""
        for convening in await self._convenings.booked_by(organizer_id):
            if convening.booking is not None:
                await self.on_change(organizer_id, convening.booking.event_id, "updated")

    async def show(self, convening: Convening) -> None:
        """Has the status card shown again (in place where it is); only a booked or cancelled convening has one."""
        if convening.status in (ConveningStatus.BOOKED, ConveningStatus.CANCELLED):
            await self._cards.show(convening)

    async def _with_decline_messages(self, organizer_id: str, event_id: str, since: datetime,
                                     answers: dict[str, Response]) -> dict[str, Response]:
        """A decline's message comes by mail to the organizer, not on the event: read it (never logged)."""
        if self._mail is None:
            return answers
        try:
            comments = await self._mail.answer_messages(organizer_id, event_id, since)
        except ServiceUnavailableError as err:
            # The card shows the decline without its message; the log names the failure, not the mail.
            log.error("decline messages failed type=%s status=%s", type(err).__name__, err.status)
            return answers
        return {email: replace(a, comment=comments.get(email, "")) if a.answer is Answer.DECLINED else a
                for email, a in answers.items()}
