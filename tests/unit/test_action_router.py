"""Card actions are routed by verb; payloads are validated; failures never show exception text."""

from __future__ import annotations

import json
import logging

import pytest
from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionRouter
from bot.payloads import BookPayload, RecordPayload
from cards.common import card, text, to_json
from cards.verbs import Verb
from services.caller import Caller
from services.errors import UserFacingError

CTX = ActionContext(caller=Caller("user-1", "Liisa"), lang="fi")
SECRET = "Perhe Virtanen 131052-308T"


def router_with(handler_result: object) -> ActionRouter:
    router = ActionRouter()

    async def handler(ctx: ActionContext, payload: RecordPayload) -> AdaptiveCard:
        if isinstance(handler_result, Exception):
            raise handler_result
        return card([text(f"ok {payload.convening_id} {ctx.caller.user_id}")])

    router.add(Verb.OPEN, RecordPayload, handler)
    return router


async def test_routes_by_verb_with_the_callers_identity_not_the_payloads() -> None:
    result = await router_with(None).dispatch("convening.open",
                                              {"conveningId": "0123456789abcdef", "userId": "attacker"}, CTX)
    assert "ok 0123456789abcdef user-1" in json.dumps(to_json(result))


@pytest.mark.parametrize("data", [None, [], {}, {"conveningId": 5}, {"conveningId": "x" * 5000},
                                  {"conveningId": "../../0123456789"}, "string"])
async def test_malformed_payloads_get_a_polite_message(data: object) -> None:
    result = json.dumps(to_json(await router_with(None).dispatch("convening.open", data, CTX)), ensure_ascii=False)
    assert "Kortin tiedot olivat puutteelliset" in result


async def test_unknown_verb_is_answered_politely() -> None:
    result = json.dumps(to_json(await router_with(None).dispatch("convening.nuke", {}, CTX)), ensure_ascii=False)
    assert "Tätä toimintoa ei tunnistettu" in result


async def test_user_facing_refusal_is_shown_in_finnish() -> None:
    router = router_with(UserFacingError("convening.not_found"))
    result = json.dumps(to_json(await router.dispatch("convening.open", {"conveningId": "0123456789abcdef"}, CTX)),
                        ensure_ascii=False)
    assert "En löytänyt tätä kutsua" in result


async def test_unexpected_failure_shows_a_reference_and_logs_no_exception_text(
        caplog: pytest.LogCaptureFixture) -> None:
    router = router_with(RuntimeError(SECRET))
    with caplog.at_level(logging.DEBUG):
        result = await router.dispatch("convening.open", {"conveningId": "0123456789abcdef"}, CTX)
    shown = json.dumps(to_json(result), ensure_ascii=False)
    assert "Pahoittelut, jokin meni vikaan" in shown and "Viite:" in shown
    assert SECRET not in shown
    assert SECRET not in caplog.text
    assert "RuntimeError" in caplog.text


def test_a_verb_cannot_be_registered_twice() -> None:
    router = router_with(None)
    with pytest.raises(ValueError, match="twice"):
        router.add(Verb.OPEN, BookPayload, router._routes["convening.open"].handler)
