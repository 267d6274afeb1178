"""The meeting's cards: valid Adaptive Cards 1.5 in every language, ids only in action data, and complete texts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from microsoft_teams.cards import AdaptiveCard

import cards.feedback_card
import cards.finalize_confirm_card
import cards.finalized_card
import cards.meeting_steps
import cards.plan_card
import cards.star_card
from cards.common import to_json
from cards.feedback_card import feedback_card
from cards.finalize_confirm_card import finalize_confirm_card
from cards.finalized_card import finalized_card
from cards.meeting_steps import meeting_started_card, meeting_steps_card, time_warning_card
from cards.plan_card import plan_card
from cards.star_card import star_card
from cards.verbs import Verb
from documents.texts import keys as document_keys
from domain.meeting import FEEDBACK_QUESTIONS, MEETING_STEPS, STEP_KEYS, FeedbackTally, Meeting
from domain.plan import PlanProblemKind
from domain.sensitive_text import TextProblem
from domain.star import StarDefinition, StarProblemKind, View
from i18n import messages
from i18n.catalog import source_texts
from i18n.messages import LANGUAGES, t
from tests.support.card_schema import assert_valid_card
from tests.support.meeting_samples import (
    ATTENDEES,
    FAMILY_REF,
    MEETING_ID,
    PLAN_TEXTS,
    STAR_TEXTS,
    almost_up,
    finalized_meeting,
    plan_meeting,
    running_meeting,
    star,
    star_meeting,
)

PICTURE = "https://bot.example.fi/star/0123456789abcdef.png"
WARN = 15
STARS = ("lape-pohjois-savo", "family-ten-item")
CARD_MODULES = (cards.meeting_steps, cards.star_card, cards.plan_card, cards.feedback_card, cards.finalized_card,
                cards.finalize_confirm_card)


def _star(name: str, lang: str, **kwargs: Any) -> AdaptiveCard:
    definition = star(name)
    options: dict[str, Any] = {"picture_url": PICTURE, "earlier_note": True}
    options.update(kwargs)
    return star_card(star_meeting(definition), definition, lang, **options)


def _finalized(lang: str) -> AdaptiveCard:
    return finalized_card(finalized_meeting(), lang, responsible_names=("Hanna Heikkinen",),
                          recipient_names=("Liisa Lähinen", "Mikko Miettinen"), unreachable=("Mikko Miettinen",))


BUILDERS: dict[str, Callable[[str], AdaptiveCard]] = {
    "steps_running": lambda lang: meeting_steps_card(running_meeting(), running_meeting().started_at, lang,
                                                     warn_minutes=WARN),
    "steps_almost_up": lambda lang: meeting_steps_card(running_meeting(), almost_up(running_meeting()), lang,
                                                       warn_minutes=WARN),
    "steps_over_time": lambda lang: meeting_steps_card(
        plan_meeting(), plan_meeting().started_at + plan_meeting().duration * 2, lang, warn_minutes=WARN),
    "star_lape": lambda lang: _star("lape-pohjois-savo", lang),
    "star_ten": lambda lang: _star("family-ten-item", lang),
    "star_no_picture_refused": lambda lang: _star("lape-pohjois-savo", lang, picture_url=None, earlier_note=False,
                                                  message="Arvion pitää olla asteikolla."),
    "star_saved_empty": lambda lang: star_card(running_meeting(), star(), lang, picture_url=PICTURE,
                                               earlier_note=False, message=t("meeting.saved", lang)),
    "plan_empty": lambda lang: plan_card(running_meeting(), lang),
    "plan_filled": lambda lang: plan_card(plan_meeting(), lang, message=t("meeting.saved", lang)),
    "plan_free_times": lambda lang: plan_card(plan_meeting(), lang, message="Kalenterissa on jo menoa.",
                                              free_times=_free_times()),
    "feedback_empty": lambda lang: feedback_card(running_meeting(), lang),
    "feedback_tally": lambda lang: feedback_card(plan_meeting(), lang, message=t("feedback.saved", lang)),
    "feedback_thanks": lambda lang: feedback_card(plan_meeting(), lang, message=t("feedback.thanks", lang)),
    "finalized": _finalized,
    "finalize_confirm": lambda lang: finalize_confirm_card(running_meeting(), lang),
    "finalized_minimal": lambda lang: finalized_card(finalized_meeting(), lang, responsible_names=(),
                                                     recipient_names=()),
    "started": lambda lang: meeting_started_card(running_meeting(), lang),
    "time_warning": lambda lang: time_warning_card(running_meeting(), almost_up(running_meeting()), lang),
    "time_warning_over": lambda lang: time_warning_card(
        running_meeting(), running_meeting().started_at + running_meeting().duration * 2, lang),
}


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in the card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _actions(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in _walk(payload) if str(n.get("type", "")).startswith("Action.")]


def _inputs(payload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in _walk(payload) if str(n.get("type", "")).startswith("Input.")}


def _texts(payload: dict[str, Any]) -> str:
    return "\n".join(str(n.get("text", "")) for n in _walk(payload) if n.get("type") == "TextBlock")


# --- schema and action data ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_meeting_card_is_valid_adaptive_card_1_5(name: str, lang: str) -> None:
    assert_valid_card(to_json(BUILDERS[name](lang)))


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_action_data_carries_only_the_meeting_id_and_a_step(name: str) -> None:
    payload = to_json(BUILDERS[name]("fi"))
    executes = [a for a in _actions(payload) if a["type"] == "Action.Execute"]
    assert executes
    for action in executes:
        data = action["data"]
        assert set(data) <= {"verb", "conveningId", "step", "then", "confirm", "offeredDate", "offeredTime"}, data
        assert data.get("then") in (None, "finalize")
        if "offeredDate" in data or "offeredTime" in data:  # a free time offered for the next contact
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["offeredDate"]), data
            assert re.fullmatch(r"\d{2}:\d{2}", data["offeredTime"]) and data.get("then") == "finalize", data
        assert ("confirm" in data) == (action["verb"] == Verb.FINALIZE_CONFIRM) and data.get("confirm") in (None, True)
        assert data["conveningId"] == MEETING_ID and data["verb"] == action["verb"]
        assert action["verb"] in {v.value for v in Verb}
        if "step" in data:
            assert action["verb"] == Verb.STEP_TOGGLE and data["step"] in STEP_KEYS
    assert {a["type"] for a in _actions(payload)} <= {"Action.Execute", "Action.OpenUrl"}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_no_family_data_names_or_plan_text_in_any_action(name: str) -> None:
    actions = str([{k: v for k, v in a.items() if k != "title"} for a in _actions(to_json(BUILDERS[name]("fi")))])
    secrets = (FAMILY_REF, *PLAN_TEXTS, *STAR_TEXTS, "Äiti, Lapsi 8 v", *(a.name for a in ATTENDEES),
               *(a.email for a in ATTENDEES))
    for secret in secrets:
        assert secret not in actions


# --- the structure card -------------------------------------------------------------------------------

def test_steps_card_lists_the_nine_steps_in_order_with_a_toggle_each() -> None:
    payload = to_json(BUILDERS["steps_running"]("fi"))
    toggles = [a["data"]["step"] for a in _actions(payload) if a["verb"] == Verb.STEP_TOGGLE]
    assert toggles == [s.key for s in MEETING_STEPS]
    text = _texts(payload)
    assert "✓ 1. Istumapaikat · perhe" in text and "✓ 3. Perhe kertoo · perhe" in text
    assert "○ 4. Ammattilaiset esittäytyvät · ammattilaiset" in text
    assert "○ 2." not in text and "✓ 4." not in text
    for step in MEETING_STEPS:
        assert t(f"step.{step.key}.desc", "fi") in text
    titles = {a["data"]["step"]: a["title"] for a in _actions(payload) if a["verb"] == Verb.STEP_TOGGLE}
    assert titles["seating"] == "Poista merkintä" and titles["discussion"] == "Tehty"
    assert "Peru" not in titles.values(), "Peru is the meeting's cancelling; a step's mark is removed"
    assert [a["verb"] for a in payload["actions"]] == [Verb.STAR_OPEN, Verb.PLAN_OPEN, Verb.FEEDBACK_OPEN,
                                                       Verb.FINALIZE]
    assert "3/9 vaihetta tehty" in text


def test_steps_card_shows_time_and_warns_when_little_is_left() -> None:
    calm = to_json(BUILDERS["steps_running"]("fi"))
    assert "Aikaa käytetty 0 min, jäljellä 90 min" in _texts(calm)
    assert not any(n.get("style") == "warning" for n in _walk(calm))
    late = to_json(BUILDERS["steps_almost_up"]("fi"))
    warning = next(n for n in _walk(late) if n.get("type") == "Container" and n.get("style") == "warning")
    assert "Aikaa käytetty 80 min, jäljellä 10 min" in _texts(warning)
    assert "Siirtykää yhteenvetoon ja yhteiseen suunnitelmaan." in _texts(warning)
    assert "ylittyi 90 min" in _texts(to_json(BUILDERS["steps_over_time"]("fi")))


def test_warning_starts_exactly_at_the_threshold() -> None:
    meeting = running_meeting()
    at = meeting.started_at + meeting.duration - meeting.duration / 6  # 15 min left
    payload = to_json(meeting_steps_card(meeting, at, "fi", warn_minutes=15))
    assert any(n.get("style") == "warning" for n in _walk(payload))
    payload = to_json(meeting_steps_card(meeting, at, "fi", warn_minutes=14))
    assert not any(n.get("style") == "warning" for n in _walk(payload))


def test_started_and_time_warning_cards() -> None:
    started = to_json(BUILDERS["started"]("fi"))
    assert "Yhdessä aika alkaa: to 3.12.2026 klo 8.00–9.30, Perhekeskus, Kokoushuone Kaste." in _texts(started)
    assert [(a["title"], a["verb"]) for a in started["actions"]] == [("Aloita Yhdessä aika", Verb.MEETING_START)]
    warning = to_json(BUILDERS["time_warning"]("fi"))
    assert "Aikaa jäljellä 10 min" in _texts(warning)
    assert [a["verb"] for a in warning["actions"]] == [Verb.PLAN_OPEN]


# --- the star card ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", STARS)
def test_star_card_has_inputs_per_point_with_short_ids(name: str) -> None:
    definition = star(name)
    meeting = star_meeting(definition)
    payload = to_json(star_card(meeting, definition, "fi", picture_url=PICTURE, earlier_note=True))
    inputs = _inputs(payload)
    expected = set()
    for n, point in enumerate(definition.points):
        expected |= {f"s_{n}", f"w_{n}"}
        if point.scale is not None:
            expected |= {f"f_{n}", f"p_{n}"} | ({f"c_{n}"} if point.asked_from_child else set())
    assert set(inputs) == expected
    for n, point in enumerate(definition.points):
        entry = meeting.reading.point(point.key) if meeting.reading else None
        assert entry is not None and point.scale is not None
        assert inputs[f"s_{n}"]["isMultiline"] and inputs[f"w_{n}"]["isMultiline"]
        assert inputs[f"s_{n}"].get("value") == (entry.strengths or None)
        assert inputs[f"f_{n}"]["min"] == point.scale.minimum and inputs[f"f_{n}"]["max"] == point.scale.maximum
        assert inputs[f"f_{n}"]["value"] == entry.rating(View.FAMILY)
        assert inputs[f"p_{n}"]["value"] == entry.rating(View.PROFESSIONALS)
        # Each label names its point, so a screen reader can tell "Perhe" of one point from the next.
        name = f"{n + 1}. {point.text('fi')}"
        assert inputs[f"f_{n}"]["label"] == f"Perhe – {name}" and inputs[f"p_{n}"]["label"] == f"Ammattilaiset – {name}"
        assert inputs[f"s_{n}"]["label"] == f"Voimavarat – {name}"
        if point.asked_from_child:
            assert inputs[f"c_{n}"]["label"] == f"Lapsi itse – {name}"
    labels = [str(i.get("label")) for i in inputs.values()]
    assert len(set(labels)) == len(labels), "every input's accessible name is unique"
    text = _texts(payload)
    scale = definition.points[0].scale
    assert scale is not None
    assert f"{scale.minimum} = {scale.min_label('fi')} … {scale.maximum} = {scale.max_label('fi')}" in text
    assert text.count(" … ") == 1  # the scale's ends are shown once
    for group in definition.groups:
        assert group.name("fi") in text
    for n, point in enumerate(definition.points):
        assert f"{n + 1}. {point.text('fi')}" in text
    assert "katkoviivalla" in text and "10.9.2026" in text
    image = next(n for n in _walk(payload) if n.get("type") == "Image")
    assert image["url"] == PICTURE and definition.name("fi") in image["altText"]
    assert [a["verb"] for a in payload["actions"]] == [Verb.STAR_SAVE, Verb.MEETING_OPEN]


def test_star_card_groups_points_under_their_group_names_in_order() -> None:
    definition = star()
    payload = to_json(star_card(running_meeting(), definition, "fi", picture_url=None, earlier_note=False))
    text = _texts(payload)
    child, family = (g.name("fi") for g in definition.groups)
    assert text.index(child) < text.index("1. ") < text.index(family) < text.index("4. ")
    assert not any(n.get("type") == "Image" for n in _walk(payload))
    assert "katkoviivalla" not in text
    assert "Minkä tahansa kohdan voi jättää tyhjäksi" in text
    assert all("value" not in i for i in _inputs(payload).values())  # nothing saved yet: nothing prefilled


def test_star_card_shows_saved_calmly_and_refusals_as_attention() -> None:
    saved = to_json(BUILDERS["star_saved_empty"]("fi"))
    assert any(n.get("style") == "good" and "Tallennettu." in _texts(n) for n in _walk(saved))
    refused = to_json(BUILDERS["star_no_picture_refused"]("fi"))
    assert any(n.get("style") == "attention" and "asteikolla" in _texts(n) for n in _walk(refused))


# --- the plan card ------------------------------------------------------------------------------------

PLAN_ORDER = ["familyPresent", "things", "home", "everyday", "elsewhere", "where", "reachFamily", "reachWorker",
              "responsible", "nextDate", "nextTime", "recipients", "planLang"]


def test_plan_card_follows_the_template_in_order() -> None:
    payload = to_json(BUILDERS["plan_empty"]("fi"))
    assert list(_inputs(payload)) == PLAN_ORDER
    text = "\n".join(str(n.get("text") or n.get("label") or "") for n in _walk(payload))
    positions = [text.index(s) for s in ("1. Konkreettiset asiat lapsen/perheen arjessa",
                                         "2. Toimenpiteet ratkaisujen saavuttamiseksi", "a) kotona",
                                         "b) lapsen arjen ympäristössä (esim. varhaiskasvatuksessa tai koulussa)",
                                         "c) muualla", "3. Yhteydenpito", "4. Vastuutyöntekijä",
                                         "5. Seuraava yhteydenotto", "Kuka saa suunnitelman (perheen suostumus)")]
    assert positions == sorted(positions)
    assert "henkilötunnuksia" in text and "ei virallinen asiakirja" in text
    assert "Vastuutyöntekijä saa suunnitelman aina" in text
    inputs = _inputs(payload)
    for people in ("responsible", "recipients"):
        assert inputs[people]["isMultiSelect"] and inputs[people]["style"] == "expanded"
        assert [(c["title"], c["value"]) for c in inputs[people]["choices"]] == [
            ("Liisa Lähinen – Lähityöntekijä", "0"), ("Hanna Heikkinen – Äitiys- ja lastenneuvola", "1"),
            ("Mikko Miettinen – Koulukuraattori", "2")]
    assert inputs["planLang"]["style"] == "compact" and inputs["planLang"]["value"] == "fi"
    assert [c["title"] for c in inputs["planLang"]["choices"]] == ["Suomi", "Svenska", "English"]
    assert inputs["nextDate"]["type"] == "Input.Date" and inputs["nextTime"]["type"] == "Input.Time"
    assert [(a["title"], a["verb"]) for a in payload["actions"]] == [
        ("Tallenna", Verb.PLAN_SAVE), ("Palaute", Verb.FEEDBACK_OPEN), ("Valmis – tallenna ja jaa", Verb.PLAN_SAVE),
        ("Takaisin rakenteeseen", Verb.MEETING_OPEN)]


def test_plan_card_is_prefilled_from_the_plan() -> None:
    inputs = _inputs(to_json(BUILDERS["plan_filled"]("fi")))
    values = {k: v.get("value") for k, v in inputs.items()}
    assert values == {"familyPresent": "Äiti, Lapsi 8 v", "things": PLAN_TEXTS[0], "home": PLAN_TEXTS[1],
                      "everyday": PLAN_TEXTS[2], "elsewhere": PLAN_TEXTS[3], "where": PLAN_TEXTS[4],
                      "reachFamily": PLAN_TEXTS[5], "reachWorker": PLAN_TEXTS[6], "responsible": "1",
                      "nextDate": "2026-12-17", "nextTime": "14:00", "recipients": "2", "planLang": "sv"}


# --- the feedback card --------------------------------------------------------------------------------

def test_feedback_card_asks_each_question_one_to_five_and_is_never_prefilled() -> None:
    payload = to_json(BUILDERS["feedback_tally"]("fi"))
    inputs = _inputs(payload)
    assert list(inputs) == [f"q_{k}" for k, _ in FEEDBACK_QUESTIONS], "no comment field: it would not be kept"
    for key, _ in FEEDBACK_QUESTIONS:
        field = inputs[f"q_{key}"]
        assert field["style"] == "expanded" and [c["value"] for c in field["choices"]] == ["1", "2", "3", "4", "5"]
        assert field["label"] == t(f"feedback.{key}", "fi")
    assert all("value" not in i for i in inputs.values())
    ordered = "\n".join(str(n.get("text") or n.get("label") or "") for n in _walk(payload))
    assert ordered.index("Perheelle") < ordered.index("Tuliko perhe kuulluksi?") < ordered.index("Ammattilaisille")
    assert ordered.index("Ammattilaisille") < ordered.index("Toimiko tapaamisen rakenne?")
    assert "Kommentti" not in _texts(payload)
    assert [a["verb"] for a in payload["actions"]] == [Verb.FEEDBACK_SAVE, Verb.MEETING_OPEN]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_after_an_answer_the_feedback_card_shows_how_many_answered_and_no_score(lang: str) -> None:
    """The family answers in front of the professionals: neither their answer nor any average shows."""
    one = replace(running_meeting(), feedback=FeedbackTally().add({"family_heard": 4}))
    three = replace(one, feedback=one.feedback.add({"family_heard": 5}).add({"family_heard": 3}))
    for meeting, n in ((one, "1"), (three, "3")):
        payload = to_json(feedback_card(meeting, lang, message=t("feedback.thanks", lang)))
        assert_valid_card(payload)
        text = _texts(payload)
        assert t("feedback.thanks", lang) in text and t("feedback.tally", lang, n=n) in text
        assert t("feedback.private", lang) in text
        assert not [node for node in _walk(payload) if node.get("type") == "FactSet"], "no per-question figures"
        blocks = [str(b["text"]) for b in _walk(payload) if b.get("type") == "TextBlock"]
        shown = [b for b in blocks if b != t("feedback.tally", lang, n=n)]
        assert not [b for b in shown if re.search(r"\d", b)], "no score, no average: not even from three answers"


def test_a_score_off_the_scale_is_refused_on_the_card_in_finnish() -> None:
    payload = to_json(feedback_card(plan_meeting(), "fi", message=t("feedback.out_of_range", "fi")))
    assert "Valitse jokaiseen kysymykseen vastaus asteikolta 1–5. Palautetta ei tallennettu" in _texts(payload)
    assert any(n.get("style") == "attention" for n in _walk(payload))


# --- the finalized card -------------------------------------------------------------------------------

def test_finalized_card_links_the_documents_and_offers_a_follow_up() -> None:
    meeting = finalized_meeting()
    payload = to_json(BUILDERS["finalized"]("fi"))
    record = meeting.finalized
    assert record is not None
    assert [(a["type"], a.get("url") or a.get("verb")) for a in payload["actions"]] == [
        ("Action.OpenUrl", record.pdf_url), ("Action.OpenUrl", record.docx_url), ("Action.Execute", Verb.FOLLOWUP)]
    facts = {f["title"]: f["value"] for n in _walk(payload) if n.get("type") == "FactSet" for f in n["facts"]}
    assert facts["Vastuutyöntekijä"] == "Hanna Heikkinen"
    assert facts["Jaettu"] == "Liisa Lähinen, Mikko Miettinen"
    assert facts["Seuraava yhteydenotto"] == "to 17.12.2026 klo 14.00 (varattu vastuutyöntekijän kalenteriin)"
    assert "Ei tavoitettu Teamsissa — kerro heille suunnitelmasta: Mikko Miettinen" in _texts(payload)


def test_finalize_confirmation_says_how_many_steps_are_undone_and_which() -> None:
    payload = to_json(BUILDERS["finalize_confirm"]("fi"))  # 3 of 9 steps done
    text = _texts(payload)
    assert "Viimeistelläänkö, vaikka vaiheita puuttuu?" in text
    assert "6/9 vaihetta on merkitsemättä tehdyksi:" in text
    assert "○ 4. Ammattilaiset esittäytyvät" in text and "○ 9. " in text and "○ 1. " not in text
    [anyway, back] = payload["actions"]
    assert (anyway["title"], anyway["verb"], anyway["data"]["confirm"]) == ("Viimeistele silti",
                                                                             Verb.FINALIZE_CONFIRM, True)
    assert anyway["style"] == "positive" and anyway["associatedInputs"] == "none"
    assert (back["title"], back["verb"]) == ("Takaisin rakenteeseen", Verb.MEETING_OPEN)
    assert "confirm" not in back["data"]


def test_finalized_card_needs_a_finalized_meeting() -> None:
    with pytest.raises(ValueError, match="finalized"):
        finalized_card(running_meeting(), "fi", responsible_names=(), recipient_names=())


# --- the catalogue ------------------------------------------------------------------------------------

def _keys_used_while_rendering(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    used: set[str] = set()

    def recording(key: str, lang: str = "fi", **params: str) -> str:
        used.add(key)
        return messages.t(key, lang, **params)

    for module in CARD_MODULES:
        monkeypatch.setattr(module, "t", recording)
    for builder in BUILDERS.values():
        for lang in LANGUAGES:
            builder(lang)
    return used


def _keys_in_source() -> set[str]:
    found: set[str] = set()
    for module in CARD_MODULES:
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        found |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", source))
        found |= set(re.findall(r"""["']((?:meeting|starcard|plancard|feedback|finalized)\.[a-z_.]+)["']""",
                                source))
    return found


def _complete(key: str) -> bool:
    # Each language's own catalog must have it (t would fall back to Finnish).
    return all(source_texts("messages", lang).get(key, "").strip() for lang in LANGUAGES)


def test_every_key_the_meeting_cards_use_is_in_fi_sv_and_en(monkeypatch: pytest.MonkeyPatch) -> None:
    used = _keys_used_while_rendering(monkeypatch) | _keys_in_source()
    dynamic = ({f"step.{s.key}" for s in MEETING_STEPS} | {f"step.{s.key}.desc" for s in MEETING_STEPS}
               | {f"who.{s.who.value}" for s in MEETING_STEPS} | {f"feedback.{k}" for k, _ in FEEDBACK_QUESTIONS}
               | {f"starcard.view.{v.value}" for v in View})
    assert dynamic <= used
    assert not sorted(k for k in used if not _complete(k))


def test_the_meeting_service_refusals_are_in_the_catalogue() -> None:
    wanted = ({f"star.problem.{p.value}" for p in (*StarProblemKind, *TextProblem)}
              | {f"plan.problem.{p.value.removeprefix('plan.')}" for p in PlanProblemKind}
              | {f"plan.field.{p.value}" for p in TextProblem}
              | {"meeting.not_booked", "meeting.not_found", "meeting.already_finalized", "plan.missing",
                 "feedback.empty", "meeting.near_worker", "meeting.network_member", "plan.family_present",
                 "plan.family_member", "finalize.share_message", "next_contact.subject", "next_contact.body",
                 "feedback.thanks", "feedback.out_of_range", "star.problem.invalid_rating",
                 "finalize.too_early", "finalize.undone_steps"})
    assert not sorted(k for k in wanted if not _complete(k))


def test_meeting_catalogue_is_complete_and_does_not_clash() -> None:
    every_key = messages.keys()
    meeting_keys = {k for k in every_key
                    if k.split(".")[0] in {"meeting", "step", "who", "starcard", "plancard", "feedback", "finalized"}}
    assert meeting_keys
    assert not every_key & document_keys()
    for key in meeting_keys:
        entry = [source_texts("messages", lang).get(key, "") for lang in LANGUAGES]
        assert all(text.strip() for text in entry), key
        params = [sorted(re.findall(r"{(\w+)}", text)) for text in entry]
        assert params[0] == params[1] == params[2], key


def test_star_cards_for_different_stars_differ_only_by_definition() -> None:
    for name in STARS:
        definition: StarDefinition = star(name)
        meeting: Meeting = star_meeting(definition)
        ids = set(_inputs(to_json(star_card(meeting, definition, "en", picture_url=None, earlier_note=False))))
        assert all(re.fullmatch(r"[swfcp]_\d{1,2}", i) for i in ids)


@pytest.mark.parametrize("key", ["feedback.saved", "feedback.thanks"])
def test_feedback_confirmation_is_calm_and_a_refusal_is_not(key: str) -> None:
    thanked = to_json(feedback_card(plan_meeting(), "fi", message=t(key, "fi")))
    assert any(n.get("style") == "good" for n in _walk(thanked))
    refused = to_json(feedback_card(plan_meeting(), "fi", message=t("feedback.empty", "fi")))
    assert any(n.get("style") == "attention" for n in _walk(refused))
    assert not any(n.get("style") == "good" for n in _walk(refused))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_plan_card_does_not_forbid_the_work_phone_its_contact_fields_ask_for(lang: str) -> None:
    """The banner says where a phone number may go (the contact fields take a worker's work contact)."""
    shown = _texts(to_json(plan_card(running_meeting(), lang)))
    forbidding = {"fi": "tai puhelinnumeroita", "sv": "eller telefonnummer.", "en": "or phone numbers."}[lang]
    allowed = {"fi": "yhteydenpidon kohtiin", "sv": "fälten om kontakt", "en": "the contact fields"}[lang]
    assert forbidding not in shown and allowed in shown, shown


HELSINKI = ZoneInfo("Europe/Helsinki")


def _free_times() -> tuple[datetime, ...]:
    """Two free times a fortnight after the sample meeting, as the finalizing service offers them."""
    start = running_meeting().scheduled_start + timedelta(days=14)
    return start.replace(hour=8, minute=0), start.replace(hour=10, minute=30)


def test_a_taken_next_contact_offers_a_button_per_free_time_that_finalizes_with_it() -> None:
    shown = to_json(plan_card(plan_meeting(), "fi", free_times=_free_times()))
    offered = [a for a in _walk(shown) if a.get("type") == "Action.Execute" and "offeredDate" in a.get("data", {})]
    day = _free_times()[0].astimezone(HELSINKI).date()
    assert [(a["data"]["offeredDate"], a["data"]["offeredTime"]) for a in offered] == [
        (day.isoformat(), "08:00"), (day.isoformat(), "10:30")]
    assert all(a["data"]["then"] == "finalize" and a["verb"] == Verb.PLAN_SAVE for a in offered)
    assert offered[0]["title"].endswith("klo 8.00") and "Viimeistele ja varaa" in _texts(shown)
    assert "offeredDate" not in str(to_json(plan_card(plan_meeting(), "fi"))), "none without a refusal"
