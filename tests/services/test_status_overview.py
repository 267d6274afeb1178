"""The "tilanne" rows on fakes: each convening's status in words, upcoming first; a draft deleted only by its
own convener; an untouched draft expiring after DRAFT_EXPIRY, exactly at the boundary."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cards.common import to_json
from cards.status import status_card
from services.caller import Caller
from services.errors import UserFacingError
from services.schedule import DRAFT_EXPIRY
from services.status_overview import DELETE_REFUSED, StatusKind, StatusOverview
from tests.fakes.clock import ORDINARY
from tests.fakes.world import World, world
from tests.services.journey import booked, form, meeting_with_plan
from tests.services.test_housekeeping import run_round
from tests.support.teams_client import card_text


def overview(w: World) -> StatusOverview:
    """The overview over the world's stores, as bot/bootstrap.py wires it."""
    return StatusOverview(convenings=w.convening_store, meetings=w.meeting_store, teams=w.teams, clock=w.clock)


async def test_each_row_says_booked_draft_or_cancelled_with_the_upcoming_first() -> None:
    w = world(ORDINARY)
    later = await booked(w, 1)
    cancelled = await booked(w, 2)
    await w.bookings.cancel(cancelled.id, w.liisa, "")
    draft = await w.proposing.start(w.liisa)

    rows = await overview(w).rows(w.liisa)

    assert [(r.convening.id, r.kind) for r in rows] == [
        (later.id, StatusKind.BOOKED), (draft.id, StatusKind.DRAFT), (cancelled.id, StatusKind.CANCELLED)]
    shown = card_text(to_json(status_card(rows, "fi", now=w.clock())))
    assert "Varattu:" in shown and "Peruttu" in shown
    assert "Luonnos – muokattu tänään, poistuu itsestään" in shown
    assert shown.count("Poista luonnos") == 1, "only the draft can be deleted"


async def test_on_the_meeting_day_the_row_says_today_and_comes_first() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    today = await booked(w)
    assert today.booking is not None
    w.clock.set(today.booking.start - timedelta(hours=1))

    rows = await overview(w).rows(w.liisa)

    assert [(r.convening.id, r.kind) for r in rows] == [(today.id, StatusKind.TODAY), (draft.id, StatusKind.DRAFT)]
    shown = card_text(to_json(status_card(rows, "fi", now=w.clock())))
    assert "Tapaaminen tänään klo" in shown
    assert "Luonnos – muokattu" in shown


async def test_a_finalized_meeting_reads_plan_done_and_offers_no_deletion() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)
    await w.finalizing.finalize(meeting.id, w.liisa)

    rows = await overview(w).rows(w.liisa)

    assert [r.kind for r in rows] == [StatusKind.PLAN_DONE]
    for lang, words in (("fi", "Suunnitelma valmis – viimeistelty"), ("sv", "Planen klar"), ("en", "Plan done")):
        shown = card_text(to_json(status_card(rows, lang, now=w.clock())))
        assert words in shown
    assert "Poista luonnos" not in card_text(to_json(status_card(rows, "fi", now=w.clock())))


async def test_the_convener_deletes_her_draft_and_nothing_else_changes() -> None:
    w = world(ORDINARY)
    kept = await booked(w)
    draft = await w.proposing.start(w.liisa)
    before = w.convening_store.record(kept.id)

    await overview(w).delete_draft(draft.id, w.liisa)

    assert [c.id for c in w.convening_store.all()] == [kept.id]
    assert w.convening_store.record(kept.id) == before


@pytest.mark.parametrize("who", ["niko", "stranger"])
async def test_someone_else_cannot_delete_the_draft_and_nothing_changes(who: str) -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    before = w.convening_store.all()
    caller = w.niko if who == "niko" else Caller("00000000-0000-0000-0000-00000000dead", "Vieras")

    with pytest.raises(UserFacingError) as refused:
        await overview(w).delete_draft(draft.id, caller)

    assert refused.value.key == DELETE_REFUSED
    assert w.convening_store.all() == before


async def test_a_booked_convening_is_not_a_draft_and_cannot_be_deleted() -> None:
    w = world(ORDINARY)
    convening = await booked(w)

    with pytest.raises(UserFacingError):
        await overview(w).delete_draft(convening.id, w.liisa)

    assert w.convening_store.record(convening.id) == convening


async def test_an_untouched_draft_expires_exactly_after_the_expiry_period() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    kept = await booked(w)

    w.clock.set(draft.created_at + DRAFT_EXPIRY - timedelta(seconds=1))
    await run_round(w)
    assert draft.id in {c.id for c in w.convening_store.all()}, "a second before: kept"

    w.clock.set(draft.created_at + DRAFT_EXPIRY)
    await run_round(w)
    assert [c.id for c in w.convening_store.all()] == [kept.id]


async def test_a_draft_worked_on_again_expires_counting_from_its_last_change() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    w.clock.advance(timedelta(days=10))
    await w.proposing.search(draft.id, w.liisa, form(w))  # times proposed: the draft changed

    w.clock.set(draft.created_at + DRAFT_EXPIRY + timedelta(days=1))
    await run_round(w)
    assert draft.id in {c.id for c in w.convening_store.all()}

    w.clock.set(draft.created_at + timedelta(days=10) + DRAFT_EXPIRY)
    await run_round(w)
    assert w.convening_store.all() == []


async def test_a_draft_changed_meanwhile_is_not_deleted() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    w.convening_store.change_meanwhile(draft.id, lambda c: replace(c, lang="sv"))

    with pytest.raises(UserFacingError) as refused:
        await overview(w).delete_draft(draft.id, w.liisa)

    assert refused.value.key == "convening.changed_meanwhile"
    assert w.convening_store.record(draft.id).lang == "sv", "the other change is kept, the draft too"
