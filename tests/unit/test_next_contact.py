"""Free times near a wanted next contact: working days, office hours, never before now, nearest first."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.availability import BusyInterval, BusyStatus, Schedule
from domain.finnish_calendar import FinnishHolidays
from domain.next_contact import nearest_free

HELSINKI = ZoneInfo("Europe/Helsinki")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour, minute=minute), HELSINKI)


def test_a_busy_day_before_christmas_offers_the_next_working_days_not_the_holidays() -> None:
    wed = date(2026, 12, 23)  # Christmas Eve, Christmas Day and Boxing Day follow; then the weekend
    busy = Schedule("hanna@x.fi", (BusyInterval(at(wed, 0), at(wed, 23, 59), BusyStatus.BUSY),))
    near = nearest_free(at(wed, 9), busy, now=at(date(2026, 12, 21), 12), zone=HELSINKI,
                        is_holiday=FinnishHolidays([2026, 2027]))
    tue = date(2026, 12, 22)
    assert near == (at(tue, 15, 30), at(tue, 15), at(tue, 14, 30)), "the day before, nearest first"
    later = nearest_free(at(wed, 9), busy, now=at(wed, 8), zone=HELSINKI, is_holiday=FinnishHolidays([2026, 2027]))
    assert later[0] == at(date(2026, 12, 28), 8), "never in the past; Christmas and the weekend skipped"


def test_across_the_spring_clock_change_the_office_hours_stay_local() -> None:
    fri = date(2027, 3, 26)  # Good Friday; clocks go forward on Sunday 28.3.; Easter Monday 29.3.
    busy = Schedule("hanna@x.fi", (BusyInterval(at(fri, 0), at(fri, 23, 59), BusyStatus.BUSY),))
    [first] = nearest_free(at(fri, 15, 30), busy, now=at(fri, 7), zone=HELSINKI,
                           is_holiday=FinnishHolidays([2027]), count=1)
    assert first == at(date(2027, 3, 30), 8) and first.utcoffset() == at(date(2027, 3, 30), 8).utcoffset()
