"""Loading star definitions (config/stars/*.yaml) into domain StarDefinitions, with clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from domain.star import RatingScale, StarDefinition, StarGroup, StarPoint, definition_problems

#: libyaml's safe loader where PyYAML has it: the same documents, ~5 × faster to read at start-up.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: The default star's key (config/stars/lape-pohjois-savo.yaml).
DEFAULT_STAR_KEY = "lape-pohjois-savo"

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StarConfigError(Exception):
    """A star file is invalid; the message names the file, the place and the reason (safe to print)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TextsModel(_Strict):
    """A text in Finnish (required), Swedish and English."""

    fi: Text
    sv: Text | None = None
    en: Text | None = None

    def as_dict(self) -> dict[str, str]:
        """The texts by language, leaving out the missing ones."""
        return {k: v for k, v in (("fi", self.fi), ("sv", self.sv), ("en", self.en)) if v}


class ScaleModel(_Strict):
    """A rating scale: integer ends and, optionally, what they mean."""

    min: int = Field(ge=-100, le=100)
    max: int = Field(ge=-100, le=100)
    min_label: TextsModel | None = None
    max_label: TextsModel | None = None

    @model_validator(mode="after")
    def _ordered(self) -> ScaleModel:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.max - self.min > 20:
            raise ValueError("a scale can have at most 21 steps")
        return self

    def scale(self) -> RatingScale:
        """The domain scale."""
        return RatingScale(self.min, self.max, self.min_label.as_dict() if self.min_label else {},
                           self.max_label.as_dict() if self.max_label else {})


class GroupModel(_Strict):
    """A group of points drawn together in one colour."""

    key: Key
    colour: Colour
    names: TextsModel


class PointModel(_Strict):
    """One point; ``rated: false`` leaves it unrated, ``scale`` overrides the star's scale."""

    key: Key
    group: Key
    asked_from_child: bool = False
    texts: TextsModel
    short: TextsModel | None = None
    rated: bool = True
    scale: ScaleModel | None = None  # overrides the star's scale for this point


class StarModel(_Strict):
    """A whole star file."""

    key: Key
    names: TextsModel
    description: TextsModel | None = None
    scale: ScaleModel | None = None
    groups: list[GroupModel] = Field(min_length=1, max_length=8)
    points: list[PointModel] = Field(min_length=3, max_length=16)

    @model_validator(mode="after")
    def _groups_known(self) -> StarModel:
        known = [g.key for g in self.groups]
        for i, point in enumerate(self.points):
            if point.group not in known:
                raise ValueError(f"points.{i} ({point.key}): unknown group {point.group!r}; "
                                 f"known groups: {', '.join(known)}")
        return self


def _point(model: PointModel, star_scale: ScaleModel | None) -> StarPoint:
    scale = model.scale or star_scale
    return StarPoint(key=model.key, texts=model.texts.as_dict(), group=model.group,
                     asked_from_child=model.asked_from_child,
                     scale=scale.scale() if model.rated and scale else None,
                     short_texts=model.short.as_dict() if model.short else {})


def _definition(model: StarModel) -> StarDefinition:
    points = tuple(_point(p, model.scale) for p in model.points)
    groups = tuple(StarGroup(g.key, g.names.as_dict(), g.colour.lower()) for g in model.groups)
    return StarDefinition(key=model.key, names=model.names.as_dict(), groups=groups, points=points,
                          descriptions=model.description.as_dict() if model.description else {})


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def parse_star(data: Any, source: str = "star file") -> StarDefinition:
    """The star defined by ``data`` (parsed YAML), or StarConfigError saying what is wrong and where."""
    if not isinstance(data, dict):
        raise StarConfigError(f"{source}: expected a mapping with key, names, groups and points")
    try:
        model = StarModel.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in err.errors())
        raise StarConfigError(f"{source}: {problems}") from None
    definition = _definition(model)
    mistakes = definition_problems(definition)
    if mistakes:
        raise StarConfigError(f"{source}: {'; '.join(mistakes)}")
    return definition


def load_star(path: Path) -> StarDefinition:
    """Reads and validates one star file."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except OSError as err:
        raise StarConfigError(f"{path}: cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise StarConfigError(f"{path}: not valid YAML ({err})") from None
    return parse_star(data, str(path))


def load_stars(directory: Path) -> dict[str, StarDefinition]:
    """Every star file (``*.yaml``) in ``directory`` by star key, in file-name order; keys must be unique."""
    stars: dict[str, StarDefinition] = {}
    for path in sorted(directory.glob("*.yaml")):
        star = load_star(path)
        if star.key in stars:
            raise StarConfigError(f"{path}: star key {star.key!r} is already used by another file")
        stars[star.key] = star
    if not stars:
        raise StarConfigError(f"{directory}: no star files (*.yaml)")
    return stars
