"""Finnish public holidays: the days the slot search must never offer."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import holidays
import pytest

from domain.finnish_calendar import FinnishHolidays, finnish_holidays


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Uudenvuodenpäivä"),
        (date(2026, 1, 6), "Loppiainen"),
        (date(2026, 4, 3), "Pitkäperjantai"),
        (date(2026, 4, 6), "Toinen pääsiäispäivä"),
        (date(2026, 5, 1), "Vappu"),
        (date(2026, 5, 14), "Helatorstai"),
        (date(2026, 6, 19), "Juhannusaatto"),
        (date(2026, 6, 20), "Juhannuspäivä"),
        (date(2026, 10, 31), "Pyhäinpäivä"),
        (date(2026, 12, 6), "Itsenäisyyspäivä"),
        (date(2026, 12, 24), "Jouluaatto"),
        (date(2026, 12, 25), "Joulupäivä"),
        (date(2026, 12, 26), "Tapaninpäivä"),
        (date(2027, 3, 26), "Pitkäperjantai"),
        (date(2027, 3, 29), "Toinen pääsiäispäivä"),
        (date(2027, 5, 6), "Helatorstai"),
        (date(2027, 6, 25), "Juhannusaatto"),
        (date(2027, 11, 6), "Pyhäinpäivä"),
        (date(2027, 12, 24), "Jouluaatto"),
    ],
)
def test_known_holidays_2026_and_2027(day: date, name: str) -> None:
    check = finnish_holidays([2026, 2027])
    assert check(day)
    assert check.name(day) == name


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 4, 2),  # Maundy Thursday is a working day
        date(2026, 5, 13),  # the day before Ascension
        date(2026, 6, 18),  # the day before Midsummer Eve
        date(2026, 12, 23),
        date(2026, 12, 28),
        date(2026, 3, 7),  # an ordinary Saturday: weekends are not holidays here
    ],
)
def test_ordinary_days_are_not_holidays(day: date) -> None:
    check = finnish_holidays([2026])
    assert not check(day)
    assert check.name(day) is None


def test_names_in_swedish_and_english_with_finnish_fallback() -> None:
    check = FinnishHolidays()
    assert check.name(date(2026, 4, 3), "sv") == "Långfredagen"
    assert check.name(date(2026, 5, 14), "en") == "Ascension Day"
    assert check.name(date(2026, 12, 24), "de") == "Jouluaatto"


def test_years_load_on_demand() -> None:
    check = finnish_holidays([2026])
    assert check(date(2028, 12, 25))  # a year not preloaded
    assert check.name(date(2028, 6, 23)) == "Juhannusaatto"


class _EmptyCalendar(dict[date, str]):
    """Stands in for a library version that lists no eves at all."""


def test_christmas_and_midsummer_eve_even_if_the_library_omits_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("domain.finnish_calendar._finland", lambda: lambda **_: _EmptyCalendar())
    check = FinnishHolidays([2026, 2027])
    assert check(date(2026, 12, 24))
    assert check(date(2026, 6, 19))
    assert check(date(2027, 6, 25))
    assert check.name(date(2026, 6, 19), "sv") == "Midsommarafton"
    assert not check(date(2026, 6, 20))  # the fake lists nothing else


@pytest.mark.parametrize(("lang", "code"), [("fi", "fi"), ("sv", "sv_FI"), ("en", "en_US")])
def test_every_holiday_the_library_knows_named_as_the_library_names_it(lang: str, code: str) -> None:
    check = FinnishHolidays()
    for year in range(2024, 2041):
        for day, name in holidays.country_holidays("FI", years=year, language=code).items():
            assert check(day), day
            assert check.name(day, lang) == name


def test_the_library_index_of_every_country_is_not_loaded() -> None:
    # ~250 country modules, +8 MB resident for the life of the bot: only Finland's is needed.
    probe = ("import sys; from datetime import date; from domain.finnish_calendar import FinnishHolidays; "
             "assert FinnishHolidays([2027])(date(2027, 12, 6)); "
             "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
