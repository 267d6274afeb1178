"""Dates and times the way each language writes them (Finnish: "to 4.12.2026 klo 8.30").

Weekday and month names are CLDR's (i18n.cldr_names); the patterns are ours, one per language, because Finnish
and Swedish staff write "8.30" and "4.12.2026" whatever CLDR's medium formats say.
"""

from __future__ import annotations

from datetime import date, datetime

from i18n.catalog import supported
from i18n.cldr_names import NAMES

#: The word between a date and a time of day.
_AT = {"fi": "klo", "sv": "kl.", "en": "at"}
#: Between hours and minutes: "8.30" in Finnish and Swedish, "8:30" in English.
_HOUR_MINUTE = {"fi": ".", "sv": ".", "en": ":"}


def format_date(d: date, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026" (fi), "tors 4.12.2026" (sv), "Thu 4.12.2026" (en); "torstai 4.12.2026" with the long weekday."""
    names = NAMES[supported(lang)]
    weekday = (names.weekday_long if long_weekday else names.weekday_short)[d.weekday()]
    return f"{weekday} {d.day}.{d.month}.{d.year}"


def format_time(t: datetime, lang: str = "fi") -> str:
    """"8.30" in Finnish and Swedish, "8:30" in English — the wall-clock time ``t`` carries."""
    return f"{t.hour}{_HOUR_MINUTE[supported(lang)]}{t.minute:02d}"


def format_moment(moment: datetime, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026 klo 8.30" — one moment: its local date and time of day."""
    lang = supported(lang)
    return f"{format_date(moment.date(), lang, long_weekday=long_weekday)} {_AT[lang]} {format_time(moment, lang)}"


def format_span(start: datetime, end: datetime, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026 klo 8.30–10.00" — a meeting's local date and time range."""
    return f"{format_moment(start, lang, long_weekday=long_weekday)}–{format_time(end, lang)}"


def format_short_span(start: datetime, end: datetime, lang: str = "fi") -> str:
    """"ti 15.12. klo 12.00–13.30" — a time within the coming weeks, short enough for a narrow screen's line."""
    lang = supported(lang)
    weekday = NAMES[lang].weekday_short[start.weekday()]
    return f"{weekday} {start.day}.{start.month}. {_AT[lang]} {format_time(start, lang)}–{format_time(end, lang)}"


def format_written_date(d: date, lang: str = "fi") -> str:
    """"torstaina 3. joulukuuta 2026" (fi), "torsdag 3 december 2026" (sv), "Thursday 3 December 2026" (en): for
    plain language (selkokieli), the weekday and month as words, no abbreviations."""
    lang = supported(lang)
    names = NAMES[lang]
    day = f"{d.day}." if lang == "fi" else str(d.day)
    return f"{names.weekday_written[d.weekday()]} {day} {names.month_written[d.month - 1]} {d.year}"
