"""The "tilanne" card's buttons routed like every other verb: the caller from the activity, never the payload.
Opening a finalized meeting shows its result (not Aloita/Siirrä/Peru), a cancelled one no actions, and
"Poista luonnos" deletes only the caller's own draft."""

from __future__ import annotations

from typing import Any

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionRouter, NewCard
from bot.convening_actions import ConveningActions
from cards.common import to_json
from cards.verbs import Verb
from services.status_overview import StatusOverview
from tests.fakes.clock import ORDINARY
from tests.fakes.world import World, world
from tests.services.journey import booked, meeting_with_plan
from tests.support.teams_client import actions, card_text


def router(w: World) -> ActionRouter:
    table = ActionRouter()
    overview = StatusOverview(convenings=w.convening_store, meetings=w.meeting_store, teams=w.teams, clock=w.clock)
    ConveningActions(teams=w.teams, convenings=w.convenings, proposing=w.proposing, bookings=w.bookings,
                     answers=w.answers, overview=overview).register(table)
    return table


async def show(table: ActionRouter, verb: Verb, data: dict[str, Any], ctx: ActionContext) -> dict[str, Any]:
    """The card the action answers with: in place of the one clicked, or (the status list itself, asked for from
    the welcome card) a new card below it."""
    result = await table.dispatch(verb.value, data, ctx)
    if verb is Verb.STATUS:
        assert isinstance(result, NewCard), "the welcome card's status button posts the list below it"
        result = result.card
    assert isinstance(result, AdaptiveCard), "the status card's actions answer in place"
    return to_json(result)


def verbs(card: dict[str, Any]) -> set[str]:
    return {a["verb"] for a in actions(card)}


async def test_opening_a_finalized_meeting_from_the_status_card_shows_the_plan_not_the_invitation() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)
    await w.finalizing.finalize(meeting.id, w.liisa)
    ctx = ActionContext(caller=w.liisa, lang="fi")
    table = router(w)
    status = await show(table, Verb.STATUS, {}, ctx)
    assert "Suunnitelma valmis – viimeistelty" in card_text(status)
    opening = next(a for a in actions(status) if a["verb"] == Verb.OPEN.value)

    shown = await show(table, Verb.OPEN, opening["data"], ctx)

    assert "Suunnitelma valmis" in card_text(shown)
    assert "Kutsu lähetetty" not in card_text(shown)
    assert not verbs(shown) & {Verb.MEETING_START.value, Verb.RESCHEDULE.value, Verb.CANCEL.value}
    assert Verb.FOLLOWUP.value in verbs(shown)


async def test_a_cancelled_convening_opens_as_cancelled_without_actions() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    await w.bookings.cancel(convening.id, w.liisa, "")

    shown = await show(router(w), Verb.OPEN, {"conveningId": convening.id}, ActionContext(caller=w.liisa, lang="fi"))

    assert "peruttu" in card_text(shown).lower()
    assert verbs(shown) == set()


async def test_the_convener_deletes_a_draft_from_the_status_card() -> None:
    w = world(ORDINARY)
    kept = await booked(w)
    draft = await w.proposing.start(w.liisa)
    ctx = ActionContext(caller=w.liisa, lang="fi")
    status = await show(router(w), Verb.STATUS, {}, ctx)
    delete = next(a for a in actions(status) if a["verb"] == Verb.DELETE_DRAFT.value)
    assert delete["data"]["conveningId"] == draft.id and delete["title"] == "Poista luonnos"

    shown = await show(router(w), Verb.DELETE_DRAFT, delete["data"], ctx)

    assert "Luonnos poistettu." in card_text(shown)
    assert Verb.DELETE_DRAFT.value not in verbs(shown)
    assert [c.id for c in w.convening_store.all()] == [kept.id]


async def test_another_worker_cannot_delete_the_draft_and_is_told_so_politely() -> None:
    w = world(ORDINARY)
    draft = await w.proposing.start(w.liisa)
    before = w.convening_store.all()
    # The payload names Liisa's draft (and even Liisa): the caller is Niko, from the activity.
    data = {"conveningId": draft.id, "userId": w.liisa.user_id, "convenerId": w.liisa.user_id}

    shown = await show(router(w), Verb.DELETE_DRAFT, data, ActionContext(caller=w.niko, lang="fi"))

    assert "Tätä luonnosta ei voi poistaa" in card_text(shown) and "Mitään ei muutettu." in card_text(shown)
    assert w.convening_store.all() == before
