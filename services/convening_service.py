"""Use cases of convening: start, search for times, show more, book."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.convening import Booking, Convening, ConveningRequest, ConveningStatus, Person, Venue
from domain.slots import HolidayCheck, Slot, SlotQuery, SlotSearch, default_range, find_slots
from domain.team import Room, Team
from services.convening_form import ConveningForm, validate_form
from services.errors import UserFacingError
from services.invitation_text import event_body_html, event_location, event_subject
from services.ports import Calendar, ConveningStore, Directory, EventDraft, StaleWriteError

log = logging.getLogger(__name__)

PAGE = 5
#: getSchedule is asked for up to 20 schedules in one request; keep invitees within that.
MAX_INVITEES = 15
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


class ConveningService:
    """The convening journey, independent of Teams and Graph."""

    def __init__(self, *, teams: Mapping[str, Team], default_team: str, directory: Directory,
                 calendar: Calendar, store: ConveningStore, clock: Callable[[], datetime],
                 is_holiday: HolidayCheck, new_id: Callable[[], str] | None = None) -> None:
        self._teams = teams
        self._default_team = default_team
        self._directory = directory
        self._calendar = calendar
        self._store = store
        self._clock = clock
        self._is_holiday = is_holiday
        self._new_id = new_id or (lambda: uuid.uuid4().hex[:16])

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
        if convening.status in (ConveningStatus.BOOKING, ConveningStatus.BOOKED):
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
        latest = min(request.latest + timedelta(days=28), horizon_end, request.earliest + timedelta(days=61))
        if latest <= request.latest:
            raise UserFacingError("convening.cannot_widen")
        return await self._propose(convening, etag, replace(request, latest=latest), convening.invitees)

    async def substitute(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Replaces each invitee who had no free time with another member of the same role."""
        convening, etag, request = await self._proposing(convening_id, caller)
        team = self.team(convening.team_key)
        taken = {p.email.lower() for p in convening.invitees} | {convening.convener_email.lower()}
        taken |= set(convening.unavailable)
        invitees, changed = [], False
        for person in convening.invitees:
            if person.email.lower() in convening.unavailable and person.role:
                other = next((m for m in team.members_with_role(person.role) if m.email.lower() not in taken), None)
                if other is not None:
                    taken.add(other.email.lower())
                    invitees.append(Person(other.email, other.display_name, person.role))
                    changed = True
                    continue
            invitees.append(person)
        if not changed:
            raise UserFacingError("convening.no_substitute")
        return await self._propose(convening, etag, request, tuple(invitees))

    async def drop_unavailable(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Searches again without the invitees who had no free time."""
        convening, etag, request = await self._proposing(convening_id, caller)
        invitees = tuple(p for p in convening.invitees if p.email.lower() not in convening.unavailable)
        if not invitees:
            raise UserFacingError("convening.no_roles")
        roles = tuple(r for r in request.roles if any(p.role == r for p in invitees))
        return await self._propose(convening, etag, replace(request, roles=roles), invitees)

    async def _proposing(self, convening_id: str, caller: Caller) -> tuple[Convening, str, ConveningRequest]:
        convening, etag = await self.get_own(convening_id, caller)
        if convening.status is not ConveningStatus.PROPOSED or convening.request is None:
            raise UserFacingError("convening.not_proposing")
        return convening, etag, convening.request

    async def _propose(self, convening: Convening, etag: str, request: ConveningRequest,
                       invitees: tuple[Person, ...]) -> SearchOutcome:
        team = self.team(convening.team_key)
        search = await self._search(convening, request, team, invitees)
        unavailable = tuple(e.lower() for e in search.never_free)
        updated = convening.with_proposals(request, invitees, search.slots, min(PAGE, len(search.slots)),
                                           unavailable)
        await self._save(updated, etag)
        return SearchOutcome(updated, search)

    async def _resolve_network(self, text: str) -> tuple[Person, ...]:
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
            return convening
        if convening.request is None or not 0 <= slot_index < convening.shown:
            raise UserFacingError("convening.bad_slot")
        slot = convening.proposals[slot_index]
        if convening.status is ConveningStatus.BOOKING and convening.chosen not in (None, slot):
            # A different slot was already being booked: finish that one, not a second event.
            slot = convening.chosen or slot
        choosing = convening.choosing(slot)
        etag = await self._save(choosing, etag)
        team = self.team(convening.team_key)
        draft = self._draft(choosing, choosing.request or convening.request, team, slot)
        created = await self._calendar.create_event(convening.convener_id, draft)
        booking = Booking(event_id=created.id, start=slot.start, end=slot.end, room=slot.room,
                          join_url=created.join_url, room_declined=created.room_response == "declined")
        booked = choosing.booked(booking)
        await self._save(booked, etag)
        log.info("convening booked", extra={"convening": convening.id, "venue": draft.online})
        return booked

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
        return [s.convening for s in await self._store.due(self._clock())
                if s.convening.status is ConveningStatus.BOOKED and not s.convening.start_notified]

    async def mark_start_notified(self, convening_id: str) -> None:
        """Remembers that the start notice was sent."""
        stored = await self._store.get(convening_id)
        if stored is not None:
            await self._store.replace(replace(stored.convening, start_notified=True), stored.etag)

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
        tz = ZoneInfo(team.timezone)
        start = datetime(request.earliest.year, request.earliest.month, request.earliest.day, tzinfo=tz)
        end = datetime(request.latest.year, request.latest.month, request.latest.day, tzinfo=tz) + timedelta(days=1)
        schedules = await self._calendar.schedules(convening.convener_id, (*attendees, *rooms), start, end,
                                                   team.timezone)
        query = SlotQuery(practice=team.practice, timezone=team.timezone, earliest=request.earliest,
                          latest=request.latest, duration=request.duration,
                          attendees=tuple(a.lower() for a in attendees), rooms=tuple(r.lower() for r in rooms),
                          now=self._clock())
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
