"""Dates and times the way each language writes them (Finnish: "to 4.12.2026 klo 8.30")."""

from __future__ import annotations

from datetime import date, datetime

_WEEKDAYS = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_WEEKDAYS_LONG = {
    "fi": ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _lang(lang: str) -> str:
    return lang if lang in _WEEKDAYS else "fi"


def format_date(d: date, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026" (fi), "tors 4.12.2026" (sv), "Thu 4 Dec 2026"-like "Thu 4.12.2026" (en)."""
    names = _WEEKDAYS_LONG if long_weekday else _WEEKDAYS
    return f"{names[_lang(lang)][d.weekday()]} {d.day}.{d.month}.{d.year}"


def format_time(t: datetime, lang: str = "fi") -> str:
    """"8.30" in Finnish and Swedish, "8:30" in English."""
    sep = ":" if _lang(lang) == "en" else "."
    return f"{t.hour}{sep}{t.minute:02d}"


def format_span(start: datetime, end: datetime, lang: str = "fi", *, long_weekday: bool = False) -> str:
    """"to 4.12.2026 klo 8.30–10.00" — a meeting's local date and time range."""
    word = {"fi": "klo", "sv": "kl.", "en": "at"}[_lang(lang)]
    return (f"{format_date(start.date(), lang, long_weekday=long_weekday)} {word} "
            f"{format_time(start, lang)}–{format_time(end, lang)}")
