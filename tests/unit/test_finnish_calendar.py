"""Finnish public holidays: the days the slot search must never offer."""

from __future__ import annotations

from datetime import date

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
    monkeypatch.setattr("holidays.country_holidays", lambda *a, **k: _EmptyCalendar())
    check = FinnishHolidays([2026, 2027])
    assert check(date(2026, 12, 24))
    assert check(date(2026, 6, 19))
    assert check(date(2027, 6, 25))
    assert check.name(date(2026, 6, 19), "sv") == "Midsommarafton"
    assert not check(date(2026, 6, 20))  # the fake lists nothing else
