"""Proposing times: a new convening (or a follow-up), the search over everyone's free/busy, the ways on
when nothing fits (widen, substitute, leave the busy ones out) and the next page of proposals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.availability import free_during
from domain.convening import Convening, ConveningRequest, ConveningStatus, Person
from domain.sensitive_text import TextProblem, text_problem
from domain.slots import HolidayCheck, Slot, SlotQuery, SlotSearch, default_range, find_slots, search_window
from domain.team import Team
from domain.ways_on import WaysOn, substitution, ways_on, widened_latest, without_unavailable
from services.availability import AvailabilityReader, Knowledge
from services.caller import Caller
from services.convening_form import ConveningForm, outside_address, validate_form
from services.errors import UserFacingError, refusals_carry
from services.ports import Calendar, ConveningStore, Directory
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords

#: Proposals shown at a time ("Näytä lisää" shows the next ones).
PAGE = 5
#: An existing client's network named on the form, at most (with the convener and rooms, still few getSchedule
#: requests of 20 schedules each).
MAX_INVITEES = 15
#: People the family brings besides the invitees, when sizing a room.
FAMILY_SEATS = 3


@dataclass(frozen=True)
class SearchOutcome:
    """A convening after a search, and the search's reasons when nothing fits."""

    convening: Convening
    search: SlotSearch
    ways: WaysOn  # the ways on the no-time card may offer


class Proposing:
    """From the convening form to proposed times, independent of Teams and Graph."""

    def __init__(self, *, teams: TeamRegistry, directory: Directory, calendar: Calendar, store: ConveningStore,
                 clock: Callable[[], datetime], is_holiday: HolidayCheck,
                 new_id: Callable[[], str] | None = None, availability: AvailabilityReader | None = None) -> None:
        """``availability`` reads free/busy across organisations (default: ``calendar``, our tenant only)."""
        self._teams = teams
        self._directory = directory
        self._availability = availability or AvailabilityReader(calendar)
        self._store = store
        self._clock = clock
        self._is_holiday = is_holiday
        self._new_id = new_id or (lambda: uuid.uuid4().hex[:16])

    async def start(self, caller: Caller, lang: str = "fi") -> Convening:
        """A new draft convening for the caller, stored so the form card can refer to it."""
        me = await self._directory.person_by_id(caller.user_id)
        if me is None:
            raise UserFacingError("convening.not_in_directory")
        convening = Convening(id=self._new_id(), convener_id=caller.user_id, convener_email=me.email,
                              convener_name=me.display_name, team_key=self._teams.default_key,
                              created_at=self._clock(), lang=lang)
        return await ConveningRecords(self._store).add(convening)

    async def start_followup(self, previous_id: str, caller: Caller) -> Convening:
        """A new draft for the same family, prefilled from the earlier convening (consent asked again)."""
        previous = await ConveningRecords(self._store).own(previous_id, caller)
        if previous.request is None:
            raise UserFacingError("convening.not_found")
        team = self._teams.team(previous.team_key)
        first, last = default_range(team.practice, self._clock(), team.timezone)
        request = replace(previous.request, consent=False, earliest=first, latest=last)
        convening = Convening(id=self._new_id(), convener_id=caller.user_id, convener_email=previous.convener_email,
                              convener_name=previous.convener_name, team_key=team.key, created_at=self._clock(),
                              lang=previous.lang, request=request, followup_of=previous.id)
        return await ConveningRecords(self._store).add(convening)

    def default_dates(self, team: Team) -> tuple[datetime, datetime]:
        """Default earliest/latest dates for the form (as local midnight datetimes)."""
        first, last = default_range(team.practice, self._clock(), team.timezone)
        tz = ZoneInfo(team.timezone)
        return (datetime(first.year, first.month, first.day, tzinfo=tz),
                datetime(last.year, last.month, last.day, tzinfo=tz))

    async def search(self, convening_id: str, caller: Caller, form: ConveningForm,
                     network_text: str = "") -> SearchOutcome:
        """Validates the form, reads free/busy and proposes slots.

        A refusal after the convening was read (the form's first problem, a busy room, a changed record)
        is a ConveningRefusedError carrying it, so the form can be shown again with the worker's values.
        """
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        with refusals_carry(convening):
            if convening.booking is not None or convening.status is ConveningStatus.BOOKING:
                # A booked meeting is moved with "Siirrä", never booked again: that would be a second event.
                raise UserFacingError("convening.already_booked")
            team = self._teams.team(form.team_key)
            if form.existing_client:
                form = replace(form, network=await self._resolve_network(network_text, team))
            first, last = default_range(team.practice, self._clock(), team.timezone)
            request = validate_form(form, team, first, last)
            invitees = _invitees(request, team, convening)
            return await self.propose(records, replace(convening, team_key=team.key), request, invitees)

    async def widen(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Searches again with the end date moved four weeks later (within the horizon)."""
        records, convening, request = await self._proposing(convening_id, caller)
        team = self._teams.team(convening.team_key)
        _, horizon_end = default_range(team.practice, self._clock(), team.timezone)
        latest = widened_latest(request, team.practice, horizon_end)
        if latest is None:
            raise UserFacingError("convening.cannot_widen")
        return await self.propose(records, convening, replace(request, latest=latest), convening.invitees)

    async def substitute(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Replaces each invitee who had no free time with another member of the same role."""
        records, convening, request = await self._proposing(convening_id, caller)
        invitees = substitution(self._teams.team(convening.team_key), convening)
        if invitees is None:
            raise UserFacingError("convening.no_substitute")
        return await self.propose(records, convening, request, invitees)

    async def drop_unavailable(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """Searches again without the invitees who had no free time."""
        records, convening, request = await self._proposing(convening_id, caller)
        invitees = without_unavailable(convening)
        if not invitees:
            raise UserFacingError("convening.no_invitees_left")
        roles = tuple(r for r in request.roles if any(p.role == r for p in invitees))
        return await self.propose(records, convening, replace(request, roles=roles), invitees)

    async def show_more(self, convening_id: str, caller: Caller) -> Convening:
        """Shows the next page of proposals."""
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if convening.status is not ConveningStatus.PROPOSED:
            raise UserFacingError("convening.not_proposing")
        shown = min(len(convening.proposals), convening.shown + PAGE)
        return await records.save_or_refuse(replace(convening, shown=shown))

    def ways_on(self, convening: Convening) -> WaysOn:
        """The ways on the no-time card may offer: only those the service can act on now."""
        team = self._teams.team(convening.team_key)
        _, horizon_end = default_range(team.practice, self._clock(), team.timezone)
        return ways_on(convening, team, horizon_end)

    async def propose(self, records: ConveningRecords, convening: Convening, request: ConveningRequest,
                      invitees: tuple[Person, ...]) -> SearchOutcome:
        """Searches times for ``invitees`` and saves them as the convening's proposals (through ``records``,
        the caller's unit of work, which read ``convening``). A booked convening's proposals are for moving
        its event (services.booking reschedules through here)."""
        if not invitees:
            # Every way here (roles only the convener brings, a network of the convener alone) ends
            # the same: an invitation with nobody invited is refused, whatever the path.
            raise UserFacingError("convening.no_invitees")
        team = self._teams.team(convening.team_key)
        search, knowledge = await self._search(convening, request, team, invitees)
        unavailable = tuple(e.lower() for e in search.never_free)
        updated = replace(convening.with_proposals(request, invitees, search.slots, min(PAGE, len(search.slots)),
                                                   unavailable), proposed_at=self._clock(),
                          unknown=knowledge.unknown, asked={})
        if convening.booking is not None:
            # Rescheduling: the proposals are for moving the existing event.
            updated = replace(updated, status=ConveningStatus.RESCHEDULING)
        await records.save_or_refuse(updated)
        return SearchOutcome(updated, search, self.ways_on(updated))

    async def free_at(self, convening: Convening, slot: Slot) -> bool:
        """Whether everyone whose free/busy can be read (and the slot's room) is still free at ``slot``: one
        read over just the slot, across organisations; whose availability is unknown does not block."""
        team = self._teams.team(convening.team_key)
        required = (convening.convener_email, *([slot.room] if slot.room else []))
        knowledge = await self._availability.read(team, convening.convener_id, required, convening.invitees,
                                                  slot.start, slot.end, team.timezone)
        readable = [p.email for p in convening.invitees if p.email.lower() not in knowledge.unknown]
        in_person = convening.request is not None and convening.request.venue.in_person
        return all(free_during(knowledge.schedules.get(a.lower()), slot.start, slot.end,
                               in_person=in_person and a != slot.room)
                   for a in (*required, *readable))

    async def _proposing(self, convening_id: str, caller: Caller
                         ) -> tuple[ConveningRecords, Convening, ConveningRequest]:
        """The caller's convening while times are being proposed (a way on applies only then)."""
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        proposing = (ConveningStatus.PROPOSED, ConveningStatus.RESCHEDULING)
        if convening.status not in proposing or convening.request is None:
            raise UserFacingError("convening.not_proposing")
        return records, convening, convening.request

    async def _resolve_network(self, text: str, team: Team) -> tuple[Person, ...]:
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
            person = await self._network_person(entry, team)
            if all(p.email.lower() != person.email.lower() for p in people):
                people.append(person)
        return tuple(people)

    async def _network_person(self, entry: str, team: Team) -> Person:
        """One entry of the network field: someone in our directory (by name or address), or, for an address
        the directory does not know, that address as written (another employer's worker, or nobody's), named
        as the team's roster names them when they are on it."""
        name, address = outside_address(entry)
        found = await self._directory.find_people(address or entry, limit=2)
        exact = [p for p in found if address and p.email.lower() == address.lower()]
        if exact:
            return exact[0]
        if address:
            member = team.member(address)
            return Person(address.lower(), member.display_name if member else (name or address.lower()),
                          external=True)
        if not found:
            raise UserFacingError("convening.network_not_found", entry=entry)
        if len(found) > 1:
            raise UserFacingError("convening.network_ambiguous", entry=entry)
        return found[0]

    async def _search(self, convening: Convening, request: ConveningRequest, team: Team,
                      invitees: tuple[Person, ...]) -> tuple[SlotSearch, Knowledge]:
        attendees = (convening.convener_email, *(p.email for p in invitees))
        seats = len(attendees) + FAMILY_SEATS
        rooms = tuple(r.email for r in sorted(team.rooms, key=lambda r: (r.capacity, r.email))
                      if r.capacity >= seats and (r.wheelchair_accessible or not request.accessible_room)
                      ) if request.venue.needs_room else ()
        if request.venue.needs_room and not rooms:
            raise UserFacingError("convening.no_room_big_enough", seats=str(seats))
        query = SlotQuery(practice=team.practice, timezone=team.timezone, earliest=request.earliest,
                          latest=request.latest, duration=request.duration,
                          attendees=tuple(a.lower() for a in attendees), rooms=tuple(r.lower() for r in rooms),
                          now=self._clock(), in_person=request.venue.in_person)
        window = search_window(query, self._is_holiday)
        if window is None:
            # No practice time in the period: Graph is not asked.
            return find_slots(query, {}, self._is_holiday), Knowledge()
        knowledge = await self._availability.read(team, convening.convener_id, (convening.convener_email, *rooms),
                                                  invitees, *window, team.timezone)
        # Whose availability is unknown does not block a time: the card says so, and they can be asked.
        query = replace(query, unknown=tuple(knowledge.unknown))
        return find_slots(query, knowledge.schedules, self._is_holiday), knowledge


def _invitees(request: ConveningRequest, team: Team, convening: Convening) -> tuple[Person, ...]:
    """Who is invited: the family's network as named, or the first member of each role asked for."""
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
