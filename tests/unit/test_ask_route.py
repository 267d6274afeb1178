"""The "ask by e-mail" button is routed like every other verb: the caller's identity from the activity, the
proposals card back (with the people marked asked), and the card's message remembered for live updates."""

from __future__ import annotations

import json

from bot.action_router import ActionContext, ActionRouter
from bot.convening_actions import ConveningActions
from cards.common import to_json
from cards.verbs import Verb
from tests.services.test_availability_questions import NGO_WORKER, STRANGER, Asking, asking, proposed


def router(a: Asking, *, with_questions: bool = True) -> ActionRouter:
    w = a.w
    table = ActionRouter()
    ConveningActions(teams=w.teams, convenings=w.convenings, proposing=w.proposing, bookings=w.bookings,
                     answers=w.answers, questions=a.service if with_questions else None).register(table)
    return table


async def test_the_ask_verb_mails_the_unknown_and_shows_them_asked_on_the_card() -> None:
    a = asking()
    convening = await proposed(a)
    ctx = ActionContext(caller=a.w.liisa, lang="fi", message_id="1:proposals-card")

    card = await router(a).dispatch(Verb.ASK.value, {"conveningId": convening.id}, ctx)

    shown = json.dumps(to_json(card), ensure_ascii=False)
    assert "Kysytty sähköpostilla" in shown and "ei vastattu" in shown
    assert Verb.ASK.value not in shown, "everyone is asked: no button"
    assert sorted(m.to for m in a.outbox.sent) == sorted([NGO_WORKER.email, STRANGER])
    stored = a.w.convening_store.record(convening.id)
    assert set(stored.asked) == {NGO_WORKER.email, STRANGER}
    assert stored.proposals_activity_id == "1:proposals-card"


async def test_someone_elses_convening_is_refused_politely_and_nobody_is_mailed() -> None:
    a = asking()
    convening = await proposed(a)
    ctx = ActionContext(caller=a.w.niko, lang="fi", message_id="1:x")

    card = await router(a).dispatch(Verb.ASK.value, {"conveningId": convening.id, "userId": a.w.liisa.user_id}, ctx)

    assert "En löytänyt tätä kutsua" in json.dumps(to_json(card), ensure_ascii=False)
    assert a.outbox.sent == [] and a.w.convening_store.record(convening.id).asked == {}


async def test_showing_proposals_remembers_their_message() -> None:
    a = asking()
    convening = await proposed(a)
    ctx = ActionContext(caller=a.w.liisa, lang="fi", message_id="1:opened")

    await router(a).dispatch(Verb.OPEN.value, {"conveningId": convening.id}, ctx)

    assert a.w.convening_store.record(convening.id).proposals_activity_id == "1:opened"


async def test_without_the_service_the_verb_is_not_routed() -> None:
    a = asking()
    table = router(a, with_questions=False)

    assert Verb.ASK.value not in table.verbs()
    assert Verb.ASK.value in router(a).verbs()
