"""Which meeting times the near worker is offered: practice windows, lead time,
holidays, DST, everyone's calendars and rooms."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.availability import BusyInterval, BusyStatus, Schedule, WorkingHours
from domain.finnish_calendar import FinnishHolidays
from domain.slots import (
    MAX_RANGE_DAYS,
    SlotQuery,
    SlotSearch,
    default_range,
    find_slots,
    first_allowed_date,
    search_window,
)
from domain.team import InvitationPractice, PracticeWindow

HEL = ZoneInfo("Europe/Helsinki")
TUE, THU = 1, 3
THURSDAY_8_10 = PracticeWindow(THU, time(8), time(10))
ANNA, BO, CECILIA = "anna@kunta.fi", "bo@kunta.fi", "cecilia@kunta.fi"
ROOM1, ROOM2 = "neuvotteluhuone1@kunta.fi", "neuvotteluhuone2@kunta.fi"


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A Helsinki wall-clock time."""
    return datetime.combine(day, time(hour, minute), HEL)


def busy(start: datetime, end: datetime, status: BusyStatus = BusyStatus.BUSY) -> BusyInterval:
    return BusyInterval(start, end, status)


def schedule(email: str, *intervals: BusyInterval, hours: WorkingHours | None = None) -> Schedule:
    return Schedule(email, intervals, working_hours=hours)


def no_holidays(_: date) -> bool:
    return False


def search(
    earliest: date,
    latest: date,
    *schedules: Schedule,
    windows: tuple[PracticeWindow, ...] = (THURSDAY_8_10,),
    minutes: int = 90,
    attendees: tuple[str, ...] | None = None,
    rooms: tuple[str, ...] = (),
    now: datetime | None = None,
    holidays: FinnishHolidays | None = None,
    in_person: bool = False,
    **practice: int,
) -> SlotSearch:
    """Run the search with everyone in ``schedules`` required unless ``attendees`` says otherwise."""
    query = SlotQuery(
        practice=InvitationPractice(windows=windows, **practice),  # type: ignore[arg-type]
        timezone="Europe/Helsinki",
        earliest=earliest,
        latest=latest,
        duration=timedelta(minutes=minutes),
        attendees=attendees if attendees is not None
        else tuple(s.email for s in schedules if s.email not in rooms),
        rooms=rooms,
        now=now or at(date(2026, 1, 2), 12),
        in_person=in_person,
    )
    return find_slots(query, {s.email: s for s in schedules}, holidays or no_holidays)


def offered(result: SlotSearch) -> list[str]:
    """The offered starts as the user reads them, e.g. '5.3. 8:30', in the offered order."""
    return [f"{s.start.day}.{s.start.month}. {s.start.hour}:{s.start.minute:02d}" for s in result.slots]


def offered_dates(result: SlotSearch) -> list[date]:
    return sorted({s.start.date() for s in result.slots})


# --- practice windows -----------------------------------------------------------------

def test_thursday_8_to_10_offers_8_00_and_8_30_for_a_90_minute_meeting() -> None:
    result = search(date(2026, 3, 2), date(2026, 3, 8), schedule(ANNA))  # Mon–Sun of one week
    assert offered(result) == ["5.3. 8:00", "5.3. 8:30"]
    assert [s.end.time() for s in result.slots] == [time(9, 30), time(10)]
    assert result.candidate_starts == 2


def test_overlapping_windows_do_not_offer_a_time_twice() -> None:
    windows = (THURSDAY_8_10, PracticeWindow(THU, time(9), time(11)))
    result = search(date(2026, 3, 5), date(2026, 3, 5), schedule(ANNA), windows=windows, minutes=60)
    assert offered(result) == ["5.3. 8:00", "5.3. 8:30", "5.3. 9:00", "5.3. 9:30", "5.3. 10:00"]


# --- lead time ------------------------------------------------------------------------

@pytest.mark.parametrize(("lead_days", "first", "dates"), [
    (10, date(2026, 3, 12), [date(2026, 3, 12), date(2026, 3, 19)]),
    (11, date(2026, 3, 13), [date(2026, 3, 19)]),
])
def test_min_lead_days(lead_days: int, first: date, dates: list[date]) -> None:
    now = at(date(2026, 3, 2), 10)  # Monday
    practice = InvitationPractice(windows=(THURSDAY_8_10,), min_lead_days=lead_days)
    assert first_allowed_date(practice, now, "Europe/Helsinki") == first
    result = search(date(2026, 3, 2), date(2026, 3, 19), schedule(ANNA), now=now, min_lead_days=lead_days)
    assert offered_dates(result) == dates


# "Thursdays 8–10, invite by Monday of the previous week."
@pytest.mark.parametrize(("now", "first", "dates"), [
    # Still Monday 23.11. late evening: Thursday 3.12. can be invited.
    (at(date(2026, 11, 23), 23, 30), date(2026, 11, 30), [date(2026, 12, 3), date(2026, 12, 10)]),
    # Tuesday 00:30 in Helsinki is still Monday in UTC: the local date decides.
    (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), date(2026, 12, 7), [date(2026, 12, 10)]),
    # Sunday before the deadline week: the next week is already too close.
    (at(date(2026, 11, 22), 12), date(2026, 11, 30), [date(2026, 12, 3), date(2026, 12, 10)]),
])
def test_invite_by_monday_of_the_previous_week(now: datetime, first: date, dates: list[date]) -> None:
    practice = InvitationPractice(windows=(THURSDAY_8_10,), deadline_weekday=0, deadline_weeks_before=1)
    assert first_allowed_date(practice, now, "Europe/Helsinki") == first
    result = search(date(2026, 11, 23), date(2026, 12, 10), schedule(ANNA), now=now,
                    deadline_weekday=0, deadline_weeks_before=1)
    assert offered_dates(result) == dates


def test_min_lead_days_and_deadline_rule_the_later_wins() -> None:
    practice = InvitationPractice(windows=(THURSDAY_8_10,), min_lead_days=14, deadline_weekday=0)
    assert first_allowed_date(practice, at(date(2026, 11, 23), 9), "Europe/Helsinki") == date(2026, 12, 7)


def test_default_range_is_lead_time_to_lead_time_plus_horizon() -> None:
    practice = InvitationPractice(windows=(THURSDAY_8_10,), min_lead_days=3, horizon_days=56)
    assert default_range(practice, at(date(2026, 3, 2), 10), "Europe/Helsinki") == (
        date(2026, 3, 5), date(2026, 4, 30))


def test_now_in_the_middle_of_a_window_offers_only_later_starts() -> None:
    result = search(date(2026, 3, 5), date(2026, 3, 12), schedule(ANNA), now=at(date(2026, 3, 5), 8, 15))
    assert offered(result) == ["5.3. 8:30", "12.3. 8:00", "12.3. 8:30"]
    assert result.candidate_starts == 3


# --- holidays ---------------------------------------------------------------------------

@pytest.mark.parametrize(("earliest", "latest", "dates"), [
    (date(2026, 5, 4), date(2026, 5, 22), [date(2026, 5, 7), date(2026, 5, 21)]),  # Ascension 14.5.
    (date(2026, 12, 14), date(2026, 12, 31), [date(2026, 12, 17), date(2026, 12, 31)]),  # Christmas Eve
])
def test_holidays_are_skipped(earliest: date, latest: date, dates: list[date]) -> None:
    result = search(earliest, latest, schedule(ANNA), holidays=FinnishHolidays())
    assert offered_dates(result) == dates


def test_only_holidays_in_range_means_no_candidates_and_nobody_blamed() -> None:
    result = search(date(2026, 5, 14), date(2026, 5, 14), schedule(ANNA), holidays=FinnishHolidays())
    assert result.slots == ()
    assert result.candidate_starts == 0
    assert result.never_free == ()


# --- daylight saving time --------------------------------------------------------------------

@pytest.mark.parametrize(("day", "utc_offset_hours"), [
    (date(2026, 3, 26), 2),  # before the switch on 29.3.
    (date(2026, 4, 2), 3),
    (date(2026, 10, 22), 3),  # before the switch back on 25.10.
    (date(2026, 10, 29), 2),
])
def test_window_stays_at_8_local_across_dst(day: date, utc_offset_hours: int) -> None:
    result = search(day, day, schedule(ANNA))
    first = result.slots[0]
    assert (first.start.hour, first.start.minute) == (8, 0)
    assert first.start.utcoffset() == timedelta(hours=utc_offset_hours)
    assert first.start.astimezone(UTC).hour == 8 - utc_offset_hours
    assert first.end - first.start == timedelta(minutes=90)


def test_busy_time_given_in_utc_blocks_the_right_local_time_across_dst() -> None:
    # 05:00–05:30 UTC is 7:00–7:30 in Helsinki on 26.3. (EET) but 8:00–8:30 on 2.4. (EEST).
    anna = schedule(ANNA, *(busy(datetime(2026, m, d, 5, tzinfo=UTC), datetime(2026, m, d, 5, 30, tzinfo=UTC))
                            for m, d in ((3, 26), (4, 2))))
    result = search(date(2026, 3, 26), date(2026, 4, 2), anna)
    assert offered(result) == ["26.3. 8:00", "2.4. 8:30", "26.3. 8:30"]


# --- calendars ---------------------------------------------------------------------------------

THU_5_3 = date(2026, 3, 5)


@pytest.mark.parametrize(("status", "times"), [
    (BusyStatus.BUSY, ["5.3. 8:30"]),
    (BusyStatus.TENTATIVE, ["5.3. 8:30"]),
    (BusyStatus.OOF, ["5.3. 8:30"]),
    (BusyStatus.UNKNOWN, ["5.3. 8:30"]),
    (BusyStatus.FREE, ["5.3. 8:00", "5.3. 8:30"]),
    (BusyStatus.WORKING_ELSEWHERE, ["5.3. 8:00", "5.3. 8:30"]),
])
def test_which_statuses_block(status: BusyStatus, times: list[str]) -> None:
    # Busy 8:00–8:30: the 8:30 start touches it but does not overlap it.
    bo = schedule(BO, busy(at(THU_5_3, 8), at(THU_5_3, 8, 30), status))
    assert offered(search(THU_5_3, THU_5_3, schedule(ANNA), bo)) == times


@pytest.mark.parametrize(("in_person", "times"), [(False, ["5.3. 8:00", "5.3. 8:30"]), (True, ["5.3. 8:30"])],
                         ids=["teams-or-hybrid", "in-a-room"])
def test_working_elsewhere_is_free_only_when_one_can_join_from_there(in_person: bool, times: list[str]) -> None:
    # Working at another site 8:00–8:30: one can join a Teams meeting from there, not sit in the room.
    bo = schedule(BO, busy(at(THU_5_3, 8), at(THU_5_3, 8, 30), BusyStatus.WORKING_ELSEWHERE))
    assert offered(search(THU_5_3, THU_5_3, schedule(ANNA), bo, in_person=in_person)) == times


@pytest.mark.parametrize("meetings", [
    ((7, 0, 12, 0), (8, 0, 8, 15)),  # a long meeting around a short one
    ((7, 0, 8, 15), (8, 0, 9, 0)),  # overlapping meetings in a row
], ids=["nested", "chained"])
def test_overlapping_meetings_block_together(meetings: tuple[tuple[int, int, int, int], ...]) -> None:
    bo = schedule(BO, *(busy(at(THU_5_3, h1, m1), at(THU_5_3, h2, m2)) for h1, m1, h2, m2 in meetings))
    result = search(THU_5_3, THU_5_3, schedule(ANNA), bo)
    assert result.slots == ()
    assert result.never_free == (BO,)


@pytest.mark.parametrize(("meeting", "times"), [
    ((7, 0, 8, 0), ["5.3. 8:00", "5.3. 8:30"]),  # ends when ours starts
    ((10, 0, 11, 0), ["5.3. 8:00", "5.3. 8:30"]),  # starts when the later one ends
    ((9, 30, 10, 0), ["5.3. 8:00"]),  # starts when the 8:00 meeting ends
    ((9, 0, 9, 0), ["5.3. 8:00", "5.3. 8:30"]),  # a zero-length reminder takes no time
])
def test_meetings_that_only_touch_a_slot_do_not_block_it(meeting: tuple[int, int, int, int],
                                                         times: list[str]) -> None:
    h1, m1, h2, m2 = meeting
    bo = schedule(BO, busy(at(THU_5_3, h1, m1), at(THU_5_3, h2, m2)))
    assert offered(search(THU_5_3, THU_5_3, schedule(ANNA), bo)) == times


def test_an_all_day_out_of_office_blocks_that_day_only() -> None:
    bo = schedule(BO, busy(at(THU_5_3), at(THU_5_3 + timedelta(days=1)), BusyStatus.OOF))
    result = search(THU_5_3, date(2026, 3, 12), schedule(ANNA), bo)
    assert offered_dates(result) == [date(2026, 3, 12)]
    assert result.never_free == ()


def test_working_hours_exclude_a_part_time_workers_day_off() -> None:
    windows = (PracticeWindow(TUE, time(12), time(14)), THURSDAY_8_10)
    part_time = WorkingHours(frozenset({0, 1, 2}), time(8), time(16))  # Mon–Wed
    cecilia = schedule(CECILIA, hours=part_time)
    result = search(date(2026, 3, 2), date(2026, 3, 8), schedule(ANNA), cecilia, windows=windows)
    assert offered(result) == ["3.3. 12:00", "3.3. 12:30"]


def test_a_meeting_may_end_exactly_when_the_working_day_ends() -> None:
    early_shift = WorkingHours(frozenset(range(5)), time(7), time(15))
    windows = (PracticeWindow(TUE, time(12), time(16)),)
    result = search(date(2026, 3, 3), date(2026, 3, 3), schedule(ANNA, hours=early_shift), windows=windows)
    assert offered(result) == ["3.3. 12:00", "3.3. 12:30", "3.3. 13:00", "3.3. 13:30"]


def test_working_hours_in_the_persons_own_time_zone() -> None:
    # 8–16 in Stockholm is 9–17 in Helsinki: the meeting may start at 9:00 at the earliest.
    stockholm = WorkingHours(frozenset(range(5)), time(8), time(16), "Europe/Stockholm")
    windows = (PracticeWindow(THU, time(8), time(12)),)
    result = search(THU_5_3, THU_5_3, schedule(ANNA, hours=stockholm), windows=windows)
    assert offered(result) == ["5.3. 9:00", "5.3. 9:30", "5.3. 10:00", "5.3. 10:30"]


def test_unknown_or_missing_mailbox_is_never_free_and_named() -> None:
    unknown = Schedule(BO, (), error="ErrorMailboxNotFound")
    attendees = (CECILIA, ANNA, BO)  # Cecilia has no schedule at all
    result = search(THU_5_3, THU_5_3, schedule(ANNA), unknown, attendees=attendees)
    assert result.slots == ()
    assert result.candidate_starts == 2
    assert result.never_free == (CECILIA, BO)


@pytest.mark.parametrize(("schedule_address", "attendee"), [(ANNA, "Anna@Kunta.fi"), ("Anna@Kunta.fi", ANNA)])
def test_schedule_addresses_match_case_insensitively(schedule_address: str, attendee: str) -> None:
    result = search(THU_5_3, THU_5_3, schedule(schedule_address), attendees=(attendee,))
    assert offered(result) == ["5.3. 8:00", "5.3. 8:30"]


# --- rooms ---------------------------------------------------------------------------------------

def test_busy_first_room_falls_back_to_the_second() -> None:
    room1 = schedule(ROOM1, busy(at(THU_5_3, 8), at(THU_5_3, 8, 30)))
    result = search(THU_5_3, THU_5_3, schedule(ANNA), room1, schedule(ROOM2), rooms=(ROOM1, ROOM2))
    assert [(t, s.room) for t, s in zip(offered(result), result.slots, strict=True)] == [
        ("5.3. 8:00", ROOM2), ("5.3. 8:30", ROOM1)]
    assert not result.room_shortage


def test_no_free_room_is_a_room_shortage() -> None:
    all_day = busy(at(THU_5_3), at(THU_5_3 + timedelta(days=1)))
    room2_unknown = Schedule(ROOM2, (), error="ErrorMailboxNotFound")
    result = search(THU_5_3, THU_5_3, schedule(ANNA), schedule(ROOM1, all_day), room2_unknown,
                    rooms=(ROOM1, ROOM2))
    assert result.slots == ()
    assert result.room_shortage
    assert result.never_free == ()


def test_no_room_shortage_when_the_people_were_not_free_either() -> None:
    all_day = busy(at(THU_5_3), at(THU_5_3 + timedelta(days=1)))
    result = search(THU_5_3, THU_5_3, schedule(ANNA, all_day), schedule(ROOM1, all_day), rooms=(ROOM1,))
    assert result.slots == ()
    assert not result.room_shortage
    assert result.never_free == (ANNA,)


# --- order -----------------------------------------------------------------------------------------

def test_days_are_interleaved_to_offer_a_real_choice() -> None:
    result = search(THU_5_3, date(2026, 3, 12), schedule(ANNA), minutes=60)
    assert offered(result) == [
        "5.3. 8:00", "12.3. 8:00", "5.3. 8:30", "12.3. 8:30", "5.3. 9:00", "12.3. 9:00"]


def test_interleaving_counts_only_the_times_that_are_free() -> None:
    anna = schedule(ANNA, busy(at(THU_5_3, 8), at(THU_5_3, 8, 30)))
    result = search(THU_5_3, date(2026, 3, 12), anna, minutes=60)
    assert offered(result) == ["5.3. 8:30", "12.3. 8:00", "5.3. 9:00", "12.3. 8:30", "12.3. 9:00"]


# --- the free/busy window asked from Graph -------------------------------------------------------

def window_query(earliest: date, latest: date, now: datetime, *windows: PracticeWindow) -> SlotQuery:
    return SlotQuery(practice=InvitationPractice(windows=windows or (PracticeWindow(TUE, time(12), time(15)),
                                                                     THURSDAY_8_10)),
                     timezone="Europe/Helsinki", earliest=earliest, latest=latest, duration=timedelta(minutes=90),
                     attendees=(ANNA,), rooms=(), now=now)


def test_the_widest_range_asks_free_busy_for_less_than_62_days_even_when_summer_time_ends() -> None:
    # 61 days between earliest and latest (the form's most) across 25.10.2026, when a day has 25 hours:
    # midnight to midnight would be 62 days and an hour, more than getSchedule takes.
    earliest = date(2026, 9, 28)
    latest = earliest + timedelta(days=MAX_RANGE_DAYS)
    window = search_window(window_query(earliest, latest, at(date(2026, 9, 1), 12)), no_holidays)
    assert window == (at(date(2026, 9, 29), 12), at(date(2026, 11, 26), 10))  # first Tuesday 12 – last Thursday 10
    assert window[1] - window[0] < timedelta(days=62)
    assert at(latest + timedelta(days=1)) - at(earliest) >= timedelta(days=62)


def test_the_window_starts_at_the_first_start_still_ahead_and_is_none_without_practice_time() -> None:
    thursday = date(2026, 3, 5)
    window = search_window(window_query(thursday, thursday, at(thursday, 8, 15)), no_holidays)
    assert window == (at(thursday, 8, 30), at(thursday, 10))
    monday = date(2026, 3, 2)
    assert search_window(window_query(monday, monday, at(date(2026, 3, 1), 12)), no_holidays) is None
