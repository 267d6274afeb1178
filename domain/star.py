"""The wellbeing star (Hyvinvoinnin tähti) as data, and one meeting's reading of it.

The star is a frame for discussion: for each point the family and the professionals
note strengths (voimavarat) and things to work on, and may give an optional rating.
Which points a star has, which of them are asked from the child, and whether and how
they are rated is configuration (config/stars/*.yaml, loaded by documents.star_config),
not code: other regions use other stars.

Pure Python: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.sensitive_text import TextProblem, text_problem

#: The longest strengths or things-to-work-on text per point.
MAX_POINT_TEXT = 1000


def localized(texts: Mapping[str, str], lang: str) -> str:
    """``texts[lang]``, falling back to Finnish and then to any text there is."""
    return texts.get(lang) or texts.get("fi") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class RatingScale:
    """An integer rating scale, e.g. 1–5 or 0–10, with words for its two ends."""

    minimum: int
    maximum: int
    min_labels: dict[str, str] = field(default_factory=dict)
    max_labels: dict[str, str] = field(default_factory=dict)

    def contains(self, value: int) -> bool:
        """Whether ``value`` is on the scale."""
        return self.minimum <= value <= self.maximum

    def fraction(self, value: int) -> float:
        """Where ``value`` lies between the ends, 0.0 at the minimum and 1.0 at the maximum."""
        return (value - self.minimum) / (self.maximum - self.minimum)

    def min_label(self, lang: str = "fi") -> str:
        """What the lowest value means, in ``lang`` (may be empty)."""
        return localized(self.min_labels, lang) if self.min_labels else ""

    def max_label(self, lang: str = "fi") -> str:
        """What the highest value means, in ``lang`` (may be empty)."""
        return localized(self.max_labels, lang) if self.max_labels else ""


@dataclass(frozen=True)
class StarGroup:
    """A set of points drawn together, e.g. the LAPE star's dark-blue "child" triangle."""

    key: str
    names: dict[str, str]
    colour: str  # "#rrggbb"

    def name(self, lang: str = "fi") -> str:
        """The group's name in ``lang``."""
        return localized(self.names, lang)


@dataclass(frozen=True)
class StarPoint:
    """One point of the star.

    ``asked_from_child`` points get the child's own rating as well; ``scale`` is None
    when the point is not rated (discussion only). ``short_texts`` label the picture;
    the documents show the full ``texts``.
    """

    key: str
    texts: dict[str, str]
    group: str
    asked_from_child: bool = False
    scale: RatingScale | None = None
    short_texts: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = "fi") -> str:
        """The point's full wording in ``lang``."""
        return localized(self.texts, lang)

    def short_text(self, lang: str = "fi") -> str:
        """The point's short label for the picture in ``lang`` (the full text when none is set)."""
        return localized(self.short_texts, lang) if self.short_texts else self.text(lang)


@dataclass(frozen=True)
class StarDefinition:
    """A whole star: its points in order (numbered from 1) and the groups they belong to."""

    key: str
    names: dict[str, str]
    groups: tuple[StarGroup, ...]
    points: tuple[StarPoint, ...]
    descriptions: dict[str, str] = field(default_factory=dict)

    def name(self, lang: str = "fi") -> str:
        """The star's name in ``lang``."""
        return localized(self.names, lang)

    def description(self, lang: str = "fi") -> str:
        """A sentence about where the star comes from, in ``lang`` (may be empty)."""
        return localized(self.descriptions, lang) if self.descriptions else ""

    def point(self, key: str) -> StarPoint | None:
        """The point with ``key``, if any."""
        return next((p for p in self.points if p.key == key), None)

    def group(self, key: str) -> StarGroup | None:
        """The group with ``key``, if any."""
        return next((g for g in self.groups if g.key == key), None)

    @property
    def rated(self) -> bool:
        """Whether any point can be rated."""
        return any(p.scale is not None for p in self.points)

    @property
    def child_points(self) -> tuple[StarPoint, ...]:
        """The points asked from the child, in order."""
        return tuple(p for p in self.points if p.asked_from_child)


class View(StrEnum):
    """Whose rating: the family's, the child's own, or the professionals'."""

    FAMILY = "family"
    CHILD = "child"
    PROFESSIONALS = "professionals"


@dataclass(frozen=True)
class PointReading:
    """What was said about one point at one meeting. Every part is optional."""

    strengths: str = ""
    to_work_on: str = ""
    family: int | None = None
    child: int | None = None
    professionals: int | None = None

    def rating(self, view: View) -> int | None:
        """The rating given from ``view``, if any."""
        value: int | None = getattr(self, view.value)
        return value

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all was noted for the point."""
        return (not self.strengths.strip() and not self.to_work_on.strip()
                and all(self.rating(v) is None for v in View))


@dataclass(frozen=True)
class StarReading:
    """One meeting's reading of a star: a PointReading per point key (missing keys are empty)."""

    star_key: str
    points: dict[str, PointReading] = field(default_factory=dict)
    taken_on: date | None = None

    def point(self, key: str) -> PointReading:
        """The reading for point ``key`` (an empty reading when nothing was noted)."""
        return self.points.get(key) or PointReading()

    def has_ratings(self, view: View | None = None) -> bool:
        """Whether any point was rated (from ``view``, or from any view)."""
        views = (view,) if view else tuple(View)
        return any(r.rating(v) is not None for r in self.points.values() for v in views)

    @property
    def is_empty(self) -> bool:
        """Whether nothing was noted for any point."""
        return all(r.is_empty for r in self.points.values())


class StarProblemKind(StrEnum):
    """Why a reading was refused. The value is the message key."""

    WRONG_STAR = "star.wrong_star"
    UNKNOWN_POINT = "star.unknown_point"
    NOT_RATED = "star.not_rated"
    OUT_OF_SCALE = "star.out_of_scale"
    CHILD_NOT_ASKED = "star.child_not_asked"


@dataclass(frozen=True)
class ReadingProblem:
    """One problem in a reading: which point and field, and why (a message key)."""

    point_key: str | None
    field_name: str
    problem: StarProblemKind | TextProblem


def reading_problems(definition: StarDefinition, reading: StarReading, *,
                     max_text_length: int = MAX_POINT_TEXT) -> tuple[ReadingProblem, ...]:
    """Everything wrong with ``reading`` for ``definition``; empty when it may be stored.

    Empty points are fine. A rating must be on the point's scale; the child's rating is
    only for points asked from the child; texts are at most ``max_text_length``
    characters and must not hold an identity code, e-mail address or phone number.
    """
    problems: list[ReadingProblem] = []
    if reading.star_key != definition.key:
        problems.append(ReadingProblem(None, "star_key", StarProblemKind.WRONG_STAR))
    order = {p.key: i for i, p in enumerate(definition.points)}
    for key in sorted(reading.points, key=lambda k: (order.get(k, len(order)), k)):
        point = definition.point(key)
        if point is None:
            problems.append(ReadingProblem(key, "point", StarProblemKind.UNKNOWN_POINT))
            continue
        problems.extend(_point_problems(point, reading.points[key], max_text_length))
    return tuple(problems)


def _point_problems(point: StarPoint, entry: PointReading, max_text_length: int) -> list[ReadingProblem]:
    problems: list[ReadingProblem] = []
    for name in ("strengths", "to_work_on"):
        text: str = getattr(entry, name)
        problem = text_problem(text, max_length=max_text_length) if text.strip() else None
        if problem:
            problems.append(ReadingProblem(point.key, name, problem))
    for view in View:
        value = entry.rating(view)
        if value is None:
            continue
        if view is View.CHILD and not point.asked_from_child:
            problems.append(ReadingProblem(point.key, view.value, StarProblemKind.CHILD_NOT_ASKED))
        elif point.scale is None:
            problems.append(ReadingProblem(point.key, view.value, StarProblemKind.NOT_RATED))
        elif not point.scale.contains(value):
            problems.append(ReadingProblem(point.key, view.value, StarProblemKind.OUT_OF_SCALE))
    return problems


def definition_problems(definition: StarDefinition) -> tuple[str, ...]:
    """Structural mistakes in a star definition, as plain sentences (empty when sound)."""
    problems: list[str] = []
    if len(definition.points) < 3:
        problems.append("a star needs at least 3 points")
    if len(definition.points) > 16:
        problems.append("a star can have at most 16 points")
    for what, keys in (("point", [p.key for p in definition.points]), ("group", [g.key for g in definition.groups])):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            problems.append(f"{what} keys must be unique: {', '.join(repeated)}")
    group_keys = {g.key for g in definition.groups}
    for point in definition.points:
        if point.group not in group_keys:
            problems.append(f"point {point.key}: unknown group {point.group!r} "
                            f"(known: {', '.join(sorted(group_keys)) or 'none'})")
        if point.scale is not None and point.scale.maximum <= point.scale.minimum:
            problems.append(f"point {point.key}: scale maximum must be greater than its minimum")
        if "fi" not in point.texts:
            problems.append(f"point {point.key}: a Finnish text (fi) is required")
    unused = sorted(group_keys - {p.group for p in definition.points})
    if unused:
        problems.append(f"groups without points: {', '.join(unused)}")
    return tuple(problems)
