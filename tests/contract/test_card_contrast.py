"""Text colours that stay readable (WCAG AA 4.5:1) on Teams' light theme, on every card.

Teams renders Adaptive Card text colour "Good" as a light green (#92c353 family; the Playground #9dc965, 1.9:1
on white), "Warning" as orange and "Light" as near-white: none reaches 4.5:1 for normal text. Meaning is
carried by words and marks (✓, ○), never by such a colour; "Attention" (dark red) and "Accent" stay allowed.
"""

from __future__ import annotations

import pytest

from cards.common import to_json
from cards.meeting_steps import meeting_steps_card
from tests.contract.test_card_schema import BUILDERS as CONVENING_CARDS
from tests.contract.test_meeting_cards import BUILDERS as MEETING_CARDS
from tests.support.meeting_samples import running_meeting
from tests.support.teams_client import walk

UNREADABLE = {"good", "warning", "light"}
CARDS = {**CONVENING_CARDS, **MEETING_CARDS}


@pytest.mark.parametrize("name", sorted(CARDS))
def test_no_text_in_a_colour_too_light_to_read(name: str) -> None:
    card = to_json(CARDS[name]("fi"))
    light = [n.get("text") for n in walk(card) if str(n.get("color", "")).lower() in UNREADABLE]
    assert not light, light


def test_a_ticked_step_reads_by_its_mark_in_the_default_colour() -> None:
    meeting = running_meeting()
    assert meeting.checked, "the sample has ticked steps"
    card = to_json(meeting_steps_card(meeting, meeting.started_at, "fi", warn_minutes=20))
    ticked = [n for n in walk(card) if str(n.get("text", "")).startswith("✓")]
    assert len(ticked) == len(meeting.checked), ticked
    assert all("color" not in n and not n.get("isSubtle") for n in ticked), ticked
