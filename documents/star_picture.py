"""The wellbeing star as a PNG picture (Pillow), for the Teams card and the printed plan.

The star's groups are drawn as overlapping polygons (the LAPE star: a dark-blue and a
light-blue triangle) when the groups are the same size, otherwise as one ray per point;
each point has a numbered disc at its tip and a wrapped label beside it. Ratings are
drawn along the axes, one polyline per view (family, child, professionals) told apart
by colour AND marker shape; an earlier reading is drawn dashed with hollow markers.
The same input always gives the same bytes.
"""

from __future__ import annotations

import io
import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from documents.fonts import BOLD_FONT_FILES, REGULAR_FONT_FILES
from documents.texts import day_text, t
from domain.star import StarDefinition, StarPoint, StarReading, View

#: The picture's default width in pixels (fits a Teams card at 100 %).
DEFAULT_WIDTH = 680

_COMPACT_TEXT = 2.2  # the compact picture's numbers and legend, times their size in the full picture
_COMPACT_DISC = 1.9  # the compact picture's number discs, likewise
_COMPACT_RADIUS = 1.5  # and its star
_SUPERSAMPLE = 2  # drawn at twice the size and reduced: smooth edges without slow per-shape anti-aliasing
_BASE = 680.0  # the layout below is in pixels of a 680 px wide picture

# Okabe–Ito / Tol colours that stay apart for colour-blind readers and from the star's blues.
_VIEW_STYLE: tuple[tuple[View, str, str], ...] = (
    (View.FAMILY, "#d55e00", "circle"),  # vermillion
    (View.CHILD, "#aa3377", "triangle"),  # purple
    (View.PROFESSIONALS, "#222222", "square"),  # near-black
)
_TEXT = "#1a1a1a"
_MUTED = "#555555"
_GUIDE = "#9aa3ad"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Point = tuple[float, float]
_Item = tuple[str, str, str]  # legend item: kind ("swatch", "text", "view", "line"), style, text
_Placed = tuple[float, float, _Item, list[str]]  # x, y, item, wrapped text lines


def _font_file(bold: bool, font_files: Sequence[str]) -> str | None:
    return next((n for n in (*font_files, *(BOLD_FONT_FILES if bold else REGULAR_FONT_FILES)) if Path(n).is_file()),
                None)


@dataclass(frozen=True)
class _Fonts:
    title: Font
    label: Font
    number: Font
    legend: Font
    builtin: bool  # Pillow's own font, which has no ä, ö or å

    @classmethod
    def load(cls, k: float, font_files: Sequence[str], small_text: float = 1.0) -> _Fonts:
        """DejaVu Sans (or one of ``font_files``) in the picture's sizes; Pillow's built-in font when none is found.

        ``small_text`` enlarges the numbers and the legend (the compact picture of a card on a phone)."""
        regular, bold = _font_file(False, font_files), _font_file(True, font_files)

        def font(size: float, path: str | None) -> Font:
            """The font at ``path`` (or the built-in one) at ``size`` px."""
            return ImageFont.truetype(path, round(size)) if path else ImageFont.load_default(size=round(size))

        heavy = bold or regular
        return cls(title=font(19 * k, heavy), label=font(14 * k, regular), number=font(13 * k * small_text, heavy),
                   legend=font(13 * k * small_text, regular), builtin=regular is None)

    def text(self, text: str) -> str:
        """``text`` as it can be drawn: with the built-in font, "ä" becomes "a" rather than a missing-glyph box."""
        if not self.builtin:
            return text
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _hex(colour: str, alpha: int | None = None) -> tuple[int, ...]:
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return (*rgb, alpha) if alpha is not None else rgb


def _is_light(colour: str) -> bool:
    r, g, b = (c / 255 for c in _hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45


def _wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy word wrap to ``width`` pixels; over-long words are cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if font.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        rest = word
        while font.getlength(rest) > width and len(rest) > 1:
            cut = next((i for i in range(len(rest) - 1, 0, -1) if font.getlength(rest[:i] + "-") <= width), 1)
            lines.append(rest[:cut] + "-")
            rest = rest[cut:]
        line = rest
    if line:
        lines.append(line)
    return lines


def _order(definition: StarDefinition) -> tuple[tuple[StarPoint, ...], bool]:
    """The points clockwise from the top, and whether the groups alternate (each group forming a polygon).

    Groups of equal size (at least 3 points each, at least 2 groups) alternate around the
    star, so the LAPE star's two triangles form a six-pointed star; otherwise the points
    go round in their configured order.
    """
    groups = [tuple(p for p in definition.points if p.group == g.key) for g in definition.groups]
    groups = [g for g in groups if g]
    sizes = {len(g) for g in groups}
    if len(groups) >= 2 and len(sizes) == 1 and min(sizes) >= 3:
        return tuple(g[i] for i in range(len(groups[0])) for g in groups), True
    return definition.points, False


@dataclass(frozen=True)
class _Label:
    lines: tuple[str, ...]
    x: float  # anchor, relative to the centre
    y: float
    align: str  # "left", "right", "centre"
    valign: str  # "middle", "bottom", "top"
    line_height: float

    def box(self, font: Font) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) relative to the centre."""
        width = max((font.getlength(s) for s in self.lines), default=0.0)
        height = self.line_height * len(self.lines)
        left = self.x if self.align == "left" else self.x - width if self.align == "right" else self.x - width / 2
        top = self.y - height / 2 if self.valign == "middle" else self.y - height if self.valign == "bottom" else self.y
        return left, top, left + width, top + height


class _Painter:
    """Draws one picture; every length is given in 680-px layout units and scaled by ``k``."""

    def __init__(self, definition: StarDefinition, reading: StarReading | None, earlier: StarReading | None,
                 lang: str, width: int, font_files: Sequence[str], title: bool, compact: bool = False) -> None:
        self.definition = definition
        self.reading = reading
        self.earlier = earlier
        self.lang = lang
        self.width = width
        self.title = title and not compact
        self.compact = compact
        self.k = _SUPERSAMPLE * width / _BASE
        k = self.k
        # A card is ~290 px wide on a phone: numbers and legend then need about twice their size to stay at
        # 12 px or more, and the points' names are left to the card's own text (under their numbers).
        self.small_text = _COMPACT_TEXT if compact else 1.0
        self.fonts = _Fonts.load(k, font_files, self.small_text)
        self.points, self.alternate = _order(definition)
        self.number = {p.key: i + 1 for i, p in enumerate(definition.points)}
        self.radius = 170 * k * (_COMPACT_RADIUS if compact else 1.0)  # no labels around it: room to grow
        self.disc = 12.5 * k * (_COMPACT_DISC if compact else 1.0)
        self.margin = 16 * k

    # geometry -------------------------------------------------------------------------
    def angle(self, index: int) -> float:
        """The angle of the ``index``-th point clockwise from the top (radians, screen coordinates)."""
        return -math.pi / 2 + 2 * math.pi * index / len(self.points)

    def at(self, centre: Point, angle: float, radius: float, sideways: float = 0.0) -> Point:
        """The point ``radius`` out along ``angle`` and ``sideways`` across it."""
        cx, cy = centre
        return (cx + radius * math.cos(angle) - sideways * math.sin(angle),
                cy + radius * math.sin(angle) + sideways * math.cos(angle))

    def value_radius(self, fraction: float) -> float:
        """How far out a rating lies: the scale's low end near the centre, its high end just inside the tip."""
        inner, outer = 0.16 * self.radius, self.radius - self.disc - 4 * self.k
        return inner + fraction * (outer - inner)

    # layout ---------------------------------------------------------------------------
    def labels(self) -> list[_Label]:
        """Each point's label, placed beyond its tip; none in the compact picture."""
        if self.compact:
            return []
        k, font = self.k, self.fonts.label
        line_height = 17 * k
        half = self.width * _SUPERSAMPLE / 2
        out: list[_Label] = []
        for i, point in enumerate(self.points):
            angle = self.angle(i)
            ax, ay = self.at((0.0, 0.0), angle, self.radius + self.disc + 6 * k)
            cos, sin = math.cos(angle), math.sin(angle)
            if abs(cos) < 0.26:
                room = 250 * k
                align, valign = "centre", "bottom" if sin < 0 else "top"
            else:
                align = "left" if cos > 0 else "right"
                room = max(100 * k, half - self.margin - abs(ax))
                valign = "middle"
            lines = _wrap(self.fonts.text(point.short_text(self.lang)), font, room)
            if valign == "middle":
                ay += sin * line_height * (len(lines) - 1) / 2  # lean away from the centre when wrapped
            out.append(_Label(tuple(lines), ax, ay, align, valign, line_height))
        return out

    def legend_items(self) -> list[list[_Item]]:
        """Rows of legend items (kind, style, text): group swatches, the scale, the views, earlier/now."""
        lang = self.lang
        rows: list[list[_Item]] = [
            [("swatch", g.colour, g.name(lang)) for g in self.definition.groups
             if any(p.group == g.key for p in self.definition.points)]]
        readings = [r for r in (self.reading, self.earlier) if r is not None]
        views = [v for v, _, _ in _VIEW_STYLE if any(r.has_ratings(v) for r in readings)]
        if views:
            scales = [p.scale for p in self.definition.points if p.scale is not None]
            if scales and all(s == scales[0] for s in scales):
                scale = scales[0]
                low, high = str(scale.minimum), str(scale.maximum)
                ends = scale.min_label(lang) and scale.max_label(lang)
                text = (t("star.scale_ends", lang, low=low, high=high, low_label=scale.min_label(lang),
                          high_label=scale.max_label(lang)) if ends else t("star.scale", lang, low=low, high=high))
                rows.append([("text", "", text)])
            rows.append([("view", v.value, t(f"star.view.{v.value}", lang)) for v in views])
            if self.earlier is not None and self.earlier.has_ratings():
                earlier = (t("star.earlier_on", lang, date=day_text(self.earlier.taken_on, lang))
                           if self.earlier.taken_on else t("star.earlier", lang))
                now = (f"{t('star.now', lang)} {day_text(self.reading.taken_on, lang)}"
                       if self.reading is not None and self.reading.taken_on else t("star.now", lang))
                rows.append([("line", "dashed", earlier), ("line", "solid", now)])
        return rows

    def flow(self, rows: list[list[_Item]]) -> list[_Placed]:
        """Places legend items left to right, wrapping; (x, y, item, text lines), y from the legend's top."""
        k, font = self.k * self.small_text, self.fonts.legend
        line_height, symbol, gap = 17 * k, 34 * k, 22 * k
        left, right = self.margin, self.width * _SUPERSAMPLE - self.margin
        placed: list[_Placed] = []
        y = 0.0
        for row in rows:
            x, row_height = left, 0.0
            for item in row:
                lead = 0.0 if item[0] == "text" else symbol
                lines = _wrap(self.fonts.text(item[2]), font, right - left - lead)
                width = lead + max(font.getlength(s) for s in lines)
                if x > left and x + width > right:
                    x, y, row_height = left, y + row_height + 4 * k, 0.0
                placed.append((x, y, item, lines))
                x += width + gap
                row_height = max(row_height, line_height * len(lines))
            y += row_height + 6 * k
        return placed

    # drawing ---------------------------------------------------------------------------
    def render(self) -> bytes:
        """The finished PNG."""
        k = self.k
        room = self.width * _SUPERSAMPLE - 2 * self.margin
        name = self.fonts.text(self.definition.name(self.lang))
        title_lines = _wrap(name, self.fonts.title, room) if self.title else []
        title_height = 24 * k * len(title_lines)
        labels = self.labels()
        boxes = [lab.box(self.fonts.label) for lab in labels]
        top = min([-self.radius - self.disc, *(b[1] for b in boxes)])
        bottom = max([self.radius + self.disc, *(b[3] for b in boxes)])
        centre = (self.width * _SUPERSAMPLE / 2, self.margin + title_height + 10 * k - top)
        placed = self.flow(self.legend_items())
        legend_top = centre[1] + bottom + 18 * k
        legend_height = max((y + 17 * k * self.small_text * len(lines) for _, y, _, lines in placed), default=0.0)
        height = math.ceil((legend_top + legend_height + self.margin) / _SUPERSAMPLE) * _SUPERSAMPLE
        canvas = Image.new("RGB", (self.width * _SUPERSAMPLE, height), "white")
        draw = ImageDraw.Draw(canvas, "RGBA")

        for n, line in enumerate(title_lines):
            draw.text((self.margin, self.margin + 24 * k * n), line, font=self.fonts.title, fill=_TEXT)
        self.draw_star(draw, centre)
        self.draw_ratings(draw, centre)
        self.draw_tips(draw, centre)
        for label in labels:
            self.draw_label(draw, centre, label)
        self.draw_legend(draw, legend_top, placed)
        picture = canvas.reduce(_SUPERSAMPLE)
        out = io.BytesIO()
        picture.save(out, format="PNG", compress_level=6)
        return out.getvalue()

    def draw_star(self, draw: ImageDraw.ImageDraw, centre: Point) -> None:
        """The star's body: tinted group polygons (or rays) with strong outlines, and the axes."""
        k, n = self.k, len(self.points)
        tips = [self.at(centre, self.angle(i), self.radius) for i in range(n)]
        colour = {g.key: g.colour for g in self.definition.groups}
        alpha = 50 if self.rated() else 70  # lighter under ratings, so their lines stand out
        if self.alternate:
            for group in self.definition.groups:
                corners = [tips[i] for i, p in enumerate(self.points) if p.group == group.key]
                if corners:
                    draw.polygon(corners, fill=_hex(group.colour, alpha))
            for group in self.definition.groups:
                corners = [tips[i] for i, p in enumerate(self.points) if p.group == group.key]
                if corners:
                    draw.line([*corners, corners[0]], fill=group.colour, width=round(2.5 * k), joint="curve")
        else:
            inner = [self.at(centre, self.angle(i) + math.pi / n, 0.5 * self.radius) for i in range(n)]
            if len({p.group for p in self.points}) == 1:
                outline = [c for i in range(n) for c in (tips[i], inner[i])]
                draw.polygon(outline, fill=_hex(colour[self.points[0].group], alpha))
            else:
                for i, point in enumerate(self.points):
                    draw.polygon([centre, inner[i - 1], tips[i], inner[i]], fill=_hex(colour[point.group], alpha))
            for i, point in enumerate(self.points):
                draw.line([inner[i - 1], tips[i], inner[i]], fill=colour[point.group], width=round(2.5 * k),
                          joint="curve")
        for i in range(n):
            draw.line([centre, tips[i]], fill=_hex(_GUIDE, 200), width=max(1, round(1 * k)))

    def rated(self) -> bool:
        """Whether any rating will be drawn."""
        return any(r is not None and r.has_ratings() for r in (self.reading, self.earlier))

    def draw_ratings(self, draw: ImageDraw.ImageDraw, centre: Point) -> None:
        """Guide rings and every view's ratings, earlier first."""
        readings = [(r, r is self.earlier) for r in (self.earlier, self.reading) if r is not None and r.has_ratings()]
        if not readings:
            return
        self.draw_rings(draw, centre)
        for reading, earlier in readings:
            for offset, (view, colour, marker) in enumerate(_VIEW_STYLE):
                self.draw_view(draw, centre, reading, view, colour, marker, earlier, (offset - 1) * 6 * self.k)

    def draw_rings(self, draw: ImageDraw.ImageDraw, centre: Point) -> None:
        """Faint polygons through the scale's steps, so a rating can be read off the picture."""
        n = len(self.points)
        scales = [p.scale for p in self.points]
        steps = max((s.maximum - s.minimum for s in scales if s), default=0)
        if not steps:
            return
        every = math.ceil(steps / 5)
        for step in [*range(0, steps, every), steps]:
            ring = [self.at(centre, self.angle(i), self.value_radius(step / steps)) for i in range(n)]
            draw.line([*ring, ring[0]], fill=_hex(_GUIDE, 150), width=max(1, round(1 * self.k)))

    def draw_view(self, draw: ImageDraw.ImageDraw, centre: Point, reading: StarReading, view: View, colour: str,
                  marker: str, earlier: bool, sideways: float) -> None:
        """One view's ratings: lines between neighbouring rated points, then the markers."""
        k = self.k
        applies = [(i, p) for i, p in enumerate(self.points) if view is not View.CHILD or p.asked_from_child]
        spots: list[Point | None] = []
        for i, point in applies:
            value = reading.point(point.key).rating(view)
            if value is None or point.scale is None or not point.scale.contains(value):
                spots.append(None)
                continue
            spots.append(self.at(centre, self.angle(i), self.value_radius(point.scale.fraction(value)), sideways))
        if not any(spots):
            return
        width = round((2 if earlier else 3) * k)
        ink = _hex(colour, 170 if earlier else 255)
        for run in _runs(spots):
            if earlier:
                _dashed(draw, run, ink, width, 9 * k, 6 * k)
            else:
                draw.line(run, fill=ink, width=width, joint="curve")
        for spot in spots:
            if spot is not None:
                _marker(draw, spot, marker, 5.5 * k, colour, hollow=earlier, width=max(1, round(1.6 * k)))

    def draw_tips(self, draw: ImageDraw.ImageDraw, centre: Point) -> None:
        """A disc with the point's number at each tip."""
        colour = {g.key: g.colour for g in self.definition.groups}
        for i, point in enumerate(self.points):
            x, y = self.at(centre, self.angle(i), self.radius)
            fill = colour[point.group]
            r = self.disc
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline="white", width=round(1.5 * self.k))
            draw.text((x, y), str(self.number[point.key]), font=self.fonts.number, anchor="mm",
                      fill=_TEXT if _is_light(fill) else "white")

    def draw_label(self, draw: ImageDraw.ImageDraw, centre: Point, label: _Label) -> None:
        """A point's wrapped label."""
        left, top, right, _ = label.box(self.fonts.label)
        cx, cy = centre
        for n, line in enumerate(label.lines):
            width = self.fonts.label.getlength(line)
            x = {"left": left, "right": right - width}.get(label.align, (left + right - width) / 2)
            draw.text((cx + x, cy + top + n * label.line_height), line, font=self.fonts.label, fill=_TEXT)

    def draw_legend(self, draw: ImageDraw.ImageDraw, top: float, placed: list[_Placed]) -> None:
        """The legend: what the colours, markers and line styles mean."""
        k, font = self.k * self.small_text, self.fonts.legend
        line_height, symbol = 17 * k, 34 * k
        rim = max(1, round(1.6 * k))
        styles = {v.value: (c, m) for v, c, m in _VIEW_STYLE}
        for x, y, (kind, style, _), lines in placed:
            y0 = top + y
            mid = y0 + line_height / 2
            if kind == "swatch":
                draw.rectangle((x + 4 * k, mid - 7 * k, x + 22 * k, mid + 7 * k), fill=_hex(style, 110),
                               outline=style, width=round(2 * k))
            elif kind == "view":
                colour, marker = styles[style]
                _marker(draw, (x + 13 * k, mid), marker, 6.5 * k, colour, hollow=False, width=rim)
            elif kind == "line":
                ends = [(x, mid), (x + 28 * k, mid)]
                if style == "dashed":
                    _dashed(draw, ends, _MUTED, round(2 * k), 7 * k, 4 * k)
                else:
                    draw.line(ends, fill=_MUTED, width=round(3 * k))
                _marker(draw, (x + 14 * k, mid), "circle", 5 * k, _MUTED, hollow=style == "dashed", width=rim)
            lead = 0.0 if kind == "text" else symbol
            for n, line in enumerate(lines):
                draw.text((x + lead, y0 + n * line_height + 1 * k), line, font=font,
                          fill=_MUTED if kind == "text" else _TEXT)


def _runs(spots: list[Point | None]) -> list[list[Point]]:
    """Polylines through neighbouring rated spots; a closed loop when every spot (3 or more) is rated."""
    if all(s is not None for s in spots):
        points = [s for s in spots if s is not None]
        return [[*points, points[0]]] if len(points) >= 3 else [points] if len(points) == 2 else []
    start = next(i for i, s in enumerate(spots) if s is None)  # begin after a gap so runs never wrap around it
    runs: list[list[Point]] = []
    current: list[Point] = []
    for step in range(1, len(spots) + 1):
        spot = spots[(start + step) % len(spots)]
        if spot is None:
            if len(current) >= 2:
                runs.append(current)
            current = []
        else:
            current.append(spot)
    if len(current) >= 2:
        runs.append(current)
    return runs


def _dashed(draw: ImageDraw.ImageDraw, points: Sequence[Point], fill: str | tuple[int, ...], width: int,
            dash: float, gap: float) -> None:
    """A dashed polyline; the pattern continues across corners."""
    on, left = True, dash
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        pos = 0.0
        while pos < length:
            step = min(left, length - pos)
            if on:
                a, b = pos / length, (pos + step) / length
                draw.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                          fill=fill, width=width)
            pos += step
            left -= step
            if left <= 1e-9:
                on = not on
                left = dash if on else gap


def _marker(draw: ImageDraw.ImageDraw, at: Point, shape: str, size: float, colour: str, *, hollow: bool,
            width: int) -> None:
    """A circle, triangle or square marker: filled with a white rim, or hollow (white inside)."""
    x, y = at
    fill, outline = ("white", colour) if hollow else (colour, "white")
    if shape == "circle":
        draw.ellipse((x - size, y - size, x + size, y + size), fill=fill, outline=outline, width=width)
    elif shape == "triangle":
        s = size * 1.3
        draw.polygon([(x, y - s), (x + s * 0.9, y + s * 0.62), (x - s * 0.9, y + s * 0.62)], fill=fill,
                     outline=outline, width=width)
    else:
        s = size * 0.92
        draw.rectangle((x - s, y - s, x + s, y + s), fill=fill, outline=outline, width=width)


def render_star_png(definition: StarDefinition, reading: StarReading | None = None, *,
                    earlier: StarReading | None = None, lang: str = "fi", width: int = DEFAULT_WIDTH,
                    font_files: Sequence[str] = (), title: bool = True, compact: bool = False) -> bytes:
    """The star as PNG bytes, ``width`` pixels wide.

    Without ratings the star is drawn with its labels only. With ``earlier`` (a previous
    meeting's reading) its ratings are drawn dashed under the current ones. ``font_files``
    are tried before the system's DejaVu fonts and Pillow's built-in font. ``title=False``
    leaves out the star's name at the top (the documents give it as a heading). ``compact=True`` is the
    picture for a card, readable on a phone: no title and no point names (the card names the points under
    the same numbers), numbers and legend about twice as large.
    """
    if width < 320:
        raise ValueError("the star picture needs at least 320 pixels of width")
    return _Painter(definition, reading, earlier, lang, width, font_files, title, compact).render()
