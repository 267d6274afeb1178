"""Every card, fed outside text that is Markdown, HTML, links and a date function: it all shows as text.

Teams renders a Markdown subset in TextBlock.text, Fact.title and Fact.value (links, emphasis, lists),
turns bare URLs and e-mail addresses into links and expands {{DATE()}}. Here every piece of outside
text a card can show (the family reference, the family's place, display names from Graph, the
convener's name, a decliner's message, names on the finalized card) carries all of those at once; no
TextBlock or Fact of any card may hold an unescaped marker, a live address or a date function, and
each hostile text must still be readable on the card.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from microsoft_teams.cards import AdaptiveCard

from cards.booked import booked_card
from cards.common import to_json
from cards.finalized_card import finalized_card
from cards.meeting_steps import meeting_started_card, meeting_steps_card, time_warning_card
from cards.proposals import no_slots_card, proposals_card
from cards.reminders import day_before_card, next_contact_reminder_card, start_notice_card
from cards.status import status_card
from domain.convening import Answer, Convening, ConveningStatus, Person, Response, Venue
from domain.meeting import Attendee, Meeting
from domain.slots import SlotSearch
from domain.ways_on import WaysOn
from services.status_overview import StatusKind, StatusRow
from tests.support.card_schema import assert_valid_card
from tests.support.meeting_samples import almost_up, finalized_meeting, running_meeting
from tests.support.samples import demo_team, sample_convening
from tests.support.teams_client import walk

#: Everything Teams would act on, in one string.
EVIL = ("[Avaa](https://evil.example/x) **lihava** _kursiivi_ <b>html</b> www.evil.example "
        "kaisa@evil.example ~~viiva~~ `koodi` {{DATE(2026-12-03T08:00:00Z, SHORT)}}")
#: A second hostile text on a line of its own (list, heading and quote markers).
EVIL_LINES = "- lista\n1. numero\n# otsikko\n> lainaus"


def _hostile_convening(status: ConveningStatus = ConveningStatus.BOOKED) -> Convening:
    convening = sample_convening(status, venue=Venue.FAMILY_PLACE)
    assert convening.request is not None
    request = replace(convening.request, family_ref=f"Perhe {EVIL}", family_place=f"Kahvila {EVIL}")
    hanna, mikko = convening.invitees
    invitees = (replace(hanna, display_name=f"Hanna {EVIL}"), replace(mikko, display_name=f"Mikko {EVIL}", role=None),
                Person("kaisa.kettunen@esimerkkila.onmicrosoft.com", f"Kaisa {EVIL}", "kouluterveydenhuolto"))
    responses = {invitees[2].email: Response(Answer.DECLINED, f"{EVIL}\n{EVIL_LINES}")}
    return replace(convening, request=request, invitees=invitees, convener_name=f"Liisa {EVIL}",
                   responses=responses if status is ConveningStatus.BOOKED else {})


def _hostile_meeting(meeting: Meeting | None = None) -> Meeting:
    base = meeting or running_meeting()
    attendees = tuple(Attendee(a.email, f"{a.name} {EVIL}", a.role) for a in base.attendees)
    return replace(base, family_ref=f"Perhe {EVIL}", place=f"Kahvila {EVIL}", attendees=attendees)


CARDS: dict[str, Callable[[], AdaptiveCard]] = {
    "booked": lambda: booked_card(_hostile_convening(), demo_team()),
    "proposals": lambda: proposals_card(_hostile_convening(ConveningStatus.PROPOSED), demo_team()),
    "no_slots": lambda: no_slots_card(
        _hostile_convening(ConveningStatus.PROPOSED),
        SlotSearch((), 4, ("hanna.heikkinen@esimerkkila.onmicrosoft.com", "outsider@evil.example"), True),
        demo_team(), WaysOn(widen=True, substitute=True, drop=True)),
    "status": lambda: status_card([StatusRow(_hostile_convening(), StatusKind.BOOKED)]),
    "start_notice": lambda: start_notice_card(_hostile_convening(), demo_team()),
    "day_before": lambda: day_before_card(_hostile_convening(), demo_team()),
    "steps": lambda: meeting_steps_card(_hostile_meeting(), almost_up(running_meeting()), warn_minutes=15),
    "started": lambda: meeting_started_card(_hostile_meeting()),
    "time_warning": lambda: time_warning_card(_hostile_meeting(), almost_up(running_meeting())),
    "finalized": lambda: finalized_card(_hostile_meeting(finalized_meeting()), responsible_names=(f"Hanna {EVIL}",),
                                        recipient_names=(f"Mikko {EVIL}",), unreachable=(f"Kaisa {EVIL}",),
                                        not_shared=(f"Sanna {EVIL}",)),
    "next_contact": lambda: next_contact_reminder_card(_hostile_meeting(finalized_meeting())),
}


def _rendered_texts(card: dict[str, Any]) -> list[str]:
    """What Teams renders as Markdown: TextBlock texts and every Fact's title and value."""
    texts = [node["text"] for node in walk(card) if node.get("type") == "TextBlock"]
    for node in walk(card):
        if node.get("type") == "FactSet":
            texts += [part for fact in node["facts"] for part in (fact["title"], fact["value"])]
    return texts


def _as_read(shown: str) -> str:
    return re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "").replace("\u2024", ".")


@pytest.mark.parametrize("name", sorted(CARDS))
def test_outside_text_is_shown_as_text_on_every_card(name: str) -> None:
    card = to_json(CARDS[name]())
    assert_valid_card(card)
    texts = _rendered_texts(card)
    assert any("Avaa" in text for text in texts), "the hostile text is on the card (the test sees it)"
    for text in texts:
        bare = text.replace("\\\\", "")
        assert not re.search(r"(?<!\\)[][*_<>`~]", bare), (name, text)
        assert not re.search(r"^\s*(?:[-+#>]|\d+[.)])\s", bare, re.MULTILINE), (name, text)
        for live in ("https://", "www.evil", "evil.example", "{{"):
            assert live not in text, (name, live, text)
        assert not re.search(r"[^\s\u2060]@", text), ("an address a linkifier would see", name, text)
    readable = "\n".join(_as_read(text) for text in texts)
    assert EVIL in readable, "every character of the outside text can still be read"


def test_a_decliners_message_keeps_its_lines_readable() -> None:
    texts = _rendered_texts(to_json(CARDS["booked"]()))
    comment = next(text for text in texts if text.startswith("Viesti:"))
    assert _as_read(comment).endswith(EVIL_LINES)
