"""Slot search alone: 20 people and 3 rooms over 8 weeks of realistic calendars, in-process."""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from bench.table import Row
from domain.availability import BusyInterval, BusyStatus, Schedule
from domain.finnish_calendar import FinnishHolidays
from domain.slots import SlotQuery, find_slots
from domain.team import InvitationPractice, PracticeWindow

HEL = ZoneInfo("Europe/Helsinki")


def _calendar(email: str, first: date, days: int, rng: random.Random) -> Schedule:
    """Working days with a few meetings each (1–4 of 30–120 min between 8 and 16), in UTC as Graph sends."""
    intervals = []
    for n in range(days):
        day = first + timedelta(days=n)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.randint(1, 4)):
            start = datetime.combine(day, clock_time(8), HEL) + timedelta(minutes=30 * rng.randint(0, 14))
            end = start + timedelta(minutes=30 * rng.randint(1, 4))
            status = rng.choice((BusyStatus.BUSY, BusyStatus.BUSY, BusyStatus.TENTATIVE, BusyStatus.OOF))
            intervals.append(BusyInterval(start.astimezone(UTC), end.astimezone(UTC), status))
    return Schedule(email, tuple(sorted(intervals, key=lambda i: i.start)))


def measure(runs: int) -> Row:
    """Median of ``runs`` searches (holidays loaded beforehand, as in the running bot)."""
    rng = random.Random(7)  # noqa: S311 - test calendars, not secrets
    first = date(2027, 1, 4)
    weeks = 8
    people = tuple(f"p{n}@kunta.fi" for n in range(20))
    rooms = tuple(f"room{n}@kunta.fi" for n in range(3))
    schedules = {a: _calendar(a, first, weeks * 7, rng) for a in (*people, *rooms)}
    practice = InvitationPractice(windows=(PracticeWindow(1, clock_time(12), clock_time(15)),
                                           PracticeWindow(3, clock_time(8), clock_time(11))))
    query = SlotQuery(practice=practice, timezone="Europe/Helsinki", earliest=first,
                      latest=first + timedelta(days=weeks * 7 - 1), duration=timedelta(minutes=90),
                      attendees=people, rooms=rooms, now=datetime(2026, 11, 2, 9, tzinfo=UTC))
    holidays = FinnishHolidays((2027,))
    find_slots(query, schedules, holidays)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        find_slots(query, schedules, holidays)
        timings.append(time.perf_counter() - started)
    p50 = statistics.median(timings) * 1000
    return Row(f"Slot search, 20 people + 3 rooms × 8 weeks (median of {runs})", "—", f"{p50:.2f} ms", "—",
               "≤ 5 ms", p50 <= 5)
