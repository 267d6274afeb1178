"""The booked card's answers: whoever has not answered yet reads as waiting, in words, never as cut-off text."""

from __future__ import annotations

from typing import Any

import pytest

from cards.booked import booked_card
from cards.common import to_json
from domain.convening import Answer, Response
from tests.support.samples import demo_team, sample_convening


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return ([node["text"]] if node.get("type") == "TextBlock" else []) + _texts(list(node.values()))
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    return []


@pytest.mark.parametrize(("lang", "waiting"), [("fi", "odottaa vastausta"), ("sv", "väntar på svar"),
                                               ("en", "waiting for an answer")])
def test_someone_who_has_not_answered_is_shown_as_waiting_for_an_answer(lang: str, waiting: str) -> None:
    convening = sample_convening()
    hanna, other = convening.invitees
    answered = convening.with_responses({hanna.email: Response(Answer.ACCEPTED)})

    lines = _texts(to_json(booked_card(answered, demo_team(), lang)))

    # The answers' lines (the family's invitation names the people too, with their professions).
    answers = [line for line in lines if line[:2] in ("○ ", "✓ ", "? ", "✗ ")]
    [line] = [line for line in answers if other.display_name in line]
    assert line.startswith("○ ") and line.endswith(f": {waiting}"), line
    assert next(line for line in answers if hanna.display_name in line).startswith("✓ ")
    assert not [line for line in lines if "…" in line], "an ellipsis reads as text cut short"
