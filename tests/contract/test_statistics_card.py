"""The statistics card validates against Adaptive Card 1.5 and carries no record id or person."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from cards.common import to_json
from cards.statistics_card import StatisticsCardData, statistics_card
from cards.status import notice_card
from domain.statistics import MonthFigures, TeamYear
from i18n.messages import t
from tests.support.card_schema import assert_valid_card

FIGURES = TeamYear("esimerkkila", 2026).changed("2026-12", MonthFigures(
    convened=5, held=4, roles={"neuvola": 5, "paihdetyo": 1, "network": 2}, venues={"room": 3, "hybrid": 2},
    lead_days={"14": 3, "20": 2}, feedback={"family_heard": (0, 0, 1, 2, 3), "pros_useful": (0, 0, 0, 1, 1)}))


def _data(teams: list[tuple[str, str]], team_key: str = "esimerkkila", figures: TeamYear = FIGURES
          ) -> StatisticsCardData:
    return StatisticsCardData(year=2026, team_key=team_key, figures=figures, years=[2026, 2025, 2024],
                              teams=teams, role_names={"neuvola": "Neuvola", "network": "Perheen oma verkosto"},
                              rosters={"neuvola": {"a@x", "b@x", "c@x"}, "paihdetyo": {"d@x"}},
                              chart_url="https://bot.example/media/abc.png", csv_url="https://bot.example/media/abc.csv")


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_statistics_card_is_valid_adaptive_card_1_5(lang: str) -> None:
    card = to_json(statistics_card(_data([("esimerkkila", "Esimerkkilän perhekeskustiimi")]), lang))
    assert_valid_card(card)
    assert_valid_card(to_json(statistics_card(_data([("a", "A"), ("b", "B")], "all", TeamYear("all", 2026)), lang)))
    assert_valid_card(to_json(notice_card(t("statistics.not_coordinator", lang), lang)))


def test_statistics_card_shows_figures_suppressed_and_sends_only_its_inputs() -> None:
    card = to_json(statistics_card(_data([("esimerkkila", "Esimerkkilän perhekeskustiimi")]), "fi"))
    text = json.dumps(card, ensure_ascii=False)
    facts = {f["title"]: f["value"] for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"]}
    assert facts["Kutsuttu koolle"] == "5" and facts["Pidetty"] == "4"
    assert facts["Päiviä kutsusta tapaamiseen (keskiarvo / mediaani)"] == "16,4 / 14,0"
    assert facts["Tuliko perhe kuulluksi?"] == "4,3", "six answers: the mean is shown"
    assert facts["Oliko tapaamisesta hyötyä työllesi?"] == "ei näytetä – alle 3 vastausta (yksityisyyden suoja)"
    assert facts["Oliko tapaamisesta hyötyä perheelle?"] == "–", "nobody answered: nothing withheld"
    assert facts["Neuvola"] == "5"
    assert facts["Perheen oma verkosto"] == "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"
    assert facts["Tiimin kokoustila"] == "3" and facts["Tila + Teams"] == facts["Perheen oma verkosto"]
    assert not [v for v in facts.values() if "<" in v or v.startswith("alle")], "nothing reads as a small figure"
    assert "paihdetyo" not in facts and "Muut roolit (alle 3 työntekijää)" not in facts, "one worker's caseload"
    assert "d@x" not in text, "the roster is never rendered"
    assert any(n.get("type") == "Image" and n["url"].endswith(".png") for n in card["body"])
    assert card["actions"][0]["type"] == "Action.OpenUrl" and card["actions"][0]["url"].endswith(".csv")
    show = next(a for n in card["body"] if n.get("type") == "ActionSet" for a in n["actions"])
    assert show["verb"] == "statistics.show" and show["data"] == {"verb": "statistics.show"}
    assert {n["id"] for n in card["body"] if str(n.get("type", "")).startswith("Input.")} == {"year", "team"}
    assert "@" not in text and "conveningId" not in text


@pytest.mark.parametrize(("lang", "label"), [("fi", "Muut roolit (alle 3 työntekijää)"),
                                             ("sv", "Övriga roller (under 3 medarbetare)"),
                                             ("en", "Other roles (fewer than 3 workers)")])
def test_roles_of_few_workers_are_shown_only_together(lang: str, label: str) -> None:
    figures = TeamYear("esimerkkila", 2026).changed("2026-12", MonthFigures(
        convened=4, roles={"paihdetyo": 3, "perhetyo": 1, "neuvola": 4}))
    data = replace(_data([("esimerkkila", "Esimerkkilä")], figures=figures),
                   rosters={"paihdetyo": {"p@x"}, "perhetyo": {"r@x", "s@x"}, "neuvola": {"h@x", "i@x"}})
    card = to_json(statistics_card(data, lang))
    assert_valid_card(card)
    facts = {f["title"]: f["value"] for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"]}
    assert facts[label] == "8", "five workers behind the merged row"
    assert not {"paihdetyo", "perhetyo", "Neuvola"} & set(facts)


ISSUE = TeamYear("esimerkkila", 2026).changed("2026-11", MonthFigures(
    convened=1, venues={"room": 1}, roles={"neuvola": 1}, lead_days={"18": 1})).changed("2026-12", MonthFigures(
    held=1, feedback={"family_heard": (0, 0, 0, 1, 1)}))


@pytest.mark.parametrize(("lang", "lead", "feedback"), [
    ("fi", "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)",
     "ei näytetä – alle 3 vastausta (yksityisyyden suoja)"),
    ("sv", "visas inte – färre än 3 möten (integritetsskydd)", "visas inte – färre än 3 svar (integritetsskydd)"),
    ("en", "not shown – fewer than 3 meetings (privacy)", "not shown – fewer than 3 answers (privacy)"),
])
def test_the_issues_18_day_gap_and_answers_4_and_5_read_as_withheld_not_as_small(
        lang: str, lead: str, feedback: str) -> None:
    card = to_json(statistics_card(_data([("esimerkkila", "Esimerkkilä")], figures=ISSUE), lang))
    assert_valid_card(card)
    facts = {f["title"]: f["value"] for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"]}
    assert facts[t("statistics.lead_days", lang)] == lead, "one meeting 18 days ahead: withheld, not 'under 3'"
    assert facts[t("feedback.family_heard", lang)] == feedback, "4.0 and 5.0: withheld, not a poor score"
    assert facts[t("statistics.held", lang)] == "1" and facts[t("statistics.convened", lang)] == "1"
    assert facts[t("venue.room", lang)] == lead
    assert not [v for v in facts.values() if "<" in v or v == t("statistics.few", lang)]
