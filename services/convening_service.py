"""Use cases of convening: start, search for times, show more, book."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.availability import Schedule
from domain.convening import Answer, Booking, Convening, ConveningRequest, ConveningStatus, Person, Response, Venue
from domain.sensitive_text import TextProblem, text_problem
from domain.slots import HolidayCheck, Slot, SlotQuery, SlotSearch, default_range, find_slots, search_window
from domain.team import Room, Team
from domain.ways_on import (
    WaysOn,
    decliner_substitutes,
    substitution,
    ways_on,
    widened_latest,
    without_unavailable,
)
from i18n.messages import t
from services.convening_form import ConveningForm, validate_form
from services.errors import UserFacingError
from services.invitation_text import event_body_html, event_location, event_subject
from services.ports import (
    Calendar,
    ConveningStore,
    Directory,
    EventDraft,
    NoStatistics,
    SlotReservations,
    StaleWriteError,
    StatisticsRecorder,
)

log = logging.getLogger(__name__)

PAGE = 5
#: How long before the meeting the near worker gets the "meeting starts" card.
START_NOTICE_AHEAD = timedelta(minutes=10)
#: An existing client's network named on the form, at most (with the convener and rooms, still few getSchedule
#: requests of 20 schedules each).
MAX_INVITEES = 15
#: How long proposals are trusted without asking Graph again at booking (the reservation index covers
#: the bot's own bookings meanwhile).
PROPOSALS_FRESH = timedelta(minutes=10)
#: People the family brings besides the invitees, when sizing a room.
FAMILY_SEATS = 3


@dataclass(frozen=True)
class Caller:
    """Who is acting, from the Teams activity (never from a card payload)."""

    user_id: str  # Entra object id (aadObjectId)
    name: str


@dataclass(frozen=True)
class SearchOutcome:
    """A convening after a search, and the search's reasons when nothing fits."""

    convening: Convening
    search: SlotSearch
    ways: WaysOn  # the ways on the no-time card may offer


class ConveningService:
    """The convening journey, independent of Teams and Graph."""

    def __init__(self, *, teams: Mapping[str, Team], default_team: str, directory: Directory,
                 calendar: Calendar, store: ConveningStore, clock: Callable[[], datetime],
                 is_holiday: HolidayCheck, new_id: Callable[[], str] | None = None,
                 reservations: SlotReservations | None = None, fresh_for: timedelta = PROPOSALS_FRESH,
                 statistics: StatisticsRecorder | None = None) -> None:
        self._teams = teams
        self._default_team = default_team
        self._directory = directory
        self._calendar = calendar
        self._store = store
        self._clock = clock
        self._is_holiday = is_holiday
        self._new_id = new_id or (lambda: uuid.uuid4().hex[:16])
        self._reservations = reservations
        self._fresh_for = fresh_for
        self._statistics: StatisticsRecorder = statistics or NoStatistics()

    @property
    def teams(self) -> Mapping[str, Team]:
        """The configured teams by key."""
        return self._teams

    def team(self, key: str | None = None) -> Team:
        """The team with ``key`` (default team when None)."""
        team = self._teams.get(key or self._default_team)
        if team is None:
            raise UserFacingError("convening.unknown_team")
        return team

    async def start(self, caller: Caller, lang: str = "fi") -> Convening:
        """A new draft convening for the caller, stored so the form card can refer to it."""
        me = await self._directory.person_by_id(caller.user_id)
        if me is None:
            raise UserFacingError("convening.not_in_directory")
        convening = Convening(id=self._new_id(), convener_id=caller.user_id, convener_email=me.email,
                              convener_name=me.display_name, team_key=self._default_team,
                              created_at=self._clock(), lang=lang)
        await self._store.add(convening)
        return convening

    async def get_own(self, convening_id: str, caller: Caller) -> tuple[Convening, str]:
        """The caller's convening; others' convenings look the same as missing ones."""
        stored = await self._store.get(convening_id)
        if stored is None or stored.convening.convener_id != caller.user_id:
            raise UserFacingError("convening.not_found")
        return stored.convening, stored.etag

    def default_dates(self, team: Team) -> tuple[datetime, datetime]:
        """Default earliest/latest dates for the form (as local midnight datetimes)."""
        first, last = default_range(team.practice, self._clock(), team.timezone)
        tz = ZoneInfo(team.timezone)
        return (datetime(first.year, first.month, first.day, tzinfo=tz),
                datetime(last.year, last.month, last.day, tzinfo=tz))

    async def search(self, convening_id: str, caller: Caller, form: ConveningForm,
                     network_text: str = "") -> SearchOutcome:
        """Validates the form, reads free/busy and proposes slots."""
        convening, etag = await self.get_own(convening_id, caller)
        if convening.booking is not None or convening.status is ConveningStatus.BOOKING:
            # A booked meeting is moved with "Siirrä", never booked again: that would be a second event.
            raise UserFacingError("convening.already_booked")
        team = self.team(form.team_key)
        if form.existing_client:
            form = replace(form, network=await self._resolve_network(network_text))
        first, last = default_range(team.practice, self._clock(), team.timezone)
        request = validate_form(form, team, first, last)
        invitees = self._invitees(request, team, convening)
        return await self._propose(replace(convening, team_key=team.key), etag, request, invitees)

    async def widen(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Searches again with the end date moved four weeks later (within the horizon)."""
        convening, etag, request = await self._proposing(convening_id, caller)
        team = self.team(convening.team_key)
        _, horizon_end = default_range(team.practice, self._clock(), team.timezone)
        latest = widened_latest(request, team.practice, horizon_end)
        if latest is None:
            raise UserFacingError("convening.cannot_widen")
        return await self._propose(convening, etag, replace(request, latest=latest), convening.invitees)

    async def substitute(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Replaces each invitee who had no free time with another member of the same role."""
        convening, etag, request = await self._proposing(convening_id, caller)
        invitees = substitution(self.team(convening.team_key), convening)
        if invitees is None:
            raise UserFacingError("convening.no_substitute")
        return await self._propose(convening, etag, request, invitees)

    async def drop_unavailable(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Searches again without the invitees who had no free time."""
        convening, etag, request = await self._proposing(convening_id, caller)
        invitees = without_unavailable(convening)
        if not invitees:
            raise UserFacingError("convening.no_invitees_left")
        roles = tuple(r for r in request.roles if any(p.role == r for p in invitees))
        return await self._propose(convening, etag, replace(request, roles=roles), invitees)

    async def _proposing(self, convening_id: str, caller: Caller) -> tuple[Convening, str, ConveningRequest]:
        convening, etag = await self.get_own(convening_id, caller)
        proposing = (ConveningStatus.PROPOSED, ConveningStatus.RESCHEDULING)
        if convening.status not in proposing or convening.request is None:
            raise UserFacingError("convening.not_proposing")
        return convening, etag, convening.request

    async def _propose(self, convening: Convening, etag: str, request: ConveningRequest,
                       invitees: tuple[Person, ...]) -> SearchOutcome:
        if not invitees:
            # Every way here (roles only the convener brings, a network of the convener alone) ends
            # the same: an invitation with nobody invited is refused, whatever the path.
            raise UserFacingError("convening.no_invitees")
        team = self.team(convening.team_key)
        search = await self._search(convening, request, team, invitees)
        unavailable = tuple(e.lower() for e in search.never_free)
        updated = replace(convening.with_proposals(request, invitees, search.slots, min(PAGE, len(search.slots)),
                                                   unavailable), proposed_at=self._clock())
        if convening.booking is not None:
            # Rescheduling: the proposals are for moving the existing event.
            updated = replace(updated, status=ConveningStatus.RESCHEDULING)
        await self._save(updated, etag)
        return SearchOutcome(updated, search, self.ways_on(updated))

    def ways_on(self, convening: Convening) -> WaysOn:
        """The ways on the no-time card may offer: only those the service can act on now."""
        team = self.team(convening.team_key)
        _, horizon_end = default_range(team.practice, self._clock(), team.timezone)
        return ways_on(convening, team, horizon_end)

    async def _resolve_network(self, text: str) -> tuple[Person, ...]:
        problem = text_problem(text)
        if problem in (TextProblem.IDENTITY_CODE, TextProblem.CONTROL_CHARS):
            # Names and e-mail addresses only: an identity code goes neither to the directory nor back to the chat.
            raise UserFacingError(f"network.{problem.value}")
        entries = [e.strip() for e in text.replace(";", ",").replace("\n", ",").split(",") if e.strip()]
        if len(entries) > MAX_INVITEES:
            raise UserFacingError("convening.network_too_many", max=str(MAX_INVITEES))
        people: list[Person] = []
        for entry in entries:
            if len(entry) > 120:
                raise UserFacingError("convening.network_not_found", entry=entry[:40])
            found = await self._directory.find_people(entry, limit=2)
            exact = [p for p in found if p.email.lower() == entry.lower()]
            if exact:
                found = exact[:1]
            if not found:
                raise UserFacingError("convening.network_not_found", entry=entry)
            if len(found) > 1:
                raise UserFacingError("convening.network_ambiguous", entry=entry)
            if all(p.email.lower() != found[0].email.lower() for p in people):
                people.append(found[0])
        return tuple(people)

    async def show_more(self, convening_id: str, caller: Caller) -> Convening:
        """Shows the next page of proposals."""
        convening, etag = await self.get_own(convening_id, caller)
        if convening.status is not ConveningStatus.PROPOSED:
            raise UserFacingError("convening.not_proposing")
        shown = min(len(convening.proposals), convening.shown + PAGE)
        updated = replace(convening, shown=shown)
        await self._save(updated, etag)
        return updated

    async def book(self, convening_id: str, caller: Caller, slot_index: int) -> Convening:
        """Books proposal ``slot_index``: the Outlook event with room and/or Teams link.

        Idempotent: a repeated click (or a retry after a failure) reuses the
        convening's transactionId, so Graph never creates a second event.
        """
        convening, etag = await self.get_own(convening_id, caller)
        if convening.status is ConveningStatus.BOOKED:
            await self._statistics.convened(convening)  # counted once: a retry after a crash still counts it
            return convening
        if convening.status is ConveningStatus.CANCELLED:
            raise UserFacingError("convening.cancelled")
        if convening.request is None or not 0 <= slot_index < convening.shown:
            raise UserFacingError("convening.bad_slot")
        slot = convening.proposals[slot_index]
        if convening.status is ConveningStatus.RESCHEDULING and convening.booking is not None:
            await self._still_free(replace(convening, invitees=tuple(
                p for p in convening.invitees if p.email.lower() not in convening.going_without)), slot)
            return await self._move(convening, etag, slot)
        if convening.status is ConveningStatus.BOOKING and convening.chosen not in (None, slot):
            # A different slot was already being booked: finish that one, not a second event.
            slot = convening.chosen or slot
        if convening.status is not ConveningStatus.BOOKING:
            await self._still_free(convening, slot)
        choosing = convening.choosing(slot)
        etag = await self._save(choosing, etag)
        team = self.team(convening.team_key)
        draft = self._draft(choosing, choosing.request or convening.request, team, slot)
        created = await self._calendar.create_event(convening.convener_id, draft)
        booking = Booking(event_id=created.id, start=slot.start, end=slot.end, room=slot.room,
                          join_url=created.join_url, room_declined=created.room_response == "declined")
        booked = choosing.booked(booking)
        await self._save(booked, etag)
        await self._statistics.convened(booked)
        log.info("convening booked", extra={"convening": convening.id, "venue": draft.online})
        return booked

    async def _still_free(self, convening: Convening, slot: Slot) -> None:
        """Proposals age: another convening (or someone in Outlook) may have taken the time meanwhile.

        The bot's own bookings are in the reservation index (no Graph call): reserving the slot for
        everyone fails if another convening holds any of them then, so two bookings never land on the
        same people. Proposals older than the freshness window are also checked with one getSchedule
        over just this slot (bookings made in Outlook since)."""
        team = self.team(convening.team_key)
        people = [convening.convener_email, *(p.email for p in convening.invitees)]
        addresses = [*people, *([slot.room] if slot.room else [])]
        proposed_at = convening.proposed_at
        fresh = (self._reservations is not None and proposed_at is not None
                 and self._clock() - proposed_at <= self._fresh_for)
        if not fresh:
            schedules = await self._calendar.schedules(convening.convener_id, addresses, slot.start, slot.end,
                                                       team.timezone)
            if not all(_free(schedules.get(a.lower()), slot.start, slot.end) for a in addresses):
                raise UserFacingError("convening.slot_taken")
        if self._reservations is not None and not await self._reservations.reserve(
                convening.id, addresses, slot.start, slot.end):
            raise UserFacingError("convening.slot_taken")

    async def _move(self, convening: Convening, etag: str, slot: Slot) -> Convening:
        """Moves the booked event to ``slot``: the same event, updated (Outlook sends the update)."""
        assert convening.booking is not None and convening.request is not None
        team = self.team(convening.team_key)
        draft = self._draft(convening, convening.request, team, slot)
        updated = await self._calendar.update_event(convening.convener_id, convening.booking.event_id, draft)
        booking = replace(convening.booking, start=slot.start, end=slot.end, room=slot.room,
                          room_declined=updated.room_response == "declined")
        old = convening.booking
        if self._reservations is not None and (old.start, old.end) != (slot.start, slot.end):
            await self._reservations.release(convening.id, old.start, old.end)
        # A new time asks everyone again: Outlook resets the answers.
        moved = replace(convening.booked(booking), responses={}, start_notified=False, reminded=False,
                        chosen=slot, proposals=(), shown=0)
        await self._save(moved, etag)
        return moved

    async def reschedule(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """New times for everyone still coming (the booked event will be moved, not duplicated)."""
        convening, etag = await self.get_own(convening_id, caller)
        if convening.status not in (ConveningStatus.BOOKED, ConveningStatus.RESCHEDULING) or convening.request is None:
            raise UserFacingError("convening.not_booked")
        invitees = tuple(p for p in convening.invitees if p.email.lower() not in convening.going_without)
        if not invitees:
            raise UserFacingError("convening.reschedule_nobody")
        return await self._propose(convening, etag, convening.request, invitees)

    async def cancel(self, convening_id: str, caller: Caller, comment: str) -> Convening:
        """Cancels the Outlook event with a short message to the invitees."""
        convening, etag = await self.get_own(convening_id, caller)
        if convening.status is ConveningStatus.CANCELLED:
            return convening
        if convening.booking is None:
            raise UserFacingError("convening.not_booked")
        problem = text_problem(comment, max_length=300)
        if problem is not None:
            raise UserFacingError(f"cancel.{problem.value}")
        await self._calendar.cancel_event(convening.convener_id, convening.booking.event_id,
                                          comment.strip() or t("cancel.default_message", convening.lang))
        # The time is free again as soon as Outlook has cancelled it; before saving, because Outlook's change
        # notification may mark the convening cancelled first (then the save below is refused).
        await self._release(convening)
        cancelled = replace(convening, status=ConveningStatus.CANCELLED)
        await self._save(cancelled, etag)
        return cancelled

    async def _release(self, convening: Convening) -> None:
        """Gives the booked time's reservation back (a cancelled meeting)."""
        if self._reservations is not None and convening.booking is not None:
            await self._reservations.release(convening.id, convening.booking.start, convening.booking.end)

    async def substitute_decliner(self, convening_id: str, caller: Caller, person: int) -> Convening:
        """Invites another member with the decliner's role who is free at the booked time, into the same event."""
        convening, etag = await self.get_own(convening_id, caller)
        if convening.booking is None or convening.request is None or not 0 <= person < len(convening.invitees):
            raise UserFacingError("convening.not_booked")
        decliner = convening.invitees[person]
        if convening.response_of(decliner.email).answer is not Answer.DECLINED or not decliner.role:
            raise UserFacingError("convening.not_declined")
        team = self.team(convening.team_key)
        candidates = decliner_substitutes(team, convening, decliner)
        if not candidates:
            raise UserFacingError("convening.no_substitute")
        booking = convening.booking
        schedules = await self._calendar.schedules(convening.convener_id, [m.email for m in candidates],
                                                   booking.start, booking.end, team.timezone)
        free = next((m for m in candidates if _free(schedules.get(m.email.lower()), booking.start, booking.end)),
                    None)
        if free is None:
            raise UserFacingError("convening.no_free_substitute")
        invitees = tuple(Person(free.email, free.display_name, decliner.role) if i == person else p
                         for i, p in enumerate(convening.invitees))
        changed = replace(convening, invitees=invitees)
        slot = Slot(booking.start, booking.end, booking.room)
        await self._calendar.update_event(convening.convener_id, booking.event_id,
                                          self._draft(changed, convening.request, team, slot))
        responses = {k: v for k, v in convening.responses.items() if k != decliner.email.lower()}
        updated = replace(changed, responses=responses)
        await self._save(updated, etag)
        return updated

    async def go_without(self, convening_id: str, caller: Caller, person: int) -> Convening:
        """The near worker goes on without a decliner (the offer is no longer shown)."""
        convening, etag = await self.get_own(convening_id, caller)
        if not 0 <= person < len(convening.invitees):
            raise UserFacingError("input.invalid")
        email = convening.invitees[person].email.lower()
        updated = replace(convening, going_without=tuple(dict.fromkeys((*convening.going_without, email))))
        await self._save(updated, etag)
        return updated

    async def _booked(self, convening_id: str, caller: Caller
                      ) -> tuple[Convening, str, Booking, ConveningRequest, Team]:
        """The caller's own booked convening with its booking, request and team; refused if not booked."""
        convening, etag = await self.get_own(convening_id, caller)
        booking, request = convening.booking, convening.request
        if booking is None or request is None or convening.status is not ConveningStatus.BOOKED:
            raise UserFacingError("convening.not_booked")
        return convening, etag, booking, request, self.team(convening.team_key)

    async def change_room(self, convening_id: str, caller: Caller) -> Convening:
        """The room declined: another free room that seats everyone, at the same time, in the same event."""
        convening, etag, booking, request, team = await self._booked(convening_id, caller)
        seats = 1 + len(convening.invitees) + FAMILY_SEATS
        rooms = [r.email for r in sorted(team.rooms, key=lambda r: (r.capacity, r.email))
                 if r.capacity >= seats and r.email.lower() != (booking.room or "").lower()]
        schedules = await self._calendar.schedules(convening.convener_id, rooms, booking.start, booking.end,
                                                   team.timezone) if rooms else {}
        room = next((r for r in rooms if _free(schedules.get(r.lower()), booking.start, booking.end)), None)
        if room is None:
            raise UserFacingError("booked.room_none_free")
        slot = Slot(booking.start, booking.end, room)
        updated_event = await self._calendar.update_event(convening.convener_id, booking.event_id,
                                                          self._draft(convening, request, team, slot))
        updated = replace(convening, booking=replace(booking, room=room,
                                                     room_declined=updated_event.room_response == "declined"))
        await self._save(updated, etag)
        return updated

    async def go_without_room(self, convening_id: str, caller: Caller) -> Convening:
        """The room declined and the near worker goes on without one: the room leaves the event."""
        convening, etag, booking, request, team = await self._booked(convening_id, caller)
        await self._calendar.update_event(convening.convener_id, booking.event_id,
                                          self._draft(convening, request, team, Slot(booking.start, booking.end, None)))
        updated = replace(convening, booking=replace(booking, room=None, room_declined=False))
        await self._save(updated, etag)
        return updated

    async def remember_status_card(self, convening_id: str, activity_id: str | None) -> None:
        """Where the card showing the answers is, so it can be updated in place."""
        if not activity_id:
            return
        stored = await self._store.get(convening_id)
        if stored is not None and stored.convening.status_activity_id != activity_id:
            await self._store.replace(replace(stored.convening, status_activity_id=activity_id), stored.etag)

    async def booked_by(self, organizer_id: str) -> list[Convening]:
        """The organizer's booked (or being moved) convenings."""
        return [c for c in await self._store.by_convener(organizer_id) if c.booking is not None
                and c.status in (ConveningStatus.BOOKED, ConveningStatus.RESCHEDULING)]

    async def by_event(self, organizer_id: str, event_id: str) -> Convening | None:
        """The organizer's convening whose event this is."""
        for convening in await self._store.by_convener(organizer_id):
            if convening.booking is not None and convening.booking.event_id == event_id:
                return convening
        return None

    async def record_responses(self, convening_id: str, answers: dict[str, Response] | None) -> Convening | None:
        """Stores the answers read from Outlook; returns the convening when something changed.

        ``answers`` None means the event is gone (cancelled in Outlook).
        """
        stored = await self._store.get(convening_id)
        if stored is None:
            return None
        convening = stored.convening
        if answers is None:
            if convening.status is ConveningStatus.CANCELLED:
                return None
            await self._release(convening)
            updated = replace(convening, status=ConveningStatus.CANCELLED)
        else:
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
        try:
            await self._store.replace(updated, stored.etag)
        except StaleWriteError:
            return await self.record_responses(convening_id, answers)
        return updated

    async def due_reminders(self, ahead: timedelta) -> list[Convening]:
        """Booked convenings starting within ``ahead`` whose near worker was not reminded yet."""
        now = self._clock()
        return [s.convening for s in await self._store.due(now + ahead)
                if s.convening.status is ConveningStatus.BOOKED and not s.convening.reminded
                and s.convening.booking is not None and now <= s.convening.booking.start <= now + ahead]

    async def mark_reminded(self, convening_id: str, *, done: bool = True) -> bool:
        """Claims the day-before reminder (True: this caller sends it). ``done=False`` gives it back."""
        return await self._claim(convening_id, lambda c: c.reminded == done, lambda c: replace(c, reminded=done))

    async def _claim(self, convening_id: str, already: Callable[[Convening], bool],
                     change: Callable[[Convening], Convening]) -> bool:
        """Sets a bookkeeping flag if it is not set yet; with several instances exactly one wins (eTags)."""
        stored = await self._store.get(convening_id)
        if stored is None or already(stored.convening):
            return False
        try:
            await self._store.replace(change(stored.convening), stored.etag)
        except StaleWriteError:
            return False
        return True

    async def start_followup(self, previous_id: str, caller: Caller) -> Convening:
        """A new draft for the same family, prefilled from the earlier convening (consent asked again)."""
        previous, _ = await self.get_own(previous_id, caller)
        if previous.request is None:
            raise UserFacingError("convening.not_found")
        team = self.team(previous.team_key)
        first, last = default_range(team.practice, self._clock(), team.timezone)
        request = replace(previous.request, consent=False, earliest=first, latest=last)
        convening = Convening(id=self._new_id(), convener_id=caller.user_id, convener_email=previous.convener_email,
                              convener_name=previous.convener_name, team_key=team.key, created_at=self._clock(),
                              lang=previous.lang, request=request, followup_of=previous.id)
        await self._store.add(convening)
        return convening

    async def due_start_notices(self) -> list[Convening]:
        """Booked convenings whose meeting starts soon and whose near worker was not told yet."""
        now = self._clock()
        return [s.convening for s in await self._store.due(now)
                if s.convening.status is ConveningStatus.BOOKED and not s.convening.start_notified
                and s.convening.booking is not None and s.convening.booking.start - START_NOTICE_AHEAD <= now]

    async def mark_start_notified(self, convening_id: str, *, done: bool = True) -> bool:
        """Claims the start notice (True: this caller sends it). ``done=False`` gives it back."""
        return await self._claim(convening_id, lambda c: c.start_notified == done,
                                 lambda c: replace(c, start_notified=done))

    async def purge_stale(self, retention: timedelta) -> int:
        """Deletes convenings past their keeping time (never booked, cancelled, or over for ``retention``)."""
        now = self._clock()
        purged = 0
        for stored in await self._store.due(now):
            c = stored.convening
            over = c.booking is not None and c.booking.end + retention < now
            if c.status is not ConveningStatus.BOOKED or over:
                await self._store.delete(c.id)
                purged += 1
        return purged

    async def forget(self, convening_id: str) -> None:
        """Deletes the convening (retention)."""
        await self._store.delete(convening_id)

    async def mine(self, caller: Caller) -> list[Convening]:
        """The caller's convenings, newest first."""
        return await self._store.by_convener(caller.user_id)

    def room(self, team_key: str, email: str | None) -> Room | None:
        """The team's room with this address."""
        if email is None:
            return None
        team = self.team(team_key)
        return next((r for r in team.rooms if r.email.lower() == email.lower()), None)

    def _invitees(self, request: ConveningRequest, team: Team, convening: Convening) -> tuple[Person, ...]:
        if request.existing_client:
            return tuple(p for p in request.network if p.email.lower() != convening.convener_email.lower())
        people: list[Person] = []
        for key in request.roles:
            members = [m for m in team.members_with_role(key)
                       if m.email.lower() != convening.convener_email.lower()]
            if not members:
                continue  # the convener brings this expertise themself
            member = members[0]
            if all(p.email != member.email for p in people):
                people.append(Person(member.email, member.display_name, key))
        return tuple(people)

    async def _search(self, convening: Convening, request: ConveningRequest, team: Team,
                      invitees: tuple[Person, ...]) -> SlotSearch:
        attendees = (convening.convener_email, *(p.email for p in invitees))
        seats = len(attendees) + FAMILY_SEATS
        rooms = tuple(r.email for r in sorted(team.rooms, key=lambda r: (r.capacity, r.email))
                      if r.capacity >= seats) if request.venue.needs_room else ()
        if request.venue.needs_room and not rooms:
            raise UserFacingError("convening.no_room_big_enough", seats=str(seats))
        query = SlotQuery(practice=team.practice, timezone=team.timezone, earliest=request.earliest,
                          latest=request.latest, duration=request.duration,
                          attendees=tuple(a.lower() for a in attendees), rooms=tuple(r.lower() for r in rooms),
                          now=self._clock())
        window = search_window(query, self._is_holiday)
        if window is None:
            return find_slots(query, {}, self._is_holiday)  # no practice time in the period: Graph is not asked
        schedules = await self._calendar.schedules(convening.convener_id, (*attendees, *rooms), *window,
                                                   team.timezone)
        return find_slots(query, schedules, self._is_holiday)

    def _draft(self, convening: Convening, request: ConveningRequest, team: Team, slot: Slot) -> EventDraft:
        room = self.room(team.key, slot.room)
        return EventDraft(
            subject=event_subject(convening.lang),
            body_html=event_body_html(convening, request, slot, room, convening.lang,
                                      {r.key: r.name(convening.lang) for r in team.roles}),
            start=slot.start, end=slot.end, timezone=team.timezone,
            attendees=convening.invitees,
            room_email=room.email if room else None,
            room_name=room.display_name if room else None,
            location=event_location(request, room, convening.lang),
            online=request.venue.online,
            transaction_id=convening.transaction_id(),
        )

    async def _save(self, convening: Convening, etag: str) -> str:
        try:
            return await self._store.replace(convening, etag)
        except StaleWriteError as err:
            raise UserFacingError("convening.changed_meanwhile") from err


__all__ = ["Caller", "ConveningService", "SearchOutcome", "Venue"]


def _free(schedule: Schedule | None, start: datetime, end: datetime) -> bool:
    """Whether nothing blocking overlaps [start, end) in ``schedule``."""
    if schedule is None or schedule.error:
        return False
    return not any(i.status.blocks and i.start < end and start < i.end for i in schedule.intervals)
