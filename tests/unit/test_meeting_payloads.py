"""The meeting cards' payloads: what Teams sends is parsed strictly, junk is ignored, problems are returned."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time
from typing import Any

import pytest
from pydantic import ValidationError

from bot.meeting_payloads import (
    FeedbackSavePayload,
    FinalizeConfirmPayload,
    PlanSavePayload,
    StarSavePayload,
    StepPayload,
)
from domain.meeting import FEEDBACK_KEYS, STEP_KEYS
from domain.sensitive_text import TextProblem
from domain.star import PointReading, ReadingProblem, StarDefinition, StarProblemKind
from services.meetings import PlanForm
from tests.support.meeting_samples import star

ID = "0123456789abcdef"


@pytest.fixture(scope="module")
def lape() -> StarDefinition:
    return star("lape-pohjois-savo")


@pytest.fixture(scope="module")
def ten() -> StarDefinition:
    return star("family-ten-item")


def _star(**inputs: Any) -> StarSavePayload:
    return StarSavePayload.model_validate({"verb": "star.save", "conveningId": ID, **inputs})


# --- "Viimeistele silti" ------------------------------------------------------------------------------

def test_finalizing_anyway_carries_a_yes() -> None:
    data = {"verb": "meeting.finalize_confirm", "conveningId": ID, "confirm": True}
    assert FinalizeConfirmPayload.model_validate(data).confirm is True


@pytest.mark.parametrize("confirm", [False, "true", 1, None, "kyllä"])
def test_finalizing_anyway_without_a_real_yes_is_refused(confirm: object) -> None:
    with pytest.raises(ValidationError):
        FinalizeConfirmPayload.model_validate({"conveningId": ID, "confirm": confirm})
    with pytest.raises(ValidationError):
        FinalizeConfirmPayload.model_validate({"conveningId": ID})


# --- steps --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("step", sorted(STEP_KEYS))
def test_every_step_key_parses(step: str) -> None:
    assert StepPayload.model_validate({"verb": "meeting.step", "conveningId": ID, "step": step}).step == step


@pytest.mark.parametrize("data", [
    {"conveningId": ID, "step": "coffee"},
    {"conveningId": ID, "step": "x" * 5000},
    {"conveningId": ID, "step": 3},
    {"conveningId": ID},
    {"conveningId": "not-an-id", "step": "welcome"},
    {"conveningId": ID.upper(), "step": "welcome"},
    {"step": "welcome"},
])
def test_bad_step_payloads_are_rejected(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        StepPayload.model_validate(data)


def test_step_payload_ignores_extra_keys() -> None:
    payload = StepPayload.model_validate({"conveningId": ID, "step": "plan", "familyRef": "Perhe K.", "x": [1]})
    assert payload.convening_id == ID and not hasattr(payload, "familyRef")


# --- the star -----------------------------------------------------------------------------------------

def test_star_inputs_become_readings_by_point_key(lape: StarDefinition) -> None:
    payload = _star(s_0="  Leikkii mielellään  ", w_0="Iltaisin vaikea rauhoittua", f_0="3", c_0="4.0",
                    p_0="2", s_3="Kasvaa hyvin", p_5=5)
    assert payload.points(lape) == {
        "self_image": PointReading("Leikkii mielellään", "Iltaisin vaikea rauhoittua", family=3, child=4,
                                   professionals=2),
        "health_development": PointReading(strengths="Kasvaa hyvin"),
        "social_wellbeing": PointReading(professionals=5),
    }


def test_empty_and_omitted_inputs_leave_points_out(lape: StarDefinition) -> None:
    assert _star().points(lape) == {}
    assert _star(s_0="   ", w_0="", f_0="", c_0=" ", p_0="").points(lape) == {}
    assert _star(s_1="", f_1="3").points(lape) == {"relationships_safety": PointReading(family=3)}


def test_a_ten_point_zero_to_ten_star_parses(ten: StarDefinition) -> None:
    inputs = {f"f_{n}": str(n) for n in range(10)} | {"p_9": "10", "c_9": "0", "c_8": "7"}
    points = _star(**inputs).points(ten)
    assert isinstance(points, dict)
    assert [points[p.key].family for p in ten.points] == list(range(10))
    assert points["free_time"] == PointReading(family=9, child=0, professionals=10)
    assert points["daycare_school"].child == 7


@pytest.mark.parametrize(("inputs", "expected"), [
    ({"f_0": "6"}, ReadingProblem("self_image", "family", StarProblemKind.OUT_OF_SCALE)),
    ({"p_2": "0"}, ReadingProblem("everyday_life", "professionals", StarProblemKind.OUT_OF_SCALE)),
    ({"f_0": "kolme"}, ReadingProblem("self_image", "family", StarProblemKind.OUT_OF_SCALE)),
    ({"f_0": "3.5"}, ReadingProblem("self_image", "family", StarProblemKind.OUT_OF_SCALE)),
    ({"f_0": "nan"}, ReadingProblem("self_image", "family", StarProblemKind.OUT_OF_SCALE)),
    ({"f_0": "1e1"}, ReadingProblem("self_image", "family", StarProblemKind.OUT_OF_SCALE)),
    ({"c_3": "3"}, ReadingProblem("health_development", "child", StarProblemKind.CHILD_NOT_ASKED)),
    ({"f_6": "3"}, ReadingProblem(None, "f_6", StarProblemKind.UNKNOWN_POINT)),
    ({"s_1": "Isän hetu 131052-308T"}, ReadingProblem("relationships_safety", "strengths",
                                                       TextProblem.IDENTITY_CODE)),
    ({"w_4": "x" * 1001}, ReadingProblem("parenting", "to_work_on", TextProblem.TOO_LONG)),
])
def test_star_problems_are_returned_not_raised(lape: StarDefinition, inputs: dict[str, str],
                                               expected: ReadingProblem) -> None:
    assert _star(**inputs).points(lape) == (expected,)


def test_every_problem_is_returned_in_point_order(lape: StarDefinition) -> None:
    problems = _star(p_5="9", f_0="x", s_0="ok", c_4="2").points(lape)
    assert isinstance(problems, tuple)
    assert [(p.point_key, p.field_name) for p in problems] == [
        ("self_image", "family"), ("parenting", "child"), ("social_wellbeing", "professionals")]


def test_a_rating_on_an_unrated_point_is_a_problem(lape: StarDefinition) -> None:
    unrated = replace(lape, points=(replace(lape.points[0], scale=None), *lape.points[1:]))
    assert _star(f_0="3").points(unrated) == (ReadingProblem("self_image", "family", StarProblemKind.NOT_RATED),)
    assert _star(s_0="Puhuu itsestään myönteisesti").points(unrated) == {
        "self_image": PointReading(strengths="Puhuu itsestään myönteisesti")}


@pytest.mark.parametrize("inputs", [
    {"s_0": "x" * 2001},
    {"f_0": ["3"]},
    {"w_1": {"text": "x"}},
    {"p_0": True},
    {"s_0": None},
])
def test_star_inputs_of_the_wrong_type_or_size_are_rejected(inputs: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        _star(**inputs)


def test_star_junk_keys_are_ignored(lape: StarDefinition) -> None:
    payload = _star(s_0="Hyvä", x_0="junk", s_100="too far", s_01="leading zero", S_0="capital", f_0_1="3",
                    entries={"s_1": "smuggled"}, familyRef="Perhe K.", s="3")
    assert set(payload.entries) == {"s_0"}
    assert payload.points(lape) == {"self_image": PointReading(strengths="Hyvä")}


# --- the plan -----------------------------------------------------------------------------------------

PLAN = {"conveningId": ID, "verb": "plan.save", "things": " Aamut ovat kiireisiä ", "home": "Iltarutiini",
        "everyday": "Lepohetki", "elsewhere": "Perheneuvolan ryhmä", "where": "Kasvatus- ja perheneuvola",
        "reachFamily": "Tekstiviesti äidille", "reachWorker": "Soittoaika ma–pe 8–9", "responsible": "1",
        "recipients": "2,0", "nextDate": "2026-12-17", "nextTime": "14:00", "planLang": "sv",
        "familyPresent": "Äiti, Lapsi 8 v"}


def test_a_full_plan_parses() -> None:
    payload = PlanSavePayload.model_validate(PLAN)
    assert payload.things_to_change == "Aamut ovat kiireisiä"
    assert payload.responsible == (1,) and payload.recipients == (2, 0)
    assert payload.next_date == date(2026, 12, 17) and payload.next_time == time(14, 0)
    assert payload.plan_lang == "sv" and payload.family_present == "Äiti, Lapsi 8 v"
    assert payload.form() == PlanForm(
        things_to_change="Aamut ovat kiireisiä", at_home="Iltarutiini", everyday_environment="Lepohetki",
        elsewhere="Perheneuvolan ryhmä", elsewhere_where="Kasvatus- ja perheneuvola",
        # Texts arrive cleaned (domain.sensitive_text.clean_text): nothing invisible, the en dashes kept.
        workers_reach_family="Tekstiviesti äidille", family_reaches_worker="Soittoaika ma–pe 8–9",
        responsible=(1,), recipients=(2, 0), next_date=date(2026, 12, 17), next_time=time(14, 0), lang="sv",
        family_present="Äiti, Lapsi 8 v")


def test_a_free_time_button_wins_over_the_next_contact_inputs() -> None:
    """The plan card's inputs still hold the taken time; the clicked free time is the one asked for."""
    clicked = PlanSavePayload.model_validate({**PLAN, "then": "finalize", "offeredDate": "2026-12-18",
                                              "offeredTime": "10:30"}).form()
    assert (clicked.next_date, clicked.next_time) == (date(2026, 12, 18), time(10, 30))
    half = PlanSavePayload.model_validate({**PLAN, "offeredDate": "2026-12-18"}).form()
    assert (half.next_date, half.next_time) == (date(2026, 12, 17), time(14, 0)), "a date alone is not a time"
    with pytest.raises(ValidationError):
        PlanSavePayload.model_validate({**PLAN, "offeredDate": "18.12.2026", "offeredTime": "10:30"})


def test_an_empty_plan_card_parses_to_defaults() -> None:
    payload = PlanSavePayload.model_validate({"conveningId": ID})
    assert payload.responsible == () and payload.recipients == ()
    assert payload.next_date is None and payload.next_time is None
    assert payload.plan_lang == "fi" and payload.things_to_change == ""
    blank = PlanSavePayload.model_validate({"conveningId": ID, "nextDate": "", "nextTime": " ", "responsible": ""})
    assert blank.next_date is None and blank.next_time is None and blank.responsible == ()


def test_plan_index_lists_are_deduplicated_and_tolerate_spaces() -> None:
    payload = PlanSavePayload.model_validate({**PLAN, "responsible": " 1 , 2,1 ", "recipients": "0,,0"})
    assert payload.responsible == (1, 2) and payload.recipients == (0,)


def test_plan_time_with_seconds_parses() -> None:
    assert PlanSavePayload.model_validate({**PLAN, "nextTime": "09:05:00"}).next_time == time(9, 5)


@pytest.mark.parametrize("change", [
    {"responsible": "Hanna Heikkinen"},
    {"responsible": "1.5"},
    {"recipients": "-1"},
    {"recipients": "100"},
    {"nextDate": "17.12.2026"},
    {"nextDate": "2026-02-30"},
    {"nextDate": 0},
    {"nextTime": "klo 14"},
    {"nextTime": "25:00"},
    {"nextTime": 1400},
    {"planLang": "de"},
    {"planLang": ""},
    {"things": "x" * 2001},
    {"familyPresent": "x" * 2001},
    {"home": ["Iltarutiini"]},
    {"where": True},
    {"conveningId": "0123"},
])
def test_bad_plan_payloads_are_rejected(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PlanSavePayload.model_validate({**PLAN, **change})


def test_plan_junk_keys_are_ignored() -> None:
    payload = PlanSavePayload.model_validate({**PLAN, "hetu": "131052-308T", "s_0": "x", "step": "plan"})
    assert "hetu" not in payload.model_dump() and payload.responsible == (1,)


# --- feedback -----------------------------------------------------------------------------------------

def test_feedback_fields_cover_every_question() -> None:
    aliases = {f.alias for f in FeedbackSavePayload.model_fields.values()}
    assert {f"q_{k}" for k in FEEDBACK_KEYS} <= aliases


def test_feedback_scores_parse() -> None:
    payload = FeedbackSavePayload.model_validate({"conveningId": ID, "verb": "feedback.save", "q_family_heard": "5",
                                                  "q_pros_structure": "3", "q_family_useful": ""})
    assert payload.scores() == {"family_heard": 5, "pros_structure": 3}
    assert FeedbackSavePayload.model_validate({"conveningId": ID}).scores() == {}


def test_a_whole_number_off_the_scale_reaches_the_service_which_refuses_it_politely() -> None:
    payload = FeedbackSavePayload.model_validate({"conveningId": ID, "q_family_heard": "7", "q_pros_useful": "0"})
    assert payload.scores() == {"family_heard": 7, "pros_useful": 0}


def test_a_comment_from_an_old_card_is_not_taken() -> None:
    payload = FeedbackSavePayload.model_validate({"conveningId": ID, "q_family_heard": "4",
                                                  "comment": "Hyvä tapaaminen"})
    assert "Hyvä tapaaminen" not in repr(payload) and payload.scores() == {"family_heard": 4}


@pytest.mark.parametrize("change", [
    {"q_pros_useful": "hyvä"},
    {"q_pros_useful": "4.5"},
    {"q_family_useful": True},
    {"q_family_useful": ["4"]},
])
def test_bad_feedback_is_rejected(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        FeedbackSavePayload.model_validate({"conveningId": ID, **change})


def test_feedback_junk_keys_are_ignored() -> None:
    payload = FeedbackSavePayload.model_validate({"conveningId": ID, "q_family_heard": "4", "q_coffee": "5",
                                                  "family_heard": "1"})
    assert payload.scores() == {"family_heard": 4}
