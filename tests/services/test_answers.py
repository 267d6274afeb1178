"""Answers from Outlook on fakes: they update the convening and its card; a decliner is replaced by another
member of the same role in the same event; a room that declines is replaced by another room."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.convening import Answer, ConveningStatus, Response, Venue
from services.errors import ConveningRefusedError, UserFacingError
from services.unit_of_work import ConveningRecords
from tests.fakes.clock import CHRISTMAS, ORDINARY
from tests.fakes.team import HANNA, KASTE, MIKKO, PIRJO, SOINTU
from tests.fakes.world import world
from tests.services.journey import booked


async def test_answers_update_the_convening_and_its_card_once() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, HANNA.email, Answer.ACCEPTED)
    w.calendar.answer(event.id, MIKKO.email, Answer.TENTATIVE)

    await w.status.on_change(convening.convener_id, event.id, "updated")

    stored = w.convening_store.record(convening.id)
    assert {e: r.answer for e, r in stored.responses.items()} == {HANNA.email: Answer.ACCEPTED,
                                                                   MIKKO.email: Answer.TENTATIVE}
    assert w.status_cards.cards[convening.id] == stored, "the card shows what is stored"
    # The same answers delivered again (Graph repeats notifications) change nothing and show nothing anew.
    w.status_cards.cards.clear()
    await w.status.on_change(convening.convener_id, event.id, "updated")
    assert w.status_cards.cards == {} and w.convening_store.record(convening.id) == stored


async def test_a_decline_keeps_its_message_screened_and_offers_a_substitute_who_joins_the_same_event() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, HANNA.email, Answer.DECLINED)
    w.mail.write(event.id, HANNA.email, "Olen koulutuksessa, soita 040 123 4567")

    await w.status.on_change(convening.convener_id, event.id, "updated")
    declined = w.convening_store.record(convening.id).response_of(HANNA.email)
    assert declined.answer is Answer.DECLINED and "Olen koulutuksessa" in declined.comment
    assert "040 123 4567" not in declined.comment, "a phone number in outside text is not kept"

    updated = await w.answers.substitute_decliner(convening.id, w.liisa, 0)

    [same] = w.calendar.live_events()
    assert same.id == event.id
    assert [p.email for p in same.draft.attendees] == [PIRJO.email, MIKKO.email]
    assert [p.email for p in updated.invitees] == [PIRJO.email, MIKKO.email] and updated.invitees[0].role == "neuvola"
    assert HANNA.email not in w.convening_store.record(convening.id).responses


async def test_no_substitute_free_then_is_refused_and_the_event_is_unchanged() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None
    [event] = w.calendar.live_events()
    w.calendar.block(PIRJO.email, convening.booking.start, convening.booking.end)
    w.calendar.answer(event.id, HANNA.email, Answer.DECLINED)
    await w.status.on_change(convening.convener_id, event.id, "updated")
    before = (event.draft, w.convening_store.record(convening.id))

    with pytest.raises(UserFacingError) as refused:
        await w.answers.substitute_decliner(convening.id, w.liisa, 0)

    assert refused.value.key == "convening.no_free_substitute"
    assert (event.draft, w.convening_store.record(convening.id)) == before


async def test_going_on_without_a_decliner_is_remembered() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, MIKKO.email, Answer.DECLINED)
    await w.status.on_change(convening.convener_id, event.id, "updated")

    await w.answers.go_without(convening.id, w.liisa, 1)

    assert w.convening_store.record(convening.id).going_without == (MIKKO.email,)
    assert [p.email for p in event.draft.attendees] == [HANNA.email, MIKKO.email], "Outlook is not changed"


async def test_a_room_that_declines_is_replaced_by_another_free_room_in_the_same_event() -> None:
    w = world(CHRISTMAS)
    convening = await booked(w, venue=Venue.HYBRID)
    [event] = w.calendar.live_events()
    assert event.draft.room_email == KASTE
    w.calendar.answer(event.id, KASTE, Answer.DECLINED)  # the room's delegate declines later, in Outlook

    await w.status.on_change(convening.convener_id, event.id, "updated")
    stored = w.convening_store.record(convening.id)
    assert stored.booking is not None and stored.booking.room_declined
    assert w.status_cards.cards[convening.id].booking == stored.booking

    changed = await w.answers.change_room(convening.id, w.liisa)

    [same] = w.calendar.live_events()
    assert same.id == event.id and same.draft.room_email == SOINTU and same.room_response == "accepted"
    assert changed.booking is not None and changed.booking.room == SOINTU and not changed.booking.room_declined
    assert same.draft.start == event.draft.start and same.draft.online


async def test_no_other_room_free_is_refused_and_going_on_without_a_room_removes_it_from_the_event() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None
    w.calendar.block(SOINTU, convening.booking.start, convening.booking.end)
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, KASTE, Answer.DECLINED)
    await w.status.on_change(convening.convener_id, event.id, "updated")

    with pytest.raises(UserFacingError) as refused:
        await w.answers.change_room(convening.id, w.liisa)
    assert refused.value.key == "booked.room_none_free" and event.draft.room_email == KASTE

    without = await w.answers.go_without_room(convening.id, w.liisa)
    assert event.draft.room_email is None
    assert without.booking is not None and without.booking.room is None and not without.booking.room_declined


async def test_an_event_cancelled_in_outlook_cancels_the_convening_and_frees_the_time() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()
    await w.calendar.cancel_event(convening.convener_id, event.id, "")

    await w.status.on_change(convening.convener_id, event.id, "deleted")

    assert w.convening_store.record(convening.id).status is ConveningStatus.CANCELLED
    assert w.status_cards.cards[convening.id].status is ConveningStatus.CANCELLED
    assert w.reservations.held == []


async def test_a_decline_is_recorded_without_its_message_when_the_mailbox_cannot_be_read() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    [event] = w.calendar.live_events()
    w.calendar.answer(event.id, HANNA.email, Answer.DECLINED)
    w.mail.unavailable = True

    await w.status.on_change(convening.convener_id, event.id, "updated")

    assert w.convening_store.record(convening.id).response_of(HANNA.email) == Response(Answer.DECLINED)


async def test_the_same_answers_recorded_by_another_instance_meanwhile_are_not_written_twice() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    answers = {HANNA.email: Response(Answer.ACCEPTED), MIKKO.email: Response(Answer.DECLINED, "Sairaana")}
    # Another instance records the same answers between this one's read and its write.
    w.convening_store.change_meanwhile(convening.id, lambda c: c.with_responses(
        {e: r.screened(Response()) for e, r in answers.items()}))

    result = await w.answers.record_responses(convening.id, answers)

    assert result is None, "read again, nothing was left to do"
    assert w.convening_store.stale_writes == 1
    assert w.convening_store.record(convening.id).responses == answers


async def test_missed_notifications_re_read_every_booked_event_of_the_organizer() -> None:
    w = world(ORDINARY)
    first = await booked(w)
    second = await booked(w, slot=1)
    for event in w.calendar.live_events():
        w.calendar.answer(event.id, HANNA.email, Answer.ACCEPTED)

    await w.status.on_missed(first.convener_id)

    for convening in (first, second):
        assert w.convening_store.record(convening.id).response_of(HANNA.email).answer is Answer.ACCEPTED
    assert set(w.status_cards.cards) == {first.id, second.id}


async def test_the_status_card_is_remembered_once_per_message() -> None:
    w = world(ORDINARY)
    convening = await booked(w)

    await w.answers.remember_status_card(convening.id, "activity-1")
    await w.answers.remember_status_card(convening.id, None)

    assert w.convening_store.record(convening.id) == replace(convening, status_activity_id="activity-1")


async def test_answers_recorded_meanwhile_do_not_refuse_a_workers_click_and_are_kept() -> None:
    """Outlook's notification of an answer is read in the background: a click that read the convening just before
    it (e.g. "Näytä lisää", a move) is saved anyway; the answer stays unless the click asked everyone again."""
    w = world(ORDINARY)
    convening = await booked(w, venue=Venue.REMOTE)
    records = ConveningRecords(w.convening_store)
    read = await records.get(convening.id)
    assert read is not None
    hanna = {HANNA.email: Response(Answer.ACCEPTED)}
    assert await w.answers.record_responses(convening.id, hanna) is not None  # the notification, meanwhile

    saved = await records.save_or_refuse(replace(read, status_activity_id="activity-9"))
    assert saved.status_activity_id == "activity-9" and saved.response_of(HANNA.email).answer is Answer.ACCEPTED
    stored = await ConveningRecords(w.convening_store).get(convening.id)
    assert stored == saved

    # A click that moved the meeting keeps its own (everyone is asked again at the new time).
    records = ConveningRecords(w.convening_store)
    read = await records.get(convening.id)
    assert read is not None and read.booking is not None
    later = replace(read.booking, start=read.booking.start + timedelta(hours=1),
                    end=read.booking.end + timedelta(hours=1))
    assert await w.answers.record_responses(convening.id, {HANNA.email: Response(Answer.DECLINED)}) is not None
    moved = await records.save_or_refuse(replace(read, booking=later))
    assert moved.booking == later and moved.response_of(HANNA.email).answer is Answer.ACCEPTED


async def test_anything_else_changed_meanwhile_still_refuses_the_click() -> None:
    w = world(ORDINARY)
    convening = await booked(w, venue=Venue.REMOTE)
    records = ConveningRecords(w.convening_store)
    read = await records.get(convening.id)
    assert read is not None
    assert await w.answers.record_responses(convening.id, None) is not None  # cancelled in Outlook meanwhile
    with pytest.raises(ConveningRefusedError) as refused:
        await records.save_or_refuse(replace(read, status_activity_id="activity-9"))
    assert refused.value.key == "convening.changed_meanwhile"
    assert refused.value.convening.status is ConveningStatus.CANCELLED
