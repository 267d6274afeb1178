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
from collections.abc import Callable, Collection, Mapping, Sequence

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

#: The chart's width in px: a card's width on a 320 px phone, so that its 14 px text is not shrunk there.
WIDTH = 340
_BAR = "#1f5fa8"
_TEXT = "#1a1a1a"
_GRID = "#d5dae0"
_SCALE = 2  # drawn at twice the size and reduced: smooth text
#: The outer margin and each value's row, px: the rows stand on the bottom edge, the last one PADDING above it.
PADDING, ROW_HEIGHT = 12, 24
_LABEL_GAP, _VALUE_ROOM = 8, 30
_TITLE_SIZE, _TEXT_SIZE = 15, 14


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


def _wrapped(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word longer than that stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def render_bar_chart(values: Sequence[Shown], labels: Sequence[str], title: str, lang: str = "fi") -> bytes:
    """A PNG of one horizontal bar per value, its label before it and its value after it.

    Rows rather than columns: twelve months side by side leave a phone a few pixels per label. A withheld
    value has no bar: an asterisk stands in its place and a footnote under the title says, in the card's
    words, that it is not shown and why.
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

    title_font, text_font = font(_TITLE_SIZE, bold or regular), font(_TEXT_SIZE, regular)
    value_font = font(_TEXT_SIZE, bold or regular)
    reasons = list(dict.fromkeys(v.withheld for v in values if v.withheld is not None))
    note = "* " + "; ".join(t(reason.message_key, lang) for reason in reasons) if reasons else ""

    def measure(text: str) -> float:
        return float(text_font.getlength(text)) / k

    heading = [(line, title_font) for line in _wrapped(drawable(title), WIDTH - 2 * PADDING,
                                                        lambda s: float(title_font.getlength(s)) / k)]
    heading += [(line, text_font) for line in _wrapped(drawable(note), WIDTH - 2 * PADDING, measure)] if note else []
    top = PADDING + len(heading) * (_TEXT_SIZE + 6) + 6
    height = top + ROW_HEIGHT * len(values) + PADDING  # the rows stand on the bottom edge
    rows = [(top + ROW_HEIGHT * i, top + ROW_HEIGHT * (i + 1)) for i in range(len(values))]
    label_width = max((measure(drawable(label)) for label in labels), default=0.0)
    left, right = (PADDING + round(label_width) + _LABEL_GAP) * k, (WIDTH - PADDING - _VALUE_ROOM) * k
    image = Image.new("RGB", (WIDTH * k, height * k), "white")
    draw = ImageDraw.Draw(image)
    for n, (line, line_font) in enumerate(heading):
        draw.text((PADDING * k, (PADDING + n * (_TEXT_SIZE + 6)) * k), line, fill=_TEXT, font=line_font)
    axis_top, step = _nice_top(max((_whole(v) for v in values), default=0))
    first, last = top * k, (height - PADDING) * k
    for tick in range(step, axis_top + 1, step):
        x = left + (right - left) * tick / axis_top
        draw.line([(x, first), (x, last)], fill=_GRID, width=k)
    for (row_top, row_bottom), figure, label in zip(rows, values, labels, strict=True):
        mid = (row_top + row_bottom) / 2 * k
        draw.text((left - _LABEL_GAP * k, mid), drawable(label), fill=_TEXT, font=text_font, anchor="rm")
        value = _whole(figure)
        end = left + (right - left) * value / axis_top
        if figure.withheld is not None:
            draw.text((left + 4 * k, mid), "*", fill=_TEXT, font=value_font, anchor="lm")
        elif figure.value is not None:
            if value > 0:
                draw.rectangle([(left, (row_top + 4) * k), (end, (row_bottom - 4) * k)], fill=_BAR)
            draw.text((end + 4 * k, mid), str(value), fill=_TEXT, font=value_font, anchor="lm")
    draw.line([(left, first), (left, last)], fill=_TEXT, width=k)
    small = image.resize((WIDTH, height), Image.Resampling.LANCZOS)
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
