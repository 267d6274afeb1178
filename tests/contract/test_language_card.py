"""The language card is a valid Adaptive Card 1.5 in every language, speaking the reader's language."""

from __future__ import annotations

import pytest

from cards.common import to_json
from cards.language_card import language_card
from tests.support.card_schema import assert_valid_card
from tests.support.teams_client import card_text


@pytest.mark.parametrize(("lang", "changed", "listing"), [
    ("fi", "Kieli on nyt suomi.", ("kieli sv", "svenska", "kieli en", "English")),
    ("sv", "Språket är nu svenska.", ("språk fi", "suomi", "språk en", "English")),
    ("en", "The language is now English.", ("language fi", "suomi", "language sv", "svenska")),
])
def test_choices_and_confirmation(lang: str, changed: str, listing: tuple[str, ...]) -> None:
    listed = to_json(language_card(lang))
    assert_valid_card(listed)
    assert listed["lang"] == lang
    assert all(part in card_text(listed) for part in listing)
    confirmed = to_json(language_card(lang, changed=True))
    assert_valid_card(confirmed)
    assert changed in card_text(confirmed)


def test_a_problem_is_shown_as_a_notice_and_an_unknown_language_gets_finnish() -> None:
    card = to_json(language_card("de", problem="En tunnistanut kieltä."))
    assert_valid_card(card)
    assert card["lang"] == "fi"
    assert any(node.get("style") == "attention" for node in card["body"])
