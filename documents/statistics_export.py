"""The statistics as files: the bar chart of meetings held per month (PNG) and the CSV download.

The chart is drawn with Pillow, already the star picture's renderer, so it adds no dependency; Pillow
is imported inside the renderer only, so nothing of it loads until a coordinator asks for statistics.
The same input always gives the same bytes.

The CSV has one row per team and month, columns ``team, month, convened, held``, ``venue_<type>``,
``role_<key>``, ``roles_other``, ``avg_days, median_days`` and ``feedback_<question>`` (mean 1–5). Small
numbers are withheld by the card's rule (domain.statistics ``shown``): such a cell holds the card's own
words ("ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"), text that no spreadsheet reads as a number,
never ``<3``; an empty average means nobody answered (or no meeting). A role that fewer than three of the
row's team's workers bring has an empty cell and is counted in ``roles_other`` instead, itself empty when
it stands for fewer than three workers. Comma-separated, dot decimals, UTF-8 (RFC 4180).

The chart follows the same rule: a withheld month has no bar, an asterisk in its place and a footnote with
the card's words.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from documents.fonts import font_file
from domain.statistics import (
    MonthFigures,
    Shown,
    TeamYear,
    role_figures,
    shown_count,
    shown_feedback,
    shown_lead,
)
from i18n.messages import t

WIDTH, HEIGHT = 680, 300
_BAR = "#1f5fa8"
_TEXT = "#1a1a1a"
_GRID = "#d5dae0"
_SCALE = 2  # drawn at twice the size and reduced: smooth text


def _nice_top(peak: int) -> tuple[int, int]:
    """The axis' top value and step: 1, 2, 5, 10, 20 … so there are at most five grid lines."""
    top = max(peak, 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 5:
            return step * -(-top // step), step
    step = 10 ** len(str(top))
    return step * -(-top // step), step


def _whole(figure: Shown) -> int:
    return int(figure.value) if figure.value is not None else 0


def render_bar_chart(values: Sequence[Shown], labels: Sequence[str], title: str, lang: str = "fi") -> bytes:
    """A PNG of one bar per value, labelled below, each bar's value above it, a light grid behind.

    A withheld value has no bar: an asterisk stands in its place and a footnote under the title says, in the
    card's words, that it is not shown and why.
    """
    from PIL import Image, ImageDraw, ImageFont  # noqa: PLC0415 - loaded on first use (cold start)

    if len(values) != len(labels):
        raise ValueError("one label per value")
    k = _SCALE
    regular, bold = font_file(), font_file(bold=True)

    def font(size: int, path: object) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        return ImageFont.truetype(str(path), size * k) if path else ImageFont.load_default(size=size * k)

    def drawable(text: str) -> str:
        if regular is not None:
            return text
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    title_font, label_font, value_font = font(17, bold or regular), font(12, regular), font(12, bold or regular)
    image = Image.new("RGB", (WIDTH * k, HEIGHT * k), "white")
    draw = ImageDraw.Draw(image)
    draw.text((16 * k, 10 * k), drawable(title), fill=_TEXT, font=title_font)
    reasons = list(dict.fromkeys(v.withheld for v in values if v.withheld is not None))
    if reasons:
        note = "* " + "; ".join(t(reason.message_key, lang) for reason in reasons)
        draw.text((16 * k, 32 * k), drawable(note), fill=_TEXT, font=label_font)
    left, right, top, bottom = 44 * k, (WIDTH - 16) * k, (64 if reasons else 52) * k, (HEIGHT - 34) * k
    axis_top, step = _nice_top(max((_whole(v) for v in values), default=0))
    for tick in range(0, axis_top + 1, step):
        y = bottom - (bottom - top) * tick / axis_top
        draw.line([(left, y), (right, y)], fill=_GRID, width=k)
        draw.text((left - 8 * k, y), str(tick), fill=_TEXT, font=label_font, anchor="rm")
    slot = (right - left) / max(len(values), 1)
    for i, (figure, label) in enumerate(zip(values, labels, strict=True)):
        x0 = left + slot * i + slot * 0.18
        x1 = left + slot * (i + 1) - slot * 0.18
        value = _whole(figure)
        y = bottom - (bottom - top) * value / axis_top
        if figure.withheld is not None:
            draw.text(((x0 + x1) / 2, bottom - 2 * k), "*", fill=_TEXT, font=title_font, anchor="md")
        elif figure.value is not None:
            if value > 0:
                draw.rectangle([(x0, y), (x1, bottom)], fill=_BAR)
            draw.text(((x0 + x1) / 2, y - 4 * k), str(value), fill=_TEXT, font=value_font, anchor="md")
        draw.text(((x0 + x1) / 2, bottom + 8 * k), drawable(label), fill=_TEXT, font=label_font, anchor="mt")
    draw.line([(left, bottom), (right, bottom)], fill=_TEXT, width=k)
    small = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cell(figure: Shown, lang: str, *, whole: bool = False) -> str:
    """A figure as a CSV cell: the number (dot decimals), empty for none, the card's words when withheld."""
    if figure.withheld is not None:
        return t(figure.withheld.message_key, lang)
    if figure.value is None:
        return ""
    return str(int(figure.value)) if whole else f"{figure.value:.1f}"


def csv_columns(venues: Sequence[str], roles: Sequence[str], questions: Sequence[str]) -> list[str]:
    """The CSV's header row."""
    return ["team", "month", "convened", "held", *(f"venue_{v}" for v in venues), *(f"role_{r}" for r in roles),
            "roles_other", "avg_days", "median_days", *(f"feedback_{q}" for q in questions)]


def _row(team_key: str, month: str, m: MonthFigures, venues: Sequence[str], roles: Sequence[str],
         questions: Sequence[str], rosters: Mapping[str, Collection[str]], lang: str) -> list[str]:
    shown = role_figures({**dict.fromkeys(roles, 0), **m.roles}, rosters)
    mean, median = shown_lead(m)
    return [team_key, month, str(m.convened), str(m.held),
            *(_cell(shown_count(m.venues.get(v, 0)), lang, whole=True) for v in venues),
            *(_cell(shown_count(shown.alone[r]), lang, whole=True) if r in shown.alone else "" for r in roles),
            "" if shown.other is None else _cell(shown_count(shown.other), lang, whole=True),
            _cell(mean, lang), _cell(median, lang),
            *(_cell(shown_feedback(m, q), lang) for q in questions)]


def render_csv(years: Sequence[TeamYear], venues: Sequence[str], roles: Sequence[str], questions: Sequence[str],
               rosters: Mapping[str, Mapping[str, Collection[str]]], lang: str = "fi") -> bytes:
    """Every month (1–12) of every team's year as a CSV row, counts and averages only.

    ``rosters`` gives each team's workers per role (team key → role → workers); a team not in it has none,
    so all its roles fall into ``roles_other``. Withheld cells are in ``lang``'s words.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_columns(venues, roles, questions))
    for year in years:
        for month in range(1, 13):
            writer.writerow(_row(year.team_key, f"{year.year:04d}-{month:02d}", year.month(month), venues, roles,
                                 questions, rosters.get(year.team_key, {}), lang))
    return out.getvalue().encode("utf-8")
