"""The next contact in the responsible worker's calendar: is the wanted time free, and which free times are near.

The plan names when the responsible worker next contacts the family. Written over an existing appointment it
would be missed, so the wanted time is checked against their free/busy first; when it is taken, the nearest
free times on working days (not holidays, office hours in the team's time zone) are offered instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.availability import Schedule, free_during

#: How long the next contact reserves in the calendar.
NEXT_CONTACT_MINUTES = 30
#: Office hours the alternatives are looked for in, and how far ahead.
DAY_START, DAY_END = time(8, 0), time(16, 0)
SEARCH_DAYS = 7
#: Days before the wanted one that are also offered (when they are still ahead).
DAYS_BEFORE = 2
STEP = timedelta(minutes=30)


def search_span(wanted: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period whose free/busy is read: the wanted day's morning to the end of the last searched day."""
    day = wanted.astimezone(zone).date()
    return (datetime.combine(day - timedelta(days=DAYS_BEFORE), DAY_START, zone),
            datetime.combine(day + timedelta(days=SEARCH_DAYS), DAY_END, zone))


def nearest_free(wanted: datetime, schedule: Schedule, *, now: datetime, zone: ZoneInfo,
                 is_holiday: Callable[[date], bool], count: int = 3) -> tuple[datetime, ...]:
    """Up to ``count`` free starts nearest to ``wanted`` (earlier ones too, but never before ``now``), on working
    days within office hours, each free for the whole reservation; nearest first."""
    length = timedelta(minutes=NEXT_CONTACT_MINUTES)
    first_day = wanted.astimezone(zone).date()
    candidates: list[datetime] = []
    for offset in range(-DAYS_BEFORE, SEARCH_DAYS + 1):
        day = first_day + timedelta(days=offset)
        if day.weekday() >= 5 or is_holiday(day):
            continue
        start, end = datetime.combine(day, DAY_START, zone), datetime.combine(day, DAY_END, zone)
        while start + length <= end:
            if start > now and start != wanted and free_during(schedule, start, start + length):
                candidates.append(start)
            start += STEP
    candidates.sort(key=lambda moment: (abs(moment - wanted), moment))
    return tuple(candidates[:count])
