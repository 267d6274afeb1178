"""The readiness check (``valmius``): what the bot can do in each organisation of the teams file, measured.

For coordinators only (the teams file's ``coordinators``, decided from the caller's directory address). Each
organisation is probed with one of its roster members by harmless, read-only Graph calls, all at once and
each within a short time: free/busy (getSchedule over one hour: through our own tenant for the home and the
shared-free/busy organisations, through the partner's own token for a partner), booking (the member's
calendar readable with the token that would write the next contact there) and OneDrive (the member's drive
readable with the organisation's own token). Whatever fails or does not answer in time is a ✗ with what the
administrator should do; nothing is ever an error to the user, and no address or exception text is shown
or logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.organisations import CalendarAccess, Organisation
from domain.statistics import CoordinatorAccess
from domain.team import Team
from services.caller import Caller
from services.errors import ServiceUnavailableError, UserFacingError
from services.ports import Directory, ReadinessProbe

log = logging.getLogger(__name__)

#: How long one probe may take before it counts as no answer (the card must come back within Teams' time).
PROBE_TIMEOUT_SECONDS = 6.0
#: The free/busy probe's window.
PROBE_WINDOW = timedelta(hours=1)


class Check(StrEnum):
    """What is checked in each organisation."""

    FREE_BUSY = "free_busy"
    BOOKING = "booking"
    DRIVE = "drive"


class Mark(StrEnum):
    """How a check came out."""

    #: ✓ measured: the bot can do it.
    OK = "ok"
    #: ✗ measured (or no way to measure): the bot cannot, an administrator can change that.
    MISSING = "missing"
    #: Not the bot's to do there: it works another way (an invitation, an e-mail, the near worker's OneDrive).
    OTHER_WAY = "other_way"
    #: Not checked: the organisation has no roster member to probe with.
    UNCHECKED = "unchecked"


class Advice(StrEnum):
    """What the administrator should do about a ✗ (each a message ``readiness.advice.<value>``)."""

    HOME_FREE_BUSY = "home_free_busy"
    HOME_CALENDAR = "home_calendar"
    HOME_DRIVE = "home_drive"
    PARTNER_CONSENT = "partner_consent"
    PARTNER_DRIVE = "partner_drive"
    PARTNER_CREDENTIAL = "partner_credential"
    SHARE_FREE_BUSY = "share_free_busy"
    CHECK_ADDRESS = "check_address"
    NO_ONEDRIVE = "no_onedrive"
    TRY_AGAIN = "try_again"


@dataclass(frozen=True)
class CheckLine:
    """One line of an organisation: the check, its mark and, for a ✗, the advice."""

    check: Check
    mark: Mark
    advice: Advice | None = None


@dataclass(frozen=True)
class OrganisationReadiness:
    """One organisation's lines; ``probed`` False when it has no roster member to probe with."""

    organisation: Organisation
    lines: tuple[CheckLine, ...]
    probed: bool = True

    @property
    def ready(self) -> bool:
        """Whether nothing is missing (an unprobed organisation is not known to be ready)."""
        return self.probed and all(line.mark is not Mark.MISSING for line in self.lines)


@dataclass(frozen=True)
class ReadinessReport:
    """Every organisation of the teams file, in the file's order (the home one first)."""

    organisations: tuple[OrganisationReadiness, ...]

    @property
    def ready_count(self) -> int:
        """How many organisations have nothing missing."""
        return sum(1 for o in self.organisations if o.ready)


class _Result(StrEnum):
    """What one probe found."""

    OK = "ok"
    NOT_SHARED = "not_shared"  # getSchedule's 5009 in the item
    #: 401: no token for the tenant (at a partner: no admin consent yet).
    NO_TOKEN = "no_token"  # noqa: S105 - a result, not a secret
    REFUSED = "refused"  # 403: no permission, or outside the mailbox scope
    NOT_FOUND = "not_found"  # 404: no such mailbox or OneDrive
    FAILED = "failed"  # no answer in time, or a fault


#: (organisation kind, check, what went wrong) → the advice; a missing entry falls back on TRY_AGAIN.
_ADVICE: Mapping[tuple[CalendarAccess, Check, _Result], Advice] = {
    (CalendarAccess.HOME, Check.FREE_BUSY, _Result.REFUSED): Advice.HOME_FREE_BUSY,
    (CalendarAccess.HOME, Check.FREE_BUSY, _Result.NOT_SHARED): Advice.CHECK_ADDRESS,
    (CalendarAccess.HOME, Check.FREE_BUSY, _Result.NOT_FOUND): Advice.CHECK_ADDRESS,
    (CalendarAccess.HOME, Check.BOOKING, _Result.REFUSED): Advice.HOME_CALENDAR,
    (CalendarAccess.HOME, Check.BOOKING, _Result.NOT_FOUND): Advice.CHECK_ADDRESS,
    (CalendarAccess.HOME, Check.DRIVE, _Result.REFUSED): Advice.HOME_DRIVE,
    (CalendarAccess.HOME, Check.DRIVE, _Result.NOT_FOUND): Advice.NO_ONEDRIVE,
    (CalendarAccess.SHARED_FREE_BUSY, Check.FREE_BUSY, _Result.NOT_SHARED): Advice.SHARE_FREE_BUSY,
    (CalendarAccess.SHARED_FREE_BUSY, Check.FREE_BUSY, _Result.REFUSED): Advice.HOME_FREE_BUSY,
    (CalendarAccess.SHARED_FREE_BUSY, Check.FREE_BUSY, _Result.NOT_FOUND): Advice.CHECK_ADDRESS,
    (CalendarAccess.PARTNER, Check.FREE_BUSY, _Result.REFUSED): Advice.PARTNER_CONSENT,
    (CalendarAccess.PARTNER, Check.FREE_BUSY, _Result.NOT_SHARED): Advice.CHECK_ADDRESS,
    (CalendarAccess.PARTNER, Check.FREE_BUSY, _Result.NOT_FOUND): Advice.CHECK_ADDRESS,
    (CalendarAccess.PARTNER, Check.BOOKING, _Result.REFUSED): Advice.PARTNER_CONSENT,
    (CalendarAccess.PARTNER, Check.BOOKING, _Result.NOT_FOUND): Advice.CHECK_ADDRESS,
    (CalendarAccess.PARTNER, Check.DRIVE, _Result.REFUSED): Advice.PARTNER_DRIVE,
    (CalendarAccess.PARTNER, Check.DRIVE, _Result.NOT_FOUND): Advice.NO_ONEDRIVE,
}

#: What each kind of organisation is probed for; the rest works another way there.
_PROBED: Mapping[CalendarAccess, tuple[Check, ...]] = {
    CalendarAccess.HOME: (Check.FREE_BUSY, Check.BOOKING, Check.DRIVE),
    CalendarAccess.PARTNER: (Check.FREE_BUSY, Check.BOOKING, Check.DRIVE),
    CalendarAccess.SHARED_FREE_BUSY: (Check.FREE_BUSY,),
    CalendarAccess.NO_CALENDAR: (),
}


def _line(access: CalendarAccess, check: Check, result: _Result) -> CheckLine:
    if result is _Result.OK:
        return CheckLine(check, Mark.OK)
    if result is _Result.NO_TOKEN:
        if access is CalendarAccess.PARTNER:
            return CheckLine(check, Mark.MISSING, Advice.PARTNER_CONSENT)  # their tenant issues no token yet
        result = _Result.REFUSED
    return CheckLine(check, Mark.MISSING, _ADVICE.get((access, check, result), Advice.TRY_AGAIN))


class Readiness:
    """The ``valmius`` use case: coordinators see what the bot can do in each organisation."""

    def __init__(self, *, probe: ReadinessProbe, directory: Directory, teams: Mapping[str, Team],
                 organisations: Sequence[Organisation], coordinators: CoordinatorAccess,
                 clock: Callable[[], datetime], timeout_seconds: float = PROBE_TIMEOUT_SECONDS) -> None:
        self._probe = probe
        self._directory = directory
        self._teams = teams
        self._organisations = tuple(organisations)
        self._coordinators = coordinators
        self._clock = clock
        self._timeout = timeout_seconds

    async def check(self, caller: Caller) -> ReadinessReport:
        """Probes every organisation at once. Raises UserFacingError ``readiness.not_coordinator`` (nothing
        probed) for anyone who is not a coordinator."""
        me = await self._coordinator_address(caller)
        if me is None:
            raise UserFacingError("readiness.not_coordinator")
        start = self._clock().replace(second=0, microsecond=0)
        home_member = next((m for o in self._organisations if o.access is CalendarAccess.HOME
                            for m in [self._member_of(o)] if m is not None), None)
        reports = await asyncio.gather(*(self._organisation(o, home_member or me, start)
                                         for o in self._organisations))
        return ReadinessReport(tuple(reports))

    async def _coordinator_address(self, caller: Caller) -> str | None:
        """The caller's directory address when they coordinate any team (None otherwise)."""
        if not self._coordinators.everywhere and not self._coordinators.per_team:
            return None
        person = await self._directory.person_by_id(caller.user_id)
        if person is None or not self._coordinators.teams_for(person.email, self._teams):
            return None
        return person.email

    def _member_of(self, organisation: Organisation) -> str | None:
        """The first roster member (teams and rosters in the file's order) employed by ``organisation``."""
        for team in self._teams.values():
            for member in team.members:
                found = team.employer(member.email)  # as the availability reader sees them
                if found is not None and found.key == organisation.key:
                    return member.email
        return None

    async def _organisation(self, organisation: Organisation, home_member: str,
                            start: datetime) -> OrganisationReadiness:
        access = organisation.access
        probed = _PROBED[access]
        other_way = tuple(CheckLine(c, Mark.OTHER_WAY) for c in Check if c not in probed)
        member = self._member_of(organisation)
        if member is None and probed:
            return OrganisationReadiness(organisation, (*(CheckLine(c, Mark.UNCHECKED) for c in probed),
                                                        *other_way), probed=False)
        if access is CalendarAccess.PARTNER and not self._probe.reaches(organisation.key):
            missing = tuple(CheckLine(c, Mark.MISSING, Advice.PARTNER_CREDENTIAL) for c in probed)
            return OrganisationReadiness(organisation, missing + other_way)
        partner = organisation.key if access is CalendarAccess.PARTNER else None
        calls: dict[Check, Callable[[], Awaitable[object]]] = {}
        if member is not None:
            organizer = home_member if access is CalendarAccess.SHARED_FREE_BUSY else member
            end = start + PROBE_WINDOW
            calls[Check.FREE_BUSY] = lambda: self._probe.free_busy(partner, organizer, member, start, end)
            calls[Check.BOOKING] = lambda: self._probe.calendar(partner, member)
            calls[Check.DRIVE] = lambda: self._probe.drive(partner, member)
        results = await asyncio.gather(*(self._measure(check, calls[check]) for check in probed))
        lines = tuple(_line(access, check, result) for check, result in zip(probed, results, strict=True))
        return OrganisationReadiness(organisation, lines + other_way)

    async def _measure(self, check: Check, call: Callable[[], Awaitable[object]]) -> _Result:
        """One probe within the time limit; every failure is a result, never an exception."""
        try:
            answer = await asyncio.wait_for(call(), self._timeout)
        except ServiceUnavailableError as err:
            log.info("readiness probe refused", extra={"check": check.value, "status": err.status,
                                                         "code": err.code})
            if err.status == 401:
                return _Result.NO_TOKEN
            if err.status == 403:
                return _Result.REFUSED
            return _Result.NOT_FOUND if err.status == 404 else _Result.FAILED
        except TimeoutError:
            log.info("readiness probe timed out", extra={"check": check.value})
            return _Result.FAILED
        except Exception as err:  # noqa: BLE001 - a probe's fault is a ✗ on the card, never the user's error
            log.warning("readiness probe failed", extra={"check": check.value, "error": type(err).__name__})
            return _Result.FAILED
        return _Result.NOT_SHARED if answer is False else _Result.OK
