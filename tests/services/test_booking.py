"""Proposing and booking on fakes: the first free time is proposed, a taken time is refused politely and
nothing is booked, booking is idempotent through the transaction id, a move keeps the same event."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from domain.availability import BusyStatus
from domain.convening import Answer, ConveningStatus, Venue
from services.errors import ConveningRefusedError, ServiceUnavailableError, UserFacingError
from tests.fakes.clock import CHRISTMAS, DST_WEEK, HELSINKI, ORDINARY
from tests.fakes.team import HANNA, KASTE, LIISA, MIKKO, SOINTU, team
from tests.fakes.world import world
from tests.services.journey import booked, form, local, proposed


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment on Helsinki's clock."""
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


async def test_the_first_time_everyone_and_a_room_are_free_is_proposed_first() -> None:
    w = world(ORDINARY)  # Monday 3.5.2027: the first week that may be invited is 10.5.
    w.calendar.block(HANNA.email, at(2027, 5, 11, 12), at(2027, 5, 11, 13))

    outcome = await proposed(w)

    first = outcome.convening.proposals[0]
    assert (local(first.start), local(first.end)) == (at(2027, 5, 11, 13), at(2027, 5, 11, 14, 30))
    assert first.room == KASTE, "the smallest room that seats everyone (3 invited + the family)"
    stored = w.convening_store.record(outcome.convening.id)
    assert stored.status is ConveningStatus.PROPOSED and stored.shown == 5
    assert [p.email for p in stored.invitees] == [HANNA.email, MIKKO.email]


async def test_christmas_eve_is_never_proposed_and_the_next_free_week_comes_first() -> None:
    w = world(CHRISTMAS)  # Monday 14.12.2026: invitable from 21.12.; Christmas Eve is Thursday 24.12.
    w.calendar.block(HANNA.email, at(2026, 12, 22, 8), at(2026, 12, 22, 16))

    outcome = await proposed(w)

    days = {local(s.start).date() for s in outcome.convening.proposals}
    assert date(2026, 12, 24) not in days and date(2026, 12, 22) not in days
    assert local(outcome.convening.proposals[0].start) == at(2026, 12, 29, 12)


async def test_proposals_keep_the_practice_hours_across_the_spring_clock_change() -> None:
    w = world(DST_WEEK)  # Monday 15.3.2027; clocks go forward on Easter Sunday 28.3.

    outcome = await proposed(w)

    slots = outcome.convening.proposals
    before = [s for s in slots if local(s.start).date() < date(2027, 3, 28)]
    after = [s for s in slots if local(s.start).date() > date(2027, 3, 28)]
    assert before and after
    for slot in slots:
        start = local(slot.start)
        assert (start.weekday(), start.hour) in {(1, 12), (1, 13), (3, 8), (3, 9)}, start
        assert slot.end - slot.start == timedelta(minutes=90), "90 real minutes, whatever the offset"
        assert start.date() != date(2027, 3, 26), "Good Friday"
    # Booked after the change: 12.00 local is 09.00 UTC in summer time (10.00 UTC the week before).
    first_after = slots.index(after[0])
    convening = await w.bookings.book(outcome.convening.id, w.liisa, first_after)
    [event] = w.calendar.live_events()
    assert event.draft.start == after[0].start and event.draft.start.utcoffset() == timedelta(hours=3)
    assert convening.booking is not None and convening.booking.start == after[0].start


async def test_a_time_taken_meanwhile_is_refused_politely_and_nothing_is_booked() -> None:
    w = world(ORDINARY)
    outcome = await proposed(w)
    slot = outcome.convening.proposals[0]
    w.calendar.block(MIKKO.email, slot.start, slot.end)  # booked in Outlook after the search
    w.clock.advance(timedelta(minutes=11))  # proposals older than the freshness window are checked again

    with pytest.raises(UserFacingError) as refused:
        await w.bookings.book(outcome.convening.id, w.liisa, 0)

    assert refused.value.key == "convening.slot_taken"
    assert w.calendar.live_events() == []
    assert w.convening_store.record(outcome.convening.id).status is ConveningStatus.PROPOSED
    assert w.reservations.held == []


async def test_of_two_convenings_that_searched_together_the_second_is_told_the_time_was_taken() -> None:
    w = world(ORDINARY)
    first, second = await proposed(w), await proposed(w)
    assert first.convening.proposals[0] == second.convening.proposals[0]

    await w.bookings.book(first.convening.id, w.liisa, 0)
    with pytest.raises(UserFacingError) as refused:
        await w.bookings.book(second.convening.id, w.liisa, 0)

    assert refused.value.key == "convening.slot_taken"
    assert len(w.calendar.live_events()) == 1
    other = await w.bookings.book(second.convening.id, w.liisa, 1)  # another time is fine
    assert other.status is ConveningStatus.BOOKED and len(w.calendar.live_events()) == 2


async def test_booking_again_after_a_failure_or_a_crash_makes_one_event() -> None:
    w = world(ORDINARY)
    outcome = await proposed(w, venue=Venue.HYBRID)
    cid = outcome.convening.id
    w.calendar.failures.append(ServiceUnavailableError(503, "ServiceUnavailable"))

    with pytest.raises(ServiceUnavailableError):
        await w.bookings.book(cid, w.liisa, 1)
    assert w.convening_store.record(cid).status is ConveningStatus.BOOKING, "the choice is kept for the retry"

    first = await w.bookings.book(cid, w.liisa, 0)  # the retry finishes the chosen time, not another
    assert first.booking is not None and first.booking.start == outcome.convening.proposals[1].start
    # A crash after Outlook created the event but before it was saved: the same transaction id finds it.
    w.convening_store.overwrite(replace(w.convening_store.record(cid), status=ConveningStatus.BOOKING, booking=None))
    again = await w.bookings.book(cid, w.liisa, 1)
    third = await w.bookings.book(cid, w.liisa, 1)  # a double click

    assert [e.draft.transaction_id for e in w.calendar.live_events()] == [f"yhdessa-aika-{cid}"]
    assert again.booking == third.booking and again.booking is not None
    assert again.booking.event_id == first.booking.event_id and again.booking.join_url
    assert w.statistics.convened_ids == {cid}


async def test_rescheduling_moves_the_same_event_and_asks_everyone_again() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, HANNA.email, Answer.ACCEPTED)
    await w.status.on_change(convening.convener_id, event.id, "updated")
    assert w.convening_store.record(convening.id).response_of(HANNA.email).answer is Answer.ACCEPTED

    outcome = await w.bookings.reschedule(convening.id, w.liisa)
    assert outcome.convening.status is ConveningStatus.RESCHEDULING
    moved = await w.bookings.book(convening.id, w.liisa, 1)

    [same] = w.calendar.live_events()
    assert same.id == event.id and moved.booking is not None and moved.booking.event_id == event.id
    assert same.draft.start == outcome.convening.proposals[1].start != convening.booking.start
    stored = w.convening_store.record(convening.id)
    assert stored.status is ConveningStatus.BOOKED and stored.responses == {}
    assert not stored.reminded and not stored.start_notified
    assert [(r.start, r.end) for r in w.reservations.held] == [(same.draft.start, same.draft.end)]


async def test_cancelling_cancels_the_event_and_gives_the_time_back() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()

    with pytest.raises(ConveningRefusedError) as refused:
        await w.bookings.cancel(convening.id, w.liisa, "Perheen hetu 131052-308T")
    assert refused.value.key.startswith("cancel.") and refused.value.convening == convening
    assert w.calendar.live_events() == [event]

    cancelled = await w.bookings.cancel(convening.id, w.liisa, "Siirtyy keväälle")
    assert cancelled.status is ConveningStatus.CANCELLED
    assert w.calendar.live_events() == [] and event.cancel_message == "Siirtyy keväälle"
    assert w.reservations.held == []
    assert w.convening_store.record(convening.id).status is ConveningStatus.CANCELLED


async def test_a_form_refusal_carries_the_convening_and_changes_nothing() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)

    with pytest.raises(ConveningRefusedError) as refused:
        await w.proposing.search(draft.id, w.liisa, replace(form(w), duration_minutes=240))

    assert refused.value.key == "convening.longer_than_windows" and refused.value.convening == draft
    assert w.convening_store.record(draft.id) == draft


async def test_others_convenings_look_missing() -> None:
    w = world(ORDINARY)
    outcome = await proposed(w)

    with pytest.raises(UserFacingError) as refused:
        await w.bookings.book(outcome.convening.id, w.niko, 0)

    assert refused.value.key == "convening.not_found" and not isinstance(refused.value, ConveningRefusedError)
    assert w.calendar.live_events() == []


async def test_a_hybrid_meeting_gets_a_teams_link_and_the_big_room_when_the_small_one_is_taken() -> None:
    w = world(ORDINARY)
    w.calendar.block(KASTE, at(2027, 5, 1, 0), at(2027, 8, 1, 0))

    convening = await booked(w, venue=Venue.HYBRID)

    [event] = w.calendar.live_events()
    assert event.draft.room_email == SOINTU and event.draft.online and event.room_response == "accepted"
    assert convening.booking is not None and convening.booking.join_url
    assert {p.email for p in event.draft.attendees} == {HANNA.email, MIKKO.email}
    assert LIISA.email not in {p.email for p in event.draft.attendees}, "the organizer is not her own invitee"


async def test_asking_for_an_accessible_room_proposes_only_rooms_a_wheelchair_gets_into() -> None:
    plain = team()
    small, big = plain.rooms
    w = world(ORDINARY, the_team=replace(plain, rooms=(replace(small, wheelchair_accessible=False), big)))

    usual = await proposed(w)
    assert usual.convening.proposals[0].room == KASTE, "the smallest room that seats everyone, steps or not"

    convening = await w.proposing.start(w.liisa)
    outcome = await w.proposing.search(convening.id, w.liisa, replace(form(w), accessible_room=True))
    assert outcome.convening.proposals and {s.room for s in outcome.convening.proposals} == {SOINTU}
    assert outcome.convening.request is not None and outcome.convening.request.accessible_room, \
        "kept for a new search, a new room and the follow-up form"


async def test_working_elsewhere_is_not_free_for_a_meeting_in_a_room_but_is_for_teams() -> None:
    w = world(ORDINARY)  # Monday 3.5.2027: the first week that may be invited is 10.5.
    w.calendar.block(HANNA.email, at(2027, 5, 11, 12), at(2027, 5, 11, 16), BusyStatus.WORKING_ELSEWHERE)

    in_room = await proposed(w)
    on_teams = await proposed(w, venue=Venue.REMOTE)

    assert local(in_room.convening.proposals[0].start).date() != date(2027, 5, 11)
    assert local(on_teams.convening.proposals[0].start) == at(2027, 5, 11, 12)
