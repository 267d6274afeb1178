"""Statistics: counting meetings convened and held and feedback given; showing them to coordinators.

Counting (the StatisticsRecorder port) is called by the convening and meeting services. Each event is
counted once: the store keeps a digest of ``(kind, record id[, response number])`` apart from the counters
and skips a digest it has seen, so a retried turn or a replayed card action never counts twice. A count
that fails is logged (type only) and dropped: statistics never fail a booking or a meeting.

Reading is for coordinators only (config/teams.yaml ``coordinators``), decided from the caller's
directory address, never from anything a card sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.convening import Convening
from domain.meeting import Meeting
from domain.statistics import (
    ALL_TEAMS,
    NETWORK_ROLE,
    CoordinatorAccess,
    MonthFigures,
    TeamYear,
    combined,
    month_key,
    once_key,
)
from domain.team import Team
from services.caller import Caller
from services.errors import UserFacingError
from services.ports import Directory, StatisticsStore

log = logging.getLogger(__name__)

#: How many years back the year selector offers.
YEARS_BACK = 4


@dataclass(frozen=True)
class StatisticsView:
    """What a coordinator sees: the chosen year and team (or all), the counters, and the choices."""

    year: int
    team_key: str  # a team key or ALL_TEAMS
    figures: TeamYear
    teams: tuple[Team, ...]  # the teams the coordinator may choose from
    years: tuple[int, ...]
    rows: tuple[TeamYear, ...]  # per team, for the CSV


class StatisticsService:
    """Counts events (StatisticsRecorder) and reads the counters for coordinators."""

    def __init__(self, *, store: StatisticsStore, directory: Directory, teams: Mapping[str, Team],
                 coordinators: CoordinatorAccess, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._directory = directory
        self._teams = teams
        self._coordinators = coordinators
        self._clock = clock

    # --- counting (StatisticsRecorder) ------------------------------------------------------------

    async def convened(self, convening: Convening) -> None:
        """A meeting was booked: venue, roles invited and days from now to the meeting, this month."""
        booking, request = convening.booking, convening.request
        if booking is None or request is None:
            return
        tz = self._zone(convening.team_key)
        today = self._clock().astimezone(tz).date()
        lead = (booking.start.astimezone(tz).date() - today).days
        roles = [p.role or NETWORK_ROLE for p in convening.invitees]
        await self._count(once_key("convened", convening.id), convening.team_key, month_key(today),
                          lambda m: m.with_convened(request.venue.value, roles, lead))

    async def held(self, meeting: Meeting) -> None:
        """A meeting was finalized: counted in the month it took place."""
        month = month_key(meeting.scheduled_start.astimezone(self._zone(meeting.team_key)).date())
        await self._count(once_key("held", meeting.id), meeting.team_key, month, lambda m: m.with_held())

    async def feedback_given(self, meeting: Meeting, scores: Mapping[str, int]) -> None:
        """One feedback response, in the month of the meeting."""
        month = month_key(meeting.scheduled_start.astimezone(self._zone(meeting.team_key)).date())
        clean = dict(scores)
        await self._count(once_key("feedback", meeting.id, meeting.feedback.responses), meeting.team_key, month,
                          lambda m: m.with_feedback(clean))

    async def _count(self, once: str, team_key: str, month: str, change: Callable[[MonthFigures], MonthFigures]
                     ) -> None:
        year = int(month[:4])
        try:
            await self._store.apply_once(once, team_key, year,
                                         lambda y: y.changed(month, change(y.months.get(month) or MonthFigures())))
        except Exception as err:  # noqa: BLE001 - statistics must never fail the worker's turn
            log.warning("statistics not counted", extra={"error": type(err).__name__})

    def _zone(self, team_key: str) -> ZoneInfo:
        team = self._teams.get(team_key)
        return ZoneInfo(team.timezone if team else "Europe/Helsinki")

    # --- reading (coordinators) -------------------------------------------------------------------

    async def allowed_teams(self, caller: Caller) -> tuple[Team, ...]:
        """The teams whose statistics the caller may see (none: not a coordinator)."""
        if not self._coordinators.everywhere and not self._coordinators.per_team:
            return ()
        me = await self._directory.person_by_id(caller.user_id)
        if me is None:
            return ()
        keys = self._coordinators.teams_for(me.email, self._teams)
        return tuple(self._teams[k] for k in keys)

    async def view(self, caller: Caller, year: int | None = None, team_key: str | None = None) -> StatisticsView:
        """The counters of ``year`` (default: this year) for ``team_key`` (default: every allowed team).

        Raises UserFacingError ``statistics.not_coordinator`` for anyone else, or for a team not theirs.
        """
        teams = await self.allowed_teams(caller)
        if not teams:
            raise UserFacingError("statistics.not_coordinator")
        this_year = self._clock().year
        # Next year too: a meeting booked in December for January is held (and counted) then.
        years = tuple(range(this_year + 1, this_year - YEARS_BACK - 1, -1))
        chosen_year = year if year is not None else this_year
        if chosen_year not in years:
            raise UserFacingError("statistics.bad_year")
        allowed = {t.key for t in teams}
        key = team_key or (teams[0].key if len(teams) == 1 else ALL_TEAMS)
        if key != ALL_TEAMS and key not in allowed:
            raise UserFacingError("statistics.not_coordinator")
        if key == ALL_TEAMS and len(teams) == 1:
            key = teams[0].key
        shown: Sequence[Team] = teams if key == ALL_TEAMS else [self._teams[key]]
        rows = tuple([await self._store.year(t.key, chosen_year) for t in shown])
        figures = combined(rows, chosen_year, key) if key == ALL_TEAMS else rows[0]
        return StatisticsView(chosen_year, key, figures, teams, years, rows)
