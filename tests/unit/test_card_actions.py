"""Cards for phones: Action.Execute turned into Action.Submit, and the click read back (bot/card_actions.py)."""

from __future__ import annotations

from typing import Any

import pytest
from microsoft_agents.activity import Activity

from bot.card_actions import SUBMIT_VERB_KEY, CardActions, as_submit, client_platform, submitted, wants_submit
from cards.common import to_json
from tests.contract.test_card_schema import BUILDERS as CONVENING_CARDS
from tests.contract.test_meeting_cards import BUILDERS as MEETING_CARDS
from tests.support.card_schema import card_errors


def _activity(platform: str | None, **extra: Any) -> Activity:
    entities = [{"type": "clientInfo", "locale": "fi-FI", **({"platform": platform} if platform else {})}]
    return Activity.model_validate({"type": "message", "entities": entities, **extra})


@pytest.mark.parametrize(("platform", "setting", "submit"), [
    ("android", CardActions.AUTO, True), ("iOS", CardActions.AUTO, True), ("web", CardActions.AUTO, False),
    ("windows", CardActions.AUTO, False), (None, CardActions.AUTO, False), ("web", CardActions.SUBMIT, True),
])
def test_phones_and_the_submit_setting_get_action_submit(platform: str | None, setting: CardActions,
                                                         submit: bool) -> None:
    assert wants_submit(_activity(platform), setting) is submit


def test_no_client_info_is_no_platform() -> None:
    assert client_platform(Activity.model_validate({"type": "message"})) is None


def test_every_execute_becomes_a_submit_carrying_its_verb_and_data() -> None:
    card: dict[str, Any] = {
            "type": "AdaptiveCard", "version": "1.5", "refresh": {"action": {"type": "Action.Execute", "verb": "v"}},
            "body": [{"type": "ActionSet", "actions": [
                {"type": "Action.Execute", "verb": "meeting.step", "title": "Tehty", "style": "positive",
                 "data": {"conveningId": "0123456789abcdef", "step": "welcome"}}]}],
            "actions": [{"type": "Action.OpenUrl", "title": "Teams", "url": "https://example.test"}]}
    converted: Any = as_submit(card)
    assert "refresh" not in converted, "a phone would call the refresh's Action.Execute by itself"
    [button] = converted["body"][0]["actions"]
    assert button == {"type": "Action.Submit", "title": "Tehty", "style": "positive",
                      "data": {"conveningId": "0123456789abcdef", "step": "welcome", SUBMIT_VERB_KEY: "meeting.step"}}
    assert converted["actions"] == card["actions"], "other actions stay as they are"
    assert card["body"][0]["actions"][0]["type"] == "Action.Execute", "the original is not changed"


@pytest.mark.parametrize("name", sorted({**CONVENING_CARDS, **MEETING_CARDS}))
def test_every_card_stays_valid_adaptive_card_1_5_as_submit(name: str) -> None:
    build = {**CONVENING_CARDS, **MEETING_CARDS}[name]
    converted = as_submit(to_json(build("fi")))
    assert not card_errors(converted)
    assert "Action.Execute" not in str(converted)


def test_the_click_is_read_back_with_the_inputs_and_without_our_key() -> None:
    clicked = submitted(_activity("android", value={SUBMIT_VERB_KEY: "star.save", "conveningId": "x", "f_0": "2"}))
    assert clicked == ("star.save", {"conveningId": "x", "f_0": "2"})


@pytest.mark.parametrize("value", [None, "text", {"verb": "star.save"}, {SUBMIT_VERB_KEY: 3}])
def test_other_messages_are_not_clicks(value: object) -> None:
    assert submitted(_activity("android", value=value, text="tilanne")) is None
