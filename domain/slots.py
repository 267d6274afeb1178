"""Finding meeting times that fit everyone, a room and the invitation practice."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from domain.availability import BusyStatus, Schedule, WorkingHours
from domain.team import InvitationPractice, PracticeWindow

#: Whether a date is a public holiday (or otherwise not a working day).
HolidayCheck = Callable[[date], bool]

#: The most days between a search's earliest and latest date (both included: 62 dates). The free/busy
#: window, from the first practice window's start to the last one's end, then stays under getSchedule's
#: 62 days (``search_window``); the Graph adapter splits a longer window rather than exceed it.
MAX_RANGE_DAYS = 61


@dataclass(frozen=True)
class SlotQuery:
    """What to search for.

    ``attendees`` are the e-mail addresses of everyone whose presence is required
    (the convener included). ``rooms`` are candidate room addresses, best first;
    empty when the venue needs no room.
    """

    practice: InvitationPractice
    timezone: str
    earliest: date
    latest: date
    duration: timedelta
    attendees: tuple[str, ...]
    rooms: tuple[str, ...]
    now: datetime
    #: Attendees whose availability cannot be read (another organisation's calendar): they never block.
    unknown: tuple[str, ...] = ()
    #: Everyone meets in one place (a room, the family's place): working elsewhere is not free.
    in_person: bool = False


@dataclass(frozen=True)
class Slot:
    """A proposed time: [start, end) in the team's time zone, with a free room if one is needed."""

    start: datetime
    end: datetime
    room: str | None = None


@dataclass(frozen=True)
class SlotSearch:
    """The outcome of a search, with the reasons when nothing fits.

    ``slots``: every feasible slot, best first (the UI shows 5 and "Näytä lisää").
    ``candidate_starts``: how many starts the practice, lead time and holidays allowed.
    ``never_free``: required attendees who are not free at any candidate start.
    ``room_shortage``: times existed when all people were free but no room was.
    """

    slots: tuple[Slot, ...]
    candidate_starts: int
    never_free: tuple[str, ...]
    room_shortage: bool


def find_slots(query: SlotQuery, schedules: Mapping[str, Schedule], is_holiday: HolidayCheck) -> SlotSearch:
    """Every slot in the query's date range when all attendees (and a room) are free.

    ``query.now`` must be timezone-aware. Slots come best first: the earliest time of
    each date in date order, then the second time of each date, and so on, so that
    the first few offered to the family spread over several days.
    """
    if query.practice.slot_step_minutes <= 0 or query.duration <= timedelta(0):
        raise ValueError("slot step and duration must be positive")
    zone = ZoneInfo(query.timezone)
    candidates = _candidate_starts(query, zone, is_holiday)
    if not candidates:
        # Nobody is "never free" when there was no time to be free at; the caller
        # explains the empty result by candidate_starts == 0 instead.
        return SlotSearch(slots=(), candidate_starts=0, never_free=(), room_shortage=False)

    spans = [(start, start + query.duration) for _, start in candidates]
    lookup = _ScheduleLookup(schedules, candidates[0][0], candidates[-1][0], in_person=query.in_person)

    everyone_free = [True] * len(candidates)
    never_free: list[str] = []
    unknown = {e.lower() for e in query.unknown}
    for email in dict.fromkeys(query.attendees):  # dedupe, keep the query's order
        if email.lower() in unknown:
            continue
        free = lookup.free_at(email, spans)
        if not any(free):
            never_free.append(email)
        everyone_free = [a and b for a, b in zip(everyone_free, free, strict=True)]

    rooms = [(email, lookup.free_at(email, spans)) for email in query.rooms] if any(everyone_free) else []
    found: list[tuple[date, Slot]] = []
    room_shortage = False
    for n, ((day, _), (s, e), ok) in enumerate(zip(candidates, spans, everyone_free, strict=True)):
        if not ok:
            continue
        room = next((email for email, free in rooms if free[n]), None)
        if query.rooms and room is None:
            room_shortage = True
            continue
        found.append((day, Slot(s.astimezone(zone), e.astimezone(zone), room)))

    # Interleave days: rank each slot by its position within its date. ``found`` is
    # chronological and the sort is stable, so equal (rank, date) keep time order.
    seen: dict[date, int] = {}
    ranked: list[tuple[int, date, Slot]] = []
    for day, slot in found:
        seen[day] = seen.get(day, -1) + 1
        ranked.append((seen[day], day, slot))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return SlotSearch(
        slots=tuple(slot for _, _, slot in ranked),
        candidate_starts=len(candidates),
        never_free=tuple(never_free),
        room_shortage=room_shortage,
    )


def search_window(query: SlotQuery, is_holiday: HolidayCheck) -> tuple[datetime, datetime] | None:
    """[first start, last end] of the times the search could propose (UTC); None when there are none.

    Free/busy is asked for this window only: from the first practice window's start to the last one's
    end, not from midnight to midnight, so 61 days between the earliest and latest date stay under
    getSchedule's 62 days (and a period with no practice time asks Graph nothing).
    """
    candidates = _candidate_starts(query, ZoneInfo(query.timezone), is_holiday)
    if not candidates:
        return None
    return candidates[0][1], candidates[-1][1] + query.duration


def first_allowed_date(practice: InvitationPractice, now: datetime, timezone: str) -> date:
    """The first date a meeting may be held when invited at ``now`` (lead time rules).

    Combines ``min_lead_days`` with the deadline rule: a meeting in week W may be
    invited until the end of day ``deadline_weekday`` of week W − ``deadline_weeks_before``.
    Dates are local to ``timezone``; weeks start on Monday.
    """
    today = now.astimezone(ZoneInfo(timezone)).date()
    first = today + timedelta(days=max(0, practice.min_lead_days))
    if practice.deadline_weekday is not None:
        # This week's deadline day still counts until midnight; once it has passed,
        # the reachable week moves one further.
        weeks_ahead = practice.deadline_weeks_before + (today.weekday() > practice.deadline_weekday)
        monday = today - timedelta(days=today.weekday())
        first = max(first, monday + timedelta(weeks=weeks_ahead))
    return first


def default_range(practice: InvitationPractice, now: datetime, timezone: str) -> tuple[date, date]:
    """The default earliest/latest dates: lead time to lead time + horizon."""
    first = first_allowed_date(practice, now, timezone)
    return first, first + timedelta(days=practice.horizon_days)


def _candidate_starts(query: SlotQuery, zone: ZoneInfo, is_holiday: HolidayCheck) -> list[tuple[date, datetime]]:
    """(local date, UTC start) of every allowed start, in time order.

    Window edges are local wall-clock times (built with zoneinfo, so 8:00 stays 8:00
    across DST); steps and durations are added in UTC, i.e. as real elapsed time.
    """
    practice = query.practice
    step = timedelta(minutes=practice.slot_step_minutes)
    now = query.now.astimezone(UTC)
    windows: dict[int, list[PracticeWindow]] = {}
    for window in practice.windows:
        windows.setdefault(window.weekday, []).append(window)

    out: list[tuple[date, datetime]] = []
    day = max(query.earliest, first_allowed_date(practice, query.now, query.timezone))
    while day <= query.latest:
        todays = windows.get(day.weekday())
        if todays and not is_holiday(day):
            starts: set[datetime] = set()  # a set: overlapping windows must not double a start
            for window in todays:
                start = datetime.combine(day, window.start, zone).astimezone(UTC)
                end = datetime.combine(day, window.end, zone).astimezone(UTC)
                while start + query.duration <= end:
                    if start > now:
                        starts.add(start)
                    start += step
            out.extend((day, start) for start in sorted(starts))
        day += timedelta(days=1)
    return out


#: [start, end) in UTC.
_Interval = tuple[datetime, datetime]

#: The statuses that make a person unavailable (online, in person), as tuples for a fast membership test.
_BLOCKING = {in_person: tuple(status for status in BusyStatus if status.blocks_meeting(in_person=in_person))
             for in_person in (False, True)}


class _Spans:
    """[start, end) spans in UTC sorted by start, with the furthest end reached so far.

    ``reach[i]`` (a running maximum of the ends) lets one bisect answer both questions
    below without merging overlapping spans: among the spans starting before a point,
    one reaches past it iff the furthest end among them does.
    """

    def __init__(self, spans: list[_Interval]) -> None:
        ordered = [span for span in spans if span[0] < span[1]]  # empty spans block nothing
        ordered.sort()
        self.starts = [start for start, _ in ordered]
        self.reach = list(accumulate([end for _, end in ordered], max))

    def clear_of(self, slots: list[_Interval]) -> list[bool]:
        """For each slot: whether no span overlaps it."""
        starts, reach = self.starts, self.reach
        # i = how many spans start before the slot ends; the last of them is i - 1.
        return [(i := bisect_left(starts, end)) == 0 or reach[i - 1] <= start for start, end in slots]

    def covering(self, slots: list[_Interval]) -> list[bool]:
        """For each slot: whether one span contains all of it."""
        starts, reach = self.starts, self.reach
        # i = how many spans start at or before the slot starts.
        return [(i := bisect_right(starts, start)) > 0 and reach[i - 1] >= end for start, end in slots]


class _ScheduleLookup:
    """Answers who is free when; working spans are built once per distinct WorkingHours."""

    def __init__(self, schedules: Mapping[str, Schedule], first: date, last: date, *, in_person: bool) -> None:
        self._blocking = _BLOCKING[in_person]
        # Graph may echo addresses in another case than we asked with.
        self._schedules = {email.lower(): schedule for email, schedule in schedules.items()}
        self._first, self._last = first, last
        self._working: dict[WorkingHours, _Spans] = {}

    def free_at(self, email: str, slots: list[_Interval]) -> list[bool]:
        """For each slot: whether ``email`` is free. A missing or failed schedule is never free."""
        schedule = self._schedules.get(email.lower())
        if schedule is None or schedule.error is not None:
            return [False] * len(slots)
        # Everything is compared in UTC: same-tzinfo comparisons are exact and cheap.
        busy = _Spans([(i.start.astimezone(UTC), i.end.astimezone(UTC))
                       for i in schedule.intervals if i.status in self._blocking])
        free = busy.clear_of(slots)
        if schedule.working_hours is not None:
            working = self._working_spans(schedule.working_hours).covering(slots)
            free = [a and b for a, b in zip(free, working, strict=True)]
        return free

    def _working_spans(self, hours: WorkingHours) -> _Spans:
        if hours not in self._working:
            zone = ZoneInfo(hours.timezone)
            # One spare day each side: the person's time zone may put a slot on another date.
            days = [self._first + timedelta(days=n) for n in range(-1, (self._last - self._first).days + 2)]
            self._working[hours] = _Spans([
                (datetime.combine(d, hours.start, zone).astimezone(UTC),
                 datetime.combine(d, hours.end, zone).astimezone(UTC))
                for d in days if d.weekday() in hours.weekdays])
        return self._working[hours]
