"""Every card the bot can send validates against the official Adaptive Card 1.5 schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from microsoft_teams.cards import AdaptiveCard

from cards.booked import booked_card
from cards.common import to_json
from cards.convening_form import FormValues, convening_form_card
from cards.proposals import no_slots_card, proposals_card
from cards.status import notice_card, status_card
from cards.welcome import welcome_card
from domain.convening import ConveningStatus, Venue
from domain.slots import SlotSearch
from domain.ways_on import WaysOn
from services.status_overview import StatusKind, StatusRow
from tests.support.card_schema import assert_valid_card, card_errors
from tests.support.samples import demo_team, sample_convening


def _form(lang: str) -> AdaptiveCard:
    team = demo_team()
    values = FormValues(team_key=team.key, duration_minutes=90, earliest=date(2026, 12, 1), latest=date(2027, 1, 20))
    return convening_form_card("0123456789abcdef", [team], values, lang=lang, error="Virhe")


BUILDERS: dict[str, Callable[[str], AdaptiveCard]] = {
    "welcome": welcome_card,
    "form": _form,
    "proposals": lambda lang: proposals_card(sample_convening(ConveningStatus.PROPOSED), demo_team(), lang),
    "no_slots": lambda lang: no_slots_card(
        sample_convening(ConveningStatus.PROPOSED),
        SlotSearch((), 4, ("mikko.miettinen@esimerkkila.onmicrosoft.com",), True), demo_team(),
        WaysOn(widen=True, substitute=True, drop=True), lang),
    "booked_hybrid": lambda lang: booked_card(sample_convening(), demo_team(), lang),
    "booked_room": lambda lang: booked_card(sample_convening(venue=Venue.ROOM), demo_team(), lang),
    "status": lambda lang: status_card(
        [StatusRow(sample_convening(), StatusKind.BOOKED),
         StatusRow(sample_convening(ConveningStatus.DRAFT), StatusKind.DRAFT,
                   expires_at=sample_convening().created_at + timedelta(days=14)),
         StatusRow(sample_convening(ConveningStatus.CANCELLED), StatusKind.CANCELLED)],
        lang, now=sample_convening().created_at, message="Luonnos poistettu."),
    "status_empty": lambda lang: status_card([], lang),
    "notice": lambda lang: notice_card("Viesti", lang, convening_id="0123456789abcdef"),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_card_is_valid_adaptive_card_1_5(name: str, lang: str) -> None:
    assert_valid_card(to_json(BUILDERS[name](lang)))


def test_schema_check_rejects_a_broken_card() -> None:
    broken = to_json(welcome_card())
    broken["body"][0]["type"] = "TextBlok"
    broken["version"] = "1.2"
    assert len(card_errors(broken)) >= 2


def test_cards_carry_only_ids_in_action_data() -> None:
    payload = to_json(proposals_card(sample_convening(ConveningStatus.PROPOSED), demo_team()))
    datas = [a["data"] for col in payload["body"] if col["type"] == "ColumnSet"
             for c in col["columns"] for item in c["items"] if item["type"] == "ActionSet" for a in item["actions"]]
    assert datas, "each proposal has a button"
    for data in datas:
        assert set(data) <= {"verb", "conveningId", "slot"}
    assert "Perhe K." not in str(datas)
