"""The proposals card across organisations: whose availability is unknown and why, the "ask by e-mail" button
while someone is not asked, and each e-mailed answer under its time; schema-valid in every language."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from cards.common import to_json
from cards.proposals import proposals_card
from cards.verbs import Verb
from domain.convening import AvailabilityAnswer, Convening, ConveningStatus, Person
from domain.organisations import UnknownReason
from tests.support.card_schema import assert_valid_card
from tests.support.samples import demo_team, sample_convening
from tests.support.teams_client import walk

EEVA = Person("eeva@ensikoti.example", "Eeva *Ensio*", external=True)
OUTI = Person("outi@muualla.example", "Outi Ulko", external=True)
SATU = Person("satu@hva.example", "Satu Salminen")


def networked(**changes: Any) -> Convening:
    """Proposals (three times, two shown) for a network with people whose calendars cannot be read."""
    base = sample_convening(ConveningStatus.PROPOSED)
    return replace(base, invitees=(*base.invitees, EEVA, OUTI, SATU),
                   unknown={EEVA.email: UnknownReason.NO_CALENDAR, OUTI.email: UnknownReason.OUTSIDE,
                            SATU.email: UnknownReason.NOT_SHARED}, **changes)


def texts(card: dict[str, Any]) -> list[str]:
    """Every TextBlock's text, in order."""
    return [str(node["text"]) for node in walk(card) if node.get("type") == "TextBlock"]


def verbs(card: dict[str, Any]) -> list[str]:
    """The card-level actions' verbs."""
    return [a["verb"] for a in card.get("actions", [])]


def test_whose_availability_is_unknown_is_said_one_line_per_reason() -> None:
    card = to_json(proposals_card(networked(), demo_team()))

    shown = texts(card)
    assert r"Kalenteri ei näy: Eeva \*Ensio\* (ei organisaation kalenteria)" in shown, "names are inert"
    assert "Kalenteri ei näy: Outi Ulko (vain sähköpostiosoite)" in shown
    assert "Kalenteri ei näy: Satu Salminen (kalenteria ei ole jaettu meille)" in shown
    assert Verb.ASK.value in verbs(card)
    assert not any("sopii" in t or "vastattu" in t for t in shown), "nobody asked yet"


def test_no_unknown_people_no_lines_and_no_button() -> None:
    card = to_json(proposals_card(sample_convening(ConveningStatus.PROPOSED), demo_team()))

    assert not any(t.startswith("Kalenteri ei näy") for t in texts(card))
    assert Verb.ASK.value not in verbs(card)


def test_answers_show_under_each_time_asked_about_and_the_button_only_while_someone_is_unasked() -> None:
    plain = networked()
    first, second, _ = plain.proposals
    asked_at = first.start - timedelta(days=10)
    answered = AvailabilityAnswer(asked_at, asked_at + timedelta(hours=2), (second.start,),
                                  (first.start, second.start))
    waiting = AvailabilityAnswer(asked_at, offered=(first.start, second.start))
    convening = replace(plain, asked={EEVA.email: answered, OUTI.email: waiting}, shown=3)

    card = to_json(proposals_card(convening, demo_team()))

    shown = texts(card)
    start = [i for i, t in enumerate(shown) if t.startswith(("ti ", "to ", "ke ", "ma ", "pe "))]
    assert len(start) == 3
    under = [shown[start[0]:start[1]], shown[start[1]:start[2]], shown[start[2]:]]
    assert r"Eeva \*Ensio\*: ei sovi" in under[0] and "Outi Ulko: ei vastattu" in under[0]
    assert r"Eeva \*Ensio\*: sopii" in under[1] and "Outi Ulko: ei vastattu" in under[1]
    assert not any(":" in t and ("sovi" in t or "vastattu" in t) for t in under[2]), "the third was not asked about"
    assert not any("…" in t for t in shown)
    assert Verb.ASK.value in verbs(card), "Satu is not asked yet"

    everyone = replace(convening, asked={**convening.asked, SATU.email: waiting})
    assert Verb.ASK.value not in verbs(to_json(proposals_card(everyone, demo_team())))


def test_the_button_sends_only_the_record_id() -> None:
    card = to_json(proposals_card(networked(), demo_team()))

    [ask] = [a for a in card["actions"] if a["verb"] == Verb.ASK.value]
    assert ask["data"] == {"verb": Verb.ASK.value, "conveningId": "0123456789abcdef"}
    assert ask["title"] == "Kysy sopivia aikoja sähköpostilla"
    assert "Perhe K." not in json.dumps(ask)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_card_with_unknown_people_and_answers_is_a_valid_adaptive_card(lang: str) -> None:
    plain = networked()
    asked_at = plain.proposals[0].start - timedelta(days=10)
    convening = replace(plain, asked={
        EEVA.email: AvailabilityAnswer(asked_at, asked_at, (plain.proposals[0].start,)),
        OUTI.email: AvailabilityAnswer(asked_at)})

    card = to_json(proposals_card(convening, demo_team(), lang))

    assert_valid_card(card)
    assert Verb.ASK.value in verbs(card)
