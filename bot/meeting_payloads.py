"""Payloads of the meeting's cards (steps, star, plan, feedback), validated server-side.

Same rules as bot.payloads: the action data carries only the record id (and a step
key); everything else is the cards' inputs, keyed by input id. Teams sends every input
value as a string and leaves empty inputs out. Unknown keys are ignored; known keys are
type-checked, and a wrong type or an over-long text rejects the whole payload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, time
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, field_validator, model_validator

from bot.payloads import RecordPayload, Text
from domain.meeting import FEEDBACK_QUESTIONS, STEP_KEYS
from domain.star import (
    PointReading,
    ReadingProblem,
    StarDefinition,
    StarProblemKind,
    StarReading,
    View,
    reading_problems,
)
from services.meetings import PlanForm

#: A star card input id: ``s_<n>`` strengths, ``w_<n>`` things to work on, ``f_``/``c_``/``p_<n>`` ratings.
STAR_INPUT = re.compile(r"^([swfcp])_(0|[1-9]\d?)$")
_VIEWS = {"f": View.FAMILY, "c": View.CHILD, "p": View.PROFESSIONALS}
_FIELD_ORDER = "swfcp"
# A whole number as Teams may send it: "3", "3.0", "+3"; a decimal comma too ("3,0").
_WHOLE = re.compile(r"^[+-]?\d{1,4}(?:[.,]0*)?$")
# Input.Date sends "2026-12-17", Input.Time "14:30" (some clients add seconds).
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}(?::\d{2})?$")


def _blank_to_none(value: object) -> object:
    """An empty input (sent as "" by some clients) is the same as an omitted one."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _no_bool(value: object) -> object:
    """Booleans are not numbers here (pydantic would read True as 1)."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return _blank_to_none(value)


def _index_list(value: object) -> object:
    """A multi-select's "0,2" as ("0", "2"); empty is ()."""
    if value is None:
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _unique(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(values))


def _iso(pattern: re.Pattern[str]) -> Any:
    """A before-validator: only a string of ``pattern`` (or nothing) is accepted, never a number."""
    def check(value: object) -> object:
        value = _blank_to_none(value)
        if value is None:
            return None
        if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
            raise ValueError("not in the input's format")
        return value.strip()
    return BeforeValidator(check)


#: Chosen attendees by index, from a multi-select's comma-separated values; duplicates dropped.
IndexList = Annotated[tuple[Annotated[int, Field(ge=0, le=99)], ...], BeforeValidator(_index_list),
                      Field(max_length=100), AfterValidator(_unique)]
#: One feedback answer, a whole number; omitted or empty is None. Whether it is on the scale 1–5 is the
#: meeting service's to say (a polite refusal on the feedback card, nothing saved), not a broken payload's.
Score = Annotated[Annotated[int, Field(ge=-9999, le=9999)] | None, BeforeValidator(_no_bool)]


class FinalizeConfirmPayload(RecordPayload):
    """"Viimeistele silti": finalizing although steps are not marked done. Only ``confirm: true`` is accepted."""

    confirm: Annotated[bool, Field(strict=True)]

    @field_validator("confirm")
    @classmethod
    def _confirmed(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("not confirmed")
        return value


class StepPayload(RecordPayload):
    """Checking a step of the structure off (or back on): ``step`` is a key of domain.meeting.MEETING_STEPS."""

    step: Annotated[str, Field(max_length=40)]

    @field_validator("step")
    @classmethod
    def _known_step(cls, value: str) -> str:
        if value not in STEP_KEYS:
            raise ValueError("unknown step")
        return value


def _parse_rating(raw: str) -> tuple[bool, int | None]:
    """(ok, value): "3" and "3.0" are 3, "" is None; anything else is not a whole number."""
    value = raw.strip()
    if not value:
        return True, None
    if not _WHOLE.fullmatch(value):
        return False, None
    return True, int(value.replace(",", ".").split(".")[0])


class StarSavePayload(RecordPayload):
    """The star card's inputs: ``s_<n>``, ``w_<n>``, ``f_<n>``, ``c_<n>``, ``p_<n>`` for point index ``n``.

    How many points there are is data (the star definition), so the inputs are collected
    into ``entries`` by their id pattern; other keys are ignored. Read them with ``points``.
    """

    entries: dict[str, Text] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _collect_inputs(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        entries = {k: v for k, v in data.items() if isinstance(k, str) and STAR_INPUT.fullmatch(k)}
        rest = {k: v for k, v in data.items() if k not in entries and k != "entries"}
        return {**rest, "entries": entries}

    def points(self, definition: StarDefinition) -> dict[str, PointReading] | tuple[ReadingProblem, ...]:
        """The readings by point key (empty points left out), or every problem found.

        Texts are stripped; ratings are whole numbers ("3" or "3.0"; empty is no rating).
        A rating that is not a whole number, off the point's scale, given for an unrated
        point or (the child's) for a point not asked from the child is a problem, as is a
        text that may not be stored (domain.star.reading_problems) or an input for a point
        the star does not have. Never raises.
        """
        problems: list[ReadingProblem] = []
        parsed: dict[int, PointReading] = {}
        inputs = []
        for key, raw in self.entries.items():
            match = STAR_INPUT.fullmatch(key)
            if match is not None:
                inputs.append((int(match.group(2)), _FIELD_ORDER.index(match.group(1)), match.group(1), key, raw))
        for index, _, prefix, key, raw in sorted(inputs):
            if index >= len(definition.points):
                problems.append(ReadingProblem(None, key, StarProblemKind.UNKNOWN_POINT))
                continue
            point = definition.points[index]
            entry = parsed.get(index, PointReading())
            if prefix == "s":
                entry = replace(entry, strengths=raw.strip())
            elif prefix == "w":
                entry = replace(entry, to_work_on=raw.strip())
            else:
                view = _VIEWS[prefix]
                ok, value = _parse_rating(raw)
                if not ok:
                    problems.append(ReadingProblem(point.key, view.value, StarProblemKind.OUT_OF_SCALE))
                rating: dict[str, Any] = {view.value: value}
                entry = replace(entry, **rating)
            parsed[index] = entry
        readings = {definition.points[i].key: entry for i, entry in sorted(parsed.items()) if not entry.is_empty}
        problems.extend(reading_problems(definition, StarReading(definition.key, readings)))
        return tuple(problems) if problems else readings


class PlanSavePayload(RecordPayload):
    """The joint plan card's inputs; people are attendee indexes, the next contact a date and a time."""

    things_to_change: Text = Field("", alias="things")
    at_home: Text = Field("", alias="home")
    everyday_environment: Text = Field("", alias="everyday")
    elsewhere: Text = ""
    elsewhere_where: Text = Field("", alias="where")
    workers_reach_family: Text = Field("", alias="reachFamily")
    family_reaches_worker: Text = Field("", alias="reachWorker")
    responsible: IndexList = ()
    recipients: IndexList = ()
    next_date: Annotated[date | None, _iso(_DATE)] = Field(None, alias="nextDate")
    next_time: Annotated[time | None, _iso(_TIME)] = Field(None, alias="nextTime")
    plan_lang: Literal["fi", "sv", "en"] = Field("fi", alias="planLang")
    family_present: Text = Field("", alias="familyPresent")
    then: Literal["finalize"] | None = None  # the plan card's "Valmis" saves, then finalizes
    # A free time offered when the next contact was taken: its button carries it, in place of the inputs' values.
    offered_date: Annotated[date | None, _iso(_DATE)] = Field(None, alias="offeredDate")
    offered_time: Annotated[time | None, _iso(_TIME)] = Field(None, alias="offeredTime")

    def form(self) -> PlanForm:
        """The inputs as the meeting service takes them (it checks indexes against the attendees)."""
        offered = self.offered_date is not None and self.offered_time is not None
        return PlanForm(things_to_change=self.things_to_change, at_home=self.at_home,
                        everyday_environment=self.everyday_environment, elsewhere=self.elsewhere,
                        elsewhere_where=self.elsewhere_where, workers_reach_family=self.workers_reach_family,
                        family_reaches_worker=self.family_reaches_worker, responsible=self.responsible,
                        recipients=self.recipients, lang=self.plan_lang,
                        next_date=self.offered_date if offered else self.next_date,
                        next_time=self.offered_time if offered else self.next_time, family_present=self.family_present)


class FeedbackSavePayload(RecordPayload):
    """One person's feedback: each question a score or unanswered; nothing else (no comment is asked).

    One field per domain.meeting.FEEDBACK_QUESTIONS key, with the input id ``q_<key>``.
    """

    family_heard: Score = Field(None, alias="q_family_heard")
    family_useful: Score = Field(None, alias="q_family_useful")
    pros_useful: Score = Field(None, alias="q_pros_useful")
    pros_structure: Score = Field(None, alias="q_pros_structure")

    def scores(self) -> dict[str, int]:
        """The answered questions by key (FEEDBACK_QUESTIONS order)."""
        answers: dict[str, int] = {}
        for key, _ in FEEDBACK_QUESTIONS:
            value = getattr(self, key, None)
            if isinstance(value, int):
                answers[key] = value
        return answers
