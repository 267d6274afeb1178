"""Scheduled work on fakes: each notice reaches its person once (also with two instances), a failed send
is tried again, and what may no longer be kept is deleted."""

from __future__ import annotations

from datetime import timedelta

from domain.convening import ConveningStatus
from services.housekeeping import Housekeeping
from services.meeting_settings import MeetingSettings
from tests.fakes.clock import CHRISTMAS, DST_WEEK, ORDINARY
from tests.fakes.team import HANNA, LIISA_ID
from tests.fakes.world import World, world
from tests.services.journey import booked, meeting_with_plan


async def run_round(w: World, housekeeping: Housekeeping | None = None) -> None:
    """One scheduler round: every due job in turn (as bot.scheduler.Scheduler.tick runs them)."""
    async for job in (housekeeping or w.housekeeping).due_jobs(w.notices):
        await job()


async def test_the_day_before_and_the_start_notice_reach_the_near_worker_once() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None

    w.clock.set(convening.booking.start - timedelta(hours=20))
    await run_round(w)
    await run_round(w)
    w.clock.set(convening.booking.start - timedelta(minutes=5))
    await run_round(w)
    await run_round(w)

    assert w.notices.received(LIISA_ID) == [("day_before", convening.id), ("meeting_starts", convening.id)]
    stored = w.convening_store.record(convening.id)
    assert stored.reminded and stored.start_notified


async def test_two_instances_send_each_notice_once() -> None:
    w = world(CHRISTMAS)
    convening = await booked(w)
    assert convening.booking is not None
    other = Housekeeping(convenings=w.convening_store, meetings=w.meeting_store, settings=MeetingSettings(),
                         clock=w.clock)
    w.clock.set(convening.booking.start - timedelta(hours=2))
    # Both instances list the same due work before either claims it.
    mine = [job async for job in w.housekeeping.due_jobs(w.notices)]
    theirs = [job async for job in other.due_jobs(w.notices)]

    for job in [*mine, *theirs]:
        await job()

    assert w.notices.received(LIISA_ID) == [("day_before", convening.id)]


async def test_a_notice_that_could_not_be_delivered_is_given_back_and_sent_on_the_next_round() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None
    w.clock.set(convening.booking.start - timedelta(hours=3))
    w.notices.unreachable.add(LIISA_ID)

    await run_round(w)
    assert not w.convening_store.record(convening.id).reminded, "the claim was given back"

    w.notices.unreachable.clear()
    await run_round(w)
    assert w.notices.received(LIISA_ID) == [("day_before", convening.id)]


async def test_the_time_warning_and_the_next_contact_reminder_reach_their_people_once() -> None:
    w = world(DST_WEEK)
    meeting = await meeting_with_plan(w)
    w.clock.set(meeting.scheduled_end - timedelta(minutes=15))
    await run_round(w)
    await run_round(w)
    assert ("time_running_out", meeting.id) in w.notices.received(LIISA_ID)

    await w.finalizing.finalize(meeting.id, w.liisa)
    record = w.meeting_store.record(meeting.id).finalized
    assert record is not None and record.next_contact is not None
    w.clock.set(record.next_contact - timedelta(hours=10))
    await run_round(w)
    await run_round(w)

    assert w.notices.received(HANNA.email) == [("next_contact_soon", meeting.id)], "the responsible worker"
    assert w.notices.received(LIISA_ID).count(("time_running_out", meeting.id)) == 1


async def test_a_draft_never_booked_is_deleted_after_thirty_days_and_a_booked_one_is_kept() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    kept = await booked(w)

    w.clock.advance(timedelta(days=31))
    await run_round(w)

    assert [c.id for c in w.convening_store.all()] == [kept.id]
    assert w.convening_store.record(kept.id).status is ConveningStatus.BOOKED
    assert draft.id not in {c.id for c in w.convening_store.all()}


async def test_a_finalized_meeting_and_its_convening_are_deleted_after_the_retention_period() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)
    await w.finalizing.finalize(meeting.id, w.liisa)

    w.clock.advance(timedelta(days=364))
    await run_round(w)
    assert w.meeting_store.has(meeting.id)

    w.clock.advance(timedelta(days=3))
    await run_round(w)
    assert not w.meeting_store.has(meeting.id)
    assert w.convening_store.all() == []
