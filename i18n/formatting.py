"""Dates and times the way each language writes them (Finnish: "to 4.12.2026 klo 8.30").

Weekday names come from CLDR through Babel (``babel.dates``); the patterns are ours, one per language,
because Finnish and Swedish staff write "8.30" and "4.12.2026" whatever CLDR's medium formats say.
Babel and a language's CLDR data are loaded on the first date formatted in that language, then kept.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from i18n.catalog import supported

if TYPE_CHECKING:
    from babel.core import Locale


@dataclass(frozen=True)
class _Patterns:
    """One language's CLDR patterns: date (with weekday), time of day, and the word between them."""

    date: str
    time: str
    at: str


#: "ccc"/"cccc" are CLDR's stand-alone weekday names: "to"/"torstai", "tors"/"torsdag", "Thu"/"Thursday".
_PATTERNS = {
    "fi": _Patterns(date="ccc d.M.y", time="H.mm", at="klo"),
    "sv": _Patterns(date="ccc d.M.y", time="H.mm", at="kl."),
    "en": _Patterns(date="ccc d.M.y", time="H:mm", at="at"),
}


@functools.cache
def _locale(lang: str) -> Locale:
    # Imported on first use: the bot's cold start does not pay for Babel and CLDR data it may not need yet.
    from babel.core import Locale  # noqa: PLC0415

    return Locale.parse(lang)


def _date_pattern(lang: str, long_weekday: bool) -> str:
    pattern = _PATTERNS[lang].date
    return pattern.replace("ccc", "cccc", 1) if long_weekday else pattern


def format_date(d: date, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026" (fi), "tors 4.12.2026" (sv), "Thu 4.12.2026" (en); "torstai 4.12.2026" with the long weekday."""
    return _babel_date(date(d.year, d.month, d.day), supported(lang), long_weekday)


def format_time(t: datetime, lang: str = "fi") -> str:
    """"8.30" in Finnish and Swedish, "8:30" in English — the wall-clock time ``t`` carries."""
    return _babel_time(t.hour, t.minute, supported(lang))


# Cached: a card of proposals formats dozens of dates and times, and Babel takes ~15 µs each (make bench).
@functools.lru_cache(maxsize=4096)
def _babel_date(d: date, lang: str, long_weekday: bool) -> str:
    from babel.dates import format_date as babel_date  # noqa: PLC0415

    return babel_date(d, _date_pattern(lang, long_weekday), locale=_locale(lang))


@functools.lru_cache(maxsize=4096)
def _babel_time(hour: int, minute: int, lang: str) -> str:
    from babel.dates import format_time as babel_time  # noqa: PLC0415

    # The wall-clock time only: the patterns show hours and minutes.
    return babel_time(time(hour, minute), _PATTERNS[lang].time, locale=_locale(lang))


def format_moment(moment: datetime, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026 klo 8.30" — one moment: its local date and time of day."""
    lang = supported(lang)
    return (f"{format_date(moment.date(), lang, long_weekday=long_weekday)} {_PATTERNS[lang].at} "
            f"{format_time(moment, lang)}")


def format_span(start: datetime, end: datetime, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026 klo 8.30–10.00" — a meeting's local date and time range."""
    return f"{format_moment(start, lang, long_weekday=long_weekday)}–{format_time(end, lang)}"


@functools.lru_cache(maxsize=4096)
def _babel_day(d: date, lang: str) -> str:
    from babel.dates import format_date as babel_date  # noqa: PLC0415

    return babel_date(d, _PATTERNS[lang].date.replace("d.M.y", "d.M."), locale=_locale(lang))


def format_short_span(start: datetime, end: datetime, lang: str = "fi") -> str:
    """"ti 15.12. klo 12.00–13.30" — a time within the coming weeks, short enough for a narrow screen's line."""
    lang = supported(lang)
    return (f"{_babel_day(date(start.year, start.month, start.day), lang)} {_PATTERNS[lang].at} "
            f"{format_time(start, lang)}–{format_time(end, lang)}")


#: Dates written out for plain language (selkokieli): the weekday and month as words, no abbreviations.
_WRITTEN_DATE = {"fi": "EEEE d. MMMM y", "sv": "EEEE d MMMM y", "en": "EEEE d MMMM y"}


@functools.lru_cache(maxsize=1024)
def format_written_date(d: date, lang: str = "fi") -> str:
    """"torstaina 3. joulukuuta 2026" (fi), "torsdag 3 december 2026" (sv), "Thursday 3 December 2026" (en)."""
    from babel.dates import format_date as babel_date  # noqa: PLC0415

    lang = supported(lang)
    return babel_date(date(d.year, d.month, d.day), _WRITTEN_DATE[lang], locale=_locale(lang))
