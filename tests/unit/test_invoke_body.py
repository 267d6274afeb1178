"""An Action.Execute's answer, built as JSON directly, is what the SDK's model would have sent."""

from __future__ import annotations

from microsoft_agents.activity import AdaptiveCardInvokeResponse

from bot.teams_app import MESSAGE_CONTENT_TYPE, invoke_body
from cards.common import CARD_CONTENT_TYPE


def test_a_card_answer_is_the_sdk_models_json() -> None:
    card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": "Hei"}]}
    expected = AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)
    assert invoke_body(CARD_CONTENT_TYPE, card) == expected.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_a_line_under_the_card_is_the_sdk_models_json() -> None:
    expected = AdaptiveCardInvokeResponse(status_code=200, type=MESSAGE_CONTENT_TYPE, value="Uusi kortti alla.")
    assert invoke_body(MESSAGE_CONTENT_TYPE, "Uusi kortti alla.") == expected.model_dump(
        mode="json", by_alias=True, exclude_none=True)
