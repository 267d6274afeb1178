"""Finnish public holidays (arkipyhät) as the slot search needs them, named in fi/sv/en.

Built on ``holidays.Finland``. Weekends are deliberately not holidays here: the
practice windows and working hours already keep meetings on working days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

# Our UI languages → the library's language codes for Finland.
_LIBRARY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}

_CHRISTMAS_EVE = {"fi": "Jouluaatto", "sv": "Julafton", "en": "Christmas Eve"}
_MIDSUMMER_EVE = {"fi": "Juhannusaatto", "sv": "Midsommarafton", "en": "Midsummer Eve"}


def _eves(year: int) -> tuple[tuple[date, dict[str, str]], ...]:
    """Christmas Eve and Midsummer Eve: days off in practice, whatever the library lists."""
    june_19 = date(year, 6, 19)
    midsummer_eve = june_19 + timedelta(days=(4 - june_19.weekday()) % 7)  # the Friday of 19–25 June
    return (date(year, 12, 24), _CHRISTMAS_EVE), (midsummer_eve, _MIDSUMMER_EVE)


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
        # Imported on first use: the library loads every calendar it knows (~0.15 s) and the bot's
        # start should not wait for it.
        import holidays  # noqa: PLC0415

        for lang, code in _LIBRARY_LANGUAGES.items():
            for day, label in holidays.country_holidays("FI", years=year, language=code).items():
                self._names.setdefault(day, {})[lang] = label
        for day, names in _eves(year):
            known = self._names.setdefault(day, {})
            for lang, label in names.items():
                known.setdefault(lang, label)  # the library's own name wins when it has one
        self._years.add(year)


def finnish_holidays(years: Iterable[int] = ()) -> FinnishHolidays:
    """A holiday check for Finland, preloaded for ``years`` (others load on demand)."""
    return FinnishHolidays(years)
