"""Statistics of the practice: counters per team and month, nothing about a family or a worker.

What is counted (one ``MonthFigures`` per team and calendar month ``"2026-12"``):

* ``convened``: meetings booked (counted in the month the booking was made), with the venue type,
  the roles invited (``network`` for people invited by name) and the days from booking to the meeting;
* ``held``: meetings finalized (counted in the month the meeting took place);
* ``feedback``: per question, how many gave each score 1–5 (the month of the meeting).

The records hold counts only: no family reference, no worker, no record id. Whether an event was already
counted is kept apart (services.statistics_service, by a one-way digest of the record id), so the
aggregate itself never links back to a meeting.

Small numbers: one rule (``shown``) decides, for the card, the CSV and the chart alike, what is withheld
and why: role and venue counts of 1–2 and lead-time averages over one or two meetings (``Withheld.MEETINGS``),
feedback averages over one or two answers (``Withheld.ANSWERS``). A withheld figure has no value at all
(never "<3", which reads as a number: "under 3 days", "a score under 3"); each renderer says instead that it
is not shown and why. Totals of meetings convened and held are shown exactly (``exact``: the team knows
them anyway, and the chart needs them).

Small rosters: a role's "invited" count is, where only one or two workers bring the role, their
caseload of family meetings. So a role is shown on its own only where the roster of the teams shown
holds at least ``SUPPRESS_BELOW`` workers with it; the other roles are merged into one figure, shown only
when the workers of the roles counted in it are at least ``SUPPRESS_BELOW`` together (``role_figures``).
The counters themselves stay raw: this is decided when they are shown, from the current roster.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from domain.team import Team

#: Counts below this (but above zero) are not shown exactly on the card or in the CSV.
SUPPRESS_BELOW = 3
#: Lead times are counted per day up to this many days; longer ones fall into the last bucket.
MAX_LEAD_DAYS = 365
#: The team selector's value for every team a coordinator may see (no team may have this key).
ALL_TEAMS = "all"
#: The pseudo-role of people invited by name (the family's existing network).
NETWORK_ROLE = "network"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_key(day: date) -> str:
    """``"2026-12"`` for any day of December 2026."""
    return f"{day.year:04d}-{day.month:02d}"


def once_key(kind: str, record_id: str, number: int | None = None) -> str:
    """A one-way digest naming one countable event (``kind`` of record ``record_id``, response ``number``).

    Stored instead of the id, so the bookkeeping of what was counted holds no record id either.
    """
    raw = f"yhdessa-aika/statistics/{kind}/{record_id}" + (f"/{number}" if number is not None else "")
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _add(counts: Mapping[str, int], keys: Iterable[str]) -> dict[str, int]:
    merged = dict(counts)
    for key in keys:
        merged[key] = merged.get(key, 0) + 1
    return merged


def _merge(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    merged = dict(a)
    for key, value in b.items():
        merged[key] = merged.get(key, 0) + value
    return merged


Scores = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class MonthFigures:
    """One team's counters for one month. Keys of the dicts are role keys, venue types, day counts
    (as text, for JSON) and feedback question keys; values are counts."""

    convened: int = 0
    held: int = 0
    roles: dict[str, int] = field(default_factory=dict)
    venues: dict[str, int] = field(default_factory=dict)
    lead_days: dict[str, int] = field(default_factory=dict)  # days from booking to meeting → how many
    feedback: dict[str, Scores] = field(default_factory=dict)  # question → how many gave 1, 2, 3, 4, 5

    def with_convened(self, venue: str, roles: Iterable[str], lead_days: int) -> MonthFigures:
        """One more meeting booked."""
        days = str(min(max(lead_days, 0), MAX_LEAD_DAYS))
        return replace(self, convened=self.convened + 1, venues=_add(self.venues, [venue]),
                       roles=_add(self.roles, roles), lead_days=_add(self.lead_days, [days]))

    def with_held(self) -> MonthFigures:
        """One more meeting held (finalized)."""
        return replace(self, held=self.held + 1)

    def with_feedback(self, scores: Mapping[str, int]) -> MonthFigures:
        """One more feedback response (scores 1–5 per question; others are ignored)."""
        merged = dict(self.feedback)
        for key, score in scores.items():
            if 1 <= score <= 5:
                row = list(merged.get(key, (0, 0, 0, 0, 0)))
                row[score - 1] += 1
                merged[key] = (row[0], row[1], row[2], row[3], row[4])
        return replace(self, feedback=merged)

    def plus(self, other: MonthFigures) -> MonthFigures:
        """The sum of two months' (or two teams') counters."""
        feedback = dict(self.feedback)
        for key, row in other.feedback.items():
            mine = feedback.get(key, (0, 0, 0, 0, 0))
            feedback[key] = (mine[0] + row[0], mine[1] + row[1], mine[2] + row[2], mine[3] + row[3],
                             mine[4] + row[4])
        return MonthFigures(self.convened + other.convened, self.held + other.held,
                            _merge(self.roles, other.roles), _merge(self.venues, other.venues),
                            _merge(self.lead_days, other.lead_days), feedback)

    @property
    def lead_count(self) -> int:
        """How many lead times were counted."""
        return sum(self.lead_days.values())

    def lead_average(self) -> float | None:
        """Mean days from booking to meeting (None when nothing was counted)."""
        count = self.lead_count
        if not count:
            return None
        return sum(int(days) * n for days, n in self.lead_days.items()) / count

    def lead_median(self) -> float | None:
        """Median days from booking to meeting."""
        values = sorted(int(days) for days, n in self.lead_days.items() for _ in range(n))
        if not values:
            return None
        middle = len(values) // 2
        return float(values[middle]) if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    def feedback_count(self, key: str) -> int:
        """How many answered question ``key``."""
        return sum(self.feedback.get(key, ()))

    def feedback_average(self, key: str) -> float | None:
        """Mean score of question ``key`` (None when nobody answered it)."""
        row = self.feedback.get(key)
        total = sum(row) if row else 0
        if not row or not total:
            return None
        return sum((i + 1) * n for i, n in enumerate(row)) / total


@dataclass(frozen=True)
class TeamYear:
    """One team's counters for one year, by month ``"2026-01"`` … ``"2026-12"`` (months without events absent)."""

    team_key: str
    year: int
    months: dict[str, MonthFigures] = field(default_factory=dict)

    def month(self, month: int) -> MonthFigures:
        """The counters of month 1–12."""
        return self.months.get(f"{self.year:04d}-{month:02d}") or MonthFigures()

    def changed(self, month: str, change: MonthFigures) -> TeamYear:
        """The year with ``month``'s counters replaced."""
        if not MONTH.fullmatch(month) or int(month[:4]) != self.year:
            raise ValueError("month outside the year")
        return replace(self, months={**self.months, month: change})

    def total(self) -> MonthFigures:
        """The whole year's counters."""
        result = MonthFigures()
        for figures in self.months.values():
            result = result.plus(figures)
        return result


def combined(years: Iterable[TeamYear], year: int, key: str = "all") -> TeamYear:
    """Several teams' years summed month by month (the coordinator's "all teams" view)."""
    months: dict[str, MonthFigures] = {}
    for team_year in years:
        for month, figures in team_year.months.items():
            months[month] = months.get(month, MonthFigures()).plus(figures)
    return TeamYear(key, year, months)


class Withheld(StrEnum):
    """Why a figure is not shown: fewer than ``SUPPRESS_BELOW`` of these stand behind it (privacy)."""

    MEETINGS = "meetings"
    ANSWERS = "answers"

    @property
    def message_key(self) -> str:
        """The catalog key of the text that says so ("ei näytetä – alle 3 tapaamista (yksityisyyden suoja)")."""
        return f"statistics.withheld.{self.value}"


@dataclass(frozen=True)
class Shown:
    """A figure as it may be shown: its value, or ``withheld`` with the reason (then ``value`` is None).

    ``value`` None without ``withheld``: there is nothing to show (no meeting, nobody answered).
    """

    value: float | None
    withheld: Withheld | None = None


def shown(value: float | None, among: int, basis: Withheld) -> Shown:
    """The one rule: ``value`` stands for ``among`` meetings or answers (``basis``); it is withheld when
    something stands behind it but fewer than ``SUPPRESS_BELOW``. A zero count and no value are shown as such.
    """
    if value is None or among == 0:
        return Shown(value)
    if among < SUPPRESS_BELOW:
        return Shown(None, basis)
    return Shown(value)


def shown_count(count: int) -> Shown:
    """A breakdown count of meetings (per venue, per role) as it may be shown."""
    return shown(count, count, Withheld.MEETINGS)


def shown_average(value: float | None, count: int, basis: Withheld) -> Shown:
    """An average over ``count`` meetings or answers: only over at least ``SUPPRESS_BELOW`` (one person's
    answer, or one family's wait, stays theirs)."""
    return shown(value, count, basis)


def shown_lead(figures: MonthFigures) -> tuple[Shown, Shown]:
    """The mean and the median of days from booking to meeting, as they may be shown."""
    return (shown_average(figures.lead_average(), figures.lead_count, Withheld.MEETINGS),
            shown_average(figures.lead_median(), figures.lead_count, Withheld.MEETINGS))


def shown_feedback(figures: MonthFigures, key: str) -> Shown:
    """The mean score of feedback question ``key``, as it may be shown."""
    return shown_average(figures.feedback_average(key), figures.feedback_count(key), Withheld.ANSWERS)


def exact(count: int) -> Shown:
    """A total of meetings convened or held: always shown exactly (see the module's note)."""
    return Shown(count)


def held_by_month(year: TeamYear) -> list[Shown]:
    """Meetings held in each month 1–12 as the chart and its text alternative show them."""
    return [exact(year.month(m).held) for m in range(1, 13)]


def role_rosters(teams: Iterable[Team]) -> dict[str, frozenset[str]]:
    """Each role's workers (lower-case addresses) in ``teams`` together; a worker in two teams counts once."""
    rosters: dict[str, set[str]] = {}
    for team in teams:
        for member in team.members:
            for role in member.roles:
                rosters.setdefault(role, set()).add(member.email.strip().lower())
    return {role: frozenset(workers) for role, workers in rosters.items()}


def shows_alone(role: str, rosters: Mapping[str, Collection[str]]) -> bool:
    """Whether ``role``'s count may be shown on its own: at least ``SUPPRESS_BELOW`` workers bring it.

    The family's network (people invited by name) is no worker's caseload and is always shown alone.
    """
    return role == NETWORK_ROLE or len(frozenset(rosters.get(role, ()))) >= SUPPRESS_BELOW


@dataclass(frozen=True)
class RoleFigures:
    """Invitations per role as they may be shown (``role_figures``)."""

    alone: dict[str, int]  # role key → count, for the roles that ``shows_alone``
    other: int | None  # the other roles merged; None: even together fewer than SUPPRESS_BELOW workers


def role_figures(counts: Mapping[str, int], rosters: Mapping[str, Collection[str]]) -> RoleFigures:
    """``counts`` (role → invitations) with every role of fewer than three workers merged into ``other``.

    ``rosters`` names each role's workers in the teams shown (any identities: a worker with two merged
    roles counts once). The merged figure stands for the workers of the roles that were invited, so it
    is withheld (None) unless they are at least ``SUPPRESS_BELOW``; zero is shown as zero. A role no
    roster lists (since removed) has no workers and is merged.
    """
    alone: dict[str, int] = {}
    other, workers = 0, set[str]()
    for role, count in counts.items():
        if shows_alone(role, rosters):
            alone[role] = count
        elif count > 0:
            other += count
            workers.update(rosters.get(role, ()))
    return RoleFigures(alone, other if other == 0 or len(workers) >= SUPPRESS_BELOW else None)


@dataclass(frozen=True)
class CoordinatorAccess:
    """Who may see statistics: addresses for every team, and per team (lower-case addresses)."""

    everywhere: frozenset[str] = frozenset()
    per_team: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def teams_for(self, email: str, team_keys: Iterable[str]) -> tuple[str, ...]:
        """The teams (of ``team_keys``, in that order) whose statistics ``email`` may see."""
        low = email.strip().lower()
        if not low:
            return ()
        if low in self.everywhere:
            return tuple(team_keys)
        return tuple(k for k in team_keys if low in self.per_team.get(k, frozenset()))
