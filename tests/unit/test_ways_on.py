"""The ways on a card offers lead somewhere: widen, another member of the role, leaving the busy out."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from cards.booked import booked_card
from cards.common import to_json
from cards.proposals import no_slots_card
from domain.convening import Answer, ConveningStatus, Person, Response
from domain.slots import SlotSearch
from domain.ways_on import WaysOn, substitution, ways_on, widened_latest
from tests.support.samples import demo_team, sample_convening, sample_request

HANNA = Person("hanna.heikkinen@esimerkkila.onmicrosoft.com", "Hanna Heikkinen", "neuvola")  # Pirjo too
KAISA = Person("kaisa.kettunen@esimerkkila.onmicrosoft.com", "Kaisa Kettunen", "kouluterveydenhuolto")  # alone
TEAM = demo_team()


def executes(card: Any) -> list[dict[str, Any]]:
    """Every Action.Execute anywhere on the card, in document order."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(to_json(card))
    return found


def verbs(card: Any) -> list[str]:
    """The verbs of the card's Action.Execute buttons, in order."""
    return [action["data"]["verb"] for action in executes(card)]


def test_widen_moves_four_weeks_within_the_horizon_and_not_past_it() -> None:
    request = replace(sample_request(), earliest=date(2027, 1, 5), latest=date(2027, 1, 20))
    assert widened_latest(request, TEAM.practice, date(2027, 3, 1)) == date(2027, 2, 17)
    assert widened_latest(request, TEAM.practice, date(2027, 1, 30)) == date(2027, 1, 30)
    assert widened_latest(request, TEAM.practice, date(2027, 1, 20)) is None, "the horizon is reached"
    too_long = replace(request, duration=timedelta(minutes=TEAM.practice.longest_window_minutes + 30))
    assert widened_latest(too_long, TEAM.practice, date(2027, 3, 1)) is None, "no period has time for it"


def test_only_someone_with_the_role_who_is_not_invited_replaces_a_busy_invitee() -> None:
    busy_kaisa = replace(sample_convening(ConveningStatus.PROPOSED), invitees=(HANNA, KAISA),
                         unavailable=(KAISA.email,))
    assert substitution(TEAM, busy_kaisa) is None, "nobody else is a school nurse"
    busy_hanna = replace(busy_kaisa, unavailable=(HANNA.email,))
    replaced = substitution(TEAM, busy_hanna)
    assert replaced is not None and [p.display_name for p in replaced] == ["Pirjo Partanen", "Kaisa Kettunen"]


def test_no_time_card_shows_only_the_ways_the_service_can_take() -> None:
    convening = replace(sample_convening(ConveningStatus.PROPOSED), invitees=(KAISA,), unavailable=(KAISA.email,),
                        proposals=(), shown=0)
    ways = ways_on(convening, TEAM, horizon_end=convening.request.latest if convening.request else date.min)
    assert ways == WaysOn(widen=False, substitute=False, drop=False)
    search = SlotSearch((), 8, (KAISA.email,), False)
    assert verbs(no_slots_card(convening, search, TEAM, ways)) == ["convening.edit"]
    everything = WaysOn(widen=True, substitute=True, drop=True)
    assert verbs(no_slots_card(convening, search, TEAM, everything)) == [
        "convening.widen", "convening.substitute", "convening.drop", "convening.edit"]


def test_a_decline_offers_another_member_only_when_someone_else_has_the_role() -> None:
    declined = {p.email: Response(Answer.DECLINED) for p in (HANNA, KAISA)}
    convening = replace(sample_convening(), invitees=(HANNA, KAISA), responses=declined)
    offers = verbs(booked_card(convening, TEAM))
    # Hanna (Pirjo also works at the child health clinic): another member, go on without, a new time.
    # Kaisa (the only school nurse): go on without, a new time; no button that would only say "nobody".
    assert offers.count("convening.replace") == 1
    assert offers.count("convening.without") == 2
    substitute = next(a for a in executes(booked_card(convening, TEAM)) if a["data"]["verb"] == "convening.replace")
    assert substitute["data"]["person"] == 0, "for Hanna"

