"""Finnish public holidays (arkipyhät) as the slot search needs them, named in fi/sv/en.

Built on ``holidays.Finland``. Weekends are deliberately not holidays here: the
practice windows and working hours already keep meetings on working days.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Our UI languages → the library's language codes for Finland.
_LIBRARY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}

_CHRISTMAS_EVE = {"fi": "Jouluaatto", "sv": "Julafton", "en": "Christmas Eve"}
_MIDSUMMER_EVE = {"fi": "Juhannusaatto", "sv": "Midsommarafton", "en": "Midsummer Eve"}


def _eves(year: int) -> tuple[tuple[date, dict[str, str]], ...]:
    """Christmas Eve and Midsummer Eve: days off in practice, whatever the library lists."""
    june_19 = date(year, 6, 19)
    midsummer_eve = june_19 + timedelta(days=(4 - june_19.weekday()) % 7)  # the Friday of 19–25 June
    return (date(year, 12, 24), _CHRISTMAS_EVE), (midsummer_eve, _MIDSUMMER_EVE)


@functools.cache
def _finland() -> Any:
    """``holidays.Finland``, loaded by itself, once per process.

    The library's own ways in (``country_holidays("FI")``, ``holidays.Finland``) import its index of every
    calendar it knows, about 250 modules: +8 MB resident for the life of the bot (``make bench``) and 0.13 s at
    the first search. Finland's module needs only the library's base classes, so it is run from its file on its
    own; should a release move or change it, the library's own way is used.
    """
    import holidays  # noqa: PLC0415 - light by itself: the index loads lazily

    try:
        spec = importlib.util.spec_from_file_location(
            "yhdessa_aika_holidays_finland", Path(holidays.__file__).parent / "countries" / "finland.py")
        if spec is None or spec.loader is None:
            raise ImportError("holidays: no Finland module")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.Finland
    except (ImportError, OSError, AttributeError):
        return functools.partial(holidays.country_holidays, "FI")


class FinnishHolidays:
    """A ``HolidayCheck``: call with a date to ask whether it is a Finnish public holiday.

    Years are loaded on first use, so one instance serves any search range.
    """

    def __init__(self, years: Iterable[int] = ()) -> None:
        self._names: dict[date, dict[str, str]] = {}
        self._years: set[int] = set()
        for year in years:
            self._load(year)

    def __call__(self, day: date) -> bool:
        """Whether ``day`` is a public holiday (or Christmas/Midsummer Eve)."""
        if day.year not in self._years:
            self._load(day.year)
        return day in self._names

    def name(self, day: date, lang: str = "fi") -> str | None:
        """The holiday's name in ``lang`` (fi, sv, en; else Finnish), or None on other days."""
        if not self(day):
            return None
        names = self._names[day]
        return names.get(lang) or names["fi"]

    def _load(self, year: int) -> None:
        finland = _finland()  # loaded on first use: the bot's start does not wait for it
        for lang, code in _LIBRARY_LANGUAGES.items():
            for day, label in finland(years=year, language=code).items():
                self._names.setdefault(day, {})[lang] = label
        for day, names in _eves(year):
            known = self._names.setdefault(day, {})
            for lang, label in names.items():
                known.setdefault(lang, label)  # the library's own name wins when it has one
        self._years.add(year)


def finnish_holidays(years: Iterable[int] = ()) -> FinnishHolidays:
    """A holiday check for Finland, preloaded for ``years`` (others load on demand)."""
    return FinnishHolidays(years)
