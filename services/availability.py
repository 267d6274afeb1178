"""Reading availability across the network's employers: each person's free/busy where it can be read,
and for everyone else why it cannot (they do not block a time; the worker may ask them by e-mail)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.availability import Schedule
from domain.convening import Person
from domain.organisations import CalendarAccess, UnknownReason
from domain.team import Team
from services.errors import ServiceUnavailableError
from services.ports import Calendar


@dataclass(frozen=True)
class Knowledge:
    """What a search knows: schedules by address (lower case), and the invitees whose availability is
    unknown with the reason."""

    schedules: dict[str, Schedule] = field(default_factory=dict)
    unknown: dict[str, UnknownReason] = field(default_factory=dict)


class AvailabilityReader:
    """Free/busy over the organisations of the people asked, every tenant read concurrently (one round trip).

    ``home`` reads our own tenant and the tenants that share free/busy with it (the cross-tenant access
    policy answers those through our own getSchedule, or with a 5009 error per address). ``partners`` are
    calendars on a partner tenant's own token, by organisation key: getSchedule is asked there as one of
    that organisation's own people.
    """

    def __init__(self, home: Calendar, partners: Mapping[str, Calendar] | None = None) -> None:
        self._home = home
        self._partners = dict(partners or {})

    async def read(self, team: Team, organizer_id: str, required: Sequence[str], invitees: Sequence[Person],
                   start: datetime, end: datetime, timezone: str) -> Knowledge:
        """Schedules for ``required`` (the convener and rooms: always read at home, a failure blocks) and
        ``invitees`` (read where their employer allows; unknown otherwise)."""
        home_addresses = [a.lower() for a in required]
        by_partner: dict[str, list[str]] = {}
        unknown: dict[str, UnknownReason] = {}
        for person in invitees:
            email = person.email.lower()
            organisation = team.employer(email, person.external)
            if organisation is None:
                unknown[email] = UnknownReason.OUTSIDE
            elif organisation.access is CalendarAccess.NO_CALENDAR:
                unknown[email] = UnknownReason.NO_CALENDAR
            elif organisation.access is CalendarAccess.PARTNER:
                if organisation.key in self._partners:
                    by_partner.setdefault(organisation.key, []).append(email)
                else:
                    unknown[email] = UnknownReason.UNREADABLE
            else:
                home_addresses.append(email)
        partner_keys = list(by_partner)
        home, *partner_answers = await asyncio.gather(
            self._home.schedules(organizer_id, home_addresses, start, end, timezone),
            *(self._partner_read(key, by_partner[key], start, end, timezone) for key in partner_keys))
        schedules = {email.lower(): schedule for email, schedule in (home or {}).items()}
        for key, answer in zip(partner_keys, partner_answers, strict=True):
            if answer is None:
                unknown.update({email: UnknownReason.UNREADABLE for email in by_partner[key]})
                continue
            schedules.update({email.lower(): schedule for email, schedule in answer.items()})
        for person in invitees:
            email = person.email.lower()
            schedule = schedules.get(email)
            if email not in unknown and (schedule is None or schedule.error is not None):
                # 5009: their tenant does not share free/busy with ours, or Graph cannot resolve the address.
                unknown[email] = UnknownReason.NOT_SHARED
        return Knowledge(schedules, unknown)

    async def _partner_read(self, key: str, addresses: list[str], start: datetime, end: datetime,
                            timezone: str) -> Mapping[str, Schedule] | None:
        """A partner tenant's schedules, asked as its first person; None when the tenant did not answer (no
        consent yet, a fault): their availability is then unknown, and the search goes on without it."""
        try:
            return await self._partners[key].schedules(addresses[0], addresses, start, end, timezone)
        except ServiceUnavailableError:
            return None
