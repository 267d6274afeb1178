"""The wellbeing star: star files load (or fail clearly), readings are checked, and the picture shows them."""

from __future__ import annotations

import io
import re
import statistics
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import cast

import pytest
import yaml
from PIL import Image, ImageChops, ImageStat

from config import shipped_path
from documents.star_config import (
    DEFAULT_STAR_KEY,
    StarConfigError,
    load_star,
    load_stars,
    parse_star,
)
from documents.star_picture import DEFAULT_WIDTH, render_star_png
from domain.sensitive_text import TextProblem
from domain.star import PointReading, StarDefinition, StarProblemKind, StarReading, View, reading_problems

STARS = shipped_path("stars")


@pytest.fixture(scope="module")
def lape() -> StarDefinition:
    return load_star(STARS / "lape-pohjois-savo.yaml")


@pytest.fixture(scope="module")
def ten() -> StarDefinition:
    return load_star(STARS / "family-ten-item.yaml")


def _rated(star: StarDefinition, family: int, professionals: int, child: int | None = None) -> StarReading:
    return StarReading(star.key, {p.key: PointReading(family=family, professionals=professionals,
                                                      child=child if p.asked_from_child else None)
                                  for p in star.points})


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


# --- star files -----------------------------------------------------------------------------

def test_the_default_star_is_the_lape_six_point_star(lape: StarDefinition) -> None:
    stars = load_stars(STARS)
    assert DEFAULT_STAR_KEY in stars and stars[DEFAULT_STAR_KEY] == lape
    assert lape.name("fi") == "Hyvinvoinnin tähti"
    assert len(lape.points) == 6
    assert [p.asked_from_child for p in lape.points] == [True, True, True, False, False, False]
    assert [p.key for p in lape.child_points] == ["self_image", "relationships_safety", "everyday_life"]
    assert lape.points[0].text("fi") == "Lapsen käsitys itsestään"
    assert lape.points[5].text("fi") == "Sosiaaliseen hyvinvointiin liittyvät perhe- ja ympäristötekijät"
    assert {g.key: g.colour for g in lape.groups} == {"child": "#1f3a93", "family": "#5b9bd5"}
    assert {p.group for p in lape.child_points} == {"child"}
    for point in lape.points:  # every point is worded in all three languages
        assert point.text("sv") != point.text("fi") and point.text("en") != point.text("fi")


def test_the_default_scale_is_one_to_five_with_worded_ends(lape: StarDefinition) -> None:
    scale = lape.points[0].scale
    assert scale is not None and (scale.minimum, scale.maximum) == (1, 5)
    assert scale.min_label("fi") == "paljon huolta" and scale.max_label("fi") == "sujuu hyvin"
    assert all(p.scale == scale for p in lape.points)


def test_a_ten_item_star_with_a_zero_to_ten_scale_loads_without_code_changes(ten: StarDefinition) -> None:
    assert len(ten.points) == 10
    assert all(p.scale is not None and (p.scale.minimum, p.scale.maximum) == (0, 10) for p in ten.points)
    assert [p.key for p in ten.child_points] == ["daycare_school", "free_time"]
    assert not reading_problems(ten, _rated(ten, 0, 10, child=7))


def _valid() -> dict[str, object]:
    return yaml.safe_load((STARS / "lape-pohjois-savo.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["points"][1].update(group="kids"), "points.1 (relationships_safety): unknown group 'kids'"),
    (lambda d: d["scale"].update(min=5, max=1), "scale: max (1) must be greater than min (5)"),
    (lambda d: d["points"][0]["texts"].pop("fi"), "points.0.texts.fi: Field required"),
    (lambda d: d["points"][2].update(key="self_image"), "point keys must be unique: self_image"),
    (lambda d: d["groups"][0].update(colour="blue"), "groups.0.colour: String should match pattern"),
    (lambda d: d.update(points=d["points"][:2]), "points: List should have at least 3 items"),
    (lambda d: d["points"][0].update(asked_from_kid=True), "points.0.asked_from_kid: Extra inputs are not permitted"),
    (lambda d: d.update(groups=[*d["groups"], {"key": "x", "colour": "#000000", "names": {"fi": "X"}}]),
     "groups without points: x"),
])
def test_invalid_star_definitions_say_where_and_why(change: object, message: str) -> None:
    data = _valid()
    change(data)  # type: ignore[operator]
    with pytest.raises(StarConfigError) as err:
        parse_star(data, "stars/broken.yaml")
    assert str(err.value).startswith("stars/broken.yaml: ")
    assert message in str(err.value)


def test_unreadable_or_malformed_star_files_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StarConfigError, match=re.escape("missing.yaml: cannot read")):
        load_star(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(StarConfigError, match=re.escape("bad.yaml: not valid YAML")):
        load_star(bad)
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(StarConfigError, match="expected a mapping"):
        load_star(bad)


def test_two_files_may_not_define_the_same_star(tmp_path: Path) -> None:
    text = (STARS / "lape-pohjois-savo.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(StarConfigError, match=re.escape("b.yaml: star key 'lape-pohjois-savo' is already used")):
        load_stars(tmp_path)


def test_a_star_without_a_scale_is_discussion_only(tmp_path: Path) -> None:
    data = _valid()
    data["scale"] = None
    star = parse_star(data)
    assert not star.rated
    problems = reading_problems(star, StarReading(star.key, {"parenting": PointReading("Arki sujuu", family=3)}))
    assert [(p.point_key, p.problem) for p in problems] == [("parenting", StarProblemKind.NOT_RATED)]


# --- readings -----------------------------------------------------------------------------

def test_empty_and_partial_readings_are_fine(lape: StarDefinition) -> None:
    assert reading_problems(lape, StarReading(lape.key)) == ()
    partial = StarReading(lape.key, {"parenting": PointReading(strengths="Isä lukee iltasadun joka ilta."),
                                     "self_image": PointReading(child=5),
                                     "social_wellbeing": PointReading()})
    assert reading_problems(lape, partial) == ()
    assert partial.point("health_development").is_empty


@pytest.mark.parametrize(("point", "entry", "field", "problem"), [
    ("parenting", PointReading(family=6), "family", StarProblemKind.OUT_OF_SCALE),
    ("parenting", PointReading(professionals=0), "professionals", StarProblemKind.OUT_OF_SCALE),
    ("self_image", PointReading(child=-1), "child", StarProblemKind.OUT_OF_SCALE),
    ("parenting", PointReading(child=3), "child", StarProblemKind.CHILD_NOT_ASKED),
    ("health_development", PointReading(child=4), "child", StarProblemKind.CHILD_NOT_ASKED),
    ("self_image", PointReading(strengths="Hetu 131052-308T kirjattiin vahingossa"), "strengths",
     TextProblem.IDENTITY_CODE),
    ("self_image", PointReading(to_work_on="Soita äidille 040 123 4567"), "to_work_on", TextProblem.PHONE),
    ("self_image", PointReading(to_work_on="maija@example.com"), "to_work_on", TextProblem.EMAIL),
    ("everyday_life", PointReading(strengths="x" * 1001), "strengths", TextProblem.TOO_LONG),
])
def test_readings_that_cannot_be_stored(lape: StarDefinition, point: str, entry: PointReading, field: str,
                                        problem: object) -> None:
    problems = reading_problems(lape, StarReading(lape.key, {point: entry}))
    assert [(p.point_key, p.field_name, p.problem) for p in problems] == [(point, field, problem)]


def test_a_reading_of_another_star_or_an_unknown_point_is_refused(lape: StarDefinition) -> None:
    problems = reading_problems(lape, StarReading("family-ten-item", {"mood": PointReading(family=3)}))
    assert [p.problem for p in problems] == [StarProblemKind.WRONG_STAR, StarProblemKind.UNKNOWN_POINT]


def test_the_longest_allowed_text_passes(lape: StarDefinition) -> None:
    reading = StarReading(lape.key, {"everyday_life": PointReading(strengths="Kaverit " * 124)})
    assert reading_problems(lape, reading) == ()


# --- the picture --------------------------------------------------------------------------

def test_the_picture_is_a_png_of_the_requested_width_and_not_blank(lape: StarDefinition) -> None:
    image = _image(render_star_png(lape))
    assert image.format == "PNG" and image.mode == "RGB"
    assert image.width == DEFAULT_WIDTH and 450 <= image.height <= 800
    darkest, lightest = cast(tuple[int, int], image.convert("L").getextrema())
    assert darkest < 60 and lightest == 255  # dark text and lines on a white background
    colours = image.getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 50
    # both triangles are there: pixels close to the dark-blue and the light-blue outline colours
    rgb = [cast(tuple[int, int, int], c) for _, c in colours]
    assert any(abs(r - 0x1F) + abs(g - 0x3A) + abs(b - 0x93) < 30 for r, g, b in rgb)
    assert any(abs(r - 0x5B) + abs(g - 0x9B) + abs(b - 0xD5) < 30 for r, g, b in rgb)
    narrow = _image(render_star_png(lape, width=560))
    assert narrow.width == 560


def test_the_same_reading_gives_the_same_picture_and_different_ratings_differ(lape: StarDefinition) -> None:
    low, high = _rated(lape, 2, 2, child=2), _rated(lape, 4, 4, child=4)
    assert render_star_png(lape, low) == render_star_png(lape, low)
    assert render_star_png(lape, low) != render_star_png(lape, high)
    unrated = _image(render_star_png(lape))
    rated = _image(render_star_png(lape, low))
    assert rated.height > unrated.height  # the legend grows: the scale and the three views


def test_a_single_changed_rating_changes_the_picture(lape: StarDefinition) -> None:
    first = _rated(lape, 3, 3, child=3)
    second = StarReading(lape.key, {**first.points, "parenting": PointReading(family=5, professionals=3)})
    diff = ImageChops.difference(_image(render_star_png(lape, first)), _image(render_star_png(lape, second)))
    assert diff.getbbox() is not None
    assert sum(ImageStat.Stat(diff).sum) > 0


def test_an_earlier_reading_is_drawn_under_the_current_one(lape: StarDefinition) -> None:
    now = StarReading(lape.key, _rated(lape, 4, 4, child=4).points, taken_on=date(2027, 1, 14))
    earlier = StarReading(lape.key, _rated(lape, 2, 2, child=2).points, taken_on=date(2026, 12, 3))
    alone, together = _image(render_star_png(lape, now)), _image(render_star_png(lape, now, earlier=earlier))
    assert together.height > alone.height  # the earlier/now legend row
    assert ImageChops.difference(alone.crop((0, 0, alone.width, 300)),
                                 together.crop((0, 0, alone.width, 300))).getbbox() is not None


def test_the_child_view_only_uses_the_childs_points(lape: StarDefinition) -> None:
    only_child = StarReading(lape.key, {p.key: PointReading(child=5) for p in lape.child_points})
    assert reading_problems(lape, only_child) == ()
    assert only_child.has_ratings(View.CHILD) and not only_child.has_ratings(View.FAMILY)
    assert _image(render_star_png(lape, only_child)) != _image(render_star_png(lape))


def test_the_ten_item_star_draws(ten: StarDefinition) -> None:
    plain, rated = _image(render_star_png(ten, lang="sv")), _image(render_star_png(ten, _rated(ten, 3, 8, child=6)))
    assert plain.width == rated.width == DEFAULT_WIDTH
    assert ImageChops.difference(plain.crop((0, 60, 680, 420)), rated.crop((0, 60, 680, 420))).getbbox()


def test_the_picture_works_without_dejavu(lape: StarDefinition, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.star_picture.REGULAR_FONT_FILES", ())
    monkeypatch.setattr("documents.star_picture.BOLD_FONT_FILES", ())
    image = _image(render_star_png(lape, _rated(lape, 3, 4, child=5)))
    assert image.width == DEFAULT_WIDTH


def _legend_line_heights(png: bytes, shown_width: int) -> list[int]:
    """The heights (px) of the legend's text lines when the picture is shown ``shown_width`` px wide."""
    image = _image(png)
    shown = image.resize((shown_width, round(image.height * shown_width / image.width))).convert("L")
    legend = shown.crop((shown_width // 7, round(shown.height * 0.62), shown_width, shown.height))
    dark = [any(cast(int, legend.getpixel((x, y))) < 110 for x in range(legend.width)) for y in range(legend.height)]
    heights, run = [], 0
    for row in [*dark, False]:
        if row:
            run += 1
        elif run:
            heights.append(run)
            run = 0
    return heights


def test_the_card_picture_stays_readable_on_a_phone(lape: StarDefinition) -> None:
    # A card is about 290 px wide on a 320 px phone. The full picture's legend shrinks there to ~5 px text;
    # the compact one (the card's) keeps its lines tall enough for 12 px text.
    reading = _rated(lape, 3, 4, child=2)
    compact = render_star_png(lape, reading, compact=True)
    assert statistics.median(_legend_line_heights(compact, 290)) >= 8
    assert max(_legend_line_heights(render_star_png(lape, reading), 290)) < 8


def test_the_card_picture_leaves_the_points_names_to_the_card(lape: StarDefinition) -> None:
    # The compact picture numbers the points (the card lists them under the same numbers), so renaming a
    # point does not change it; the document's picture names them.
    first = replace(lape.points[0], short_texts={lang: "Aivan toinen nimi" for lang in ("fi", "sv", "en")})
    renamed = replace(lape, points=(first, *lape.points[1:]))
    assert render_star_png(renamed, compact=True) == render_star_png(lape, compact=True)
    assert render_star_png(renamed) != render_star_png(lape)
