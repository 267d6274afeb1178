"""The weekday and month names the bot holds are CLDR's, as Babel gives them, and dates read as Babel formats them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from babel.dates import format_date as babel_date
from babel.dates import get_day_names, get_month_names

from i18n.cldr_names import NAMES
from i18n.formatting import format_date, format_short_span, format_written_date

LANGS = ("fi", "sv", "en")


@pytest.mark.parametrize("lang", LANGS)
def test_every_name_is_cldrs(lang: str) -> None:
    names = NAMES[lang]
    assert names.weekday_short == tuple(get_day_names("abbreviated", "stand-alone", lang)[i] for i in range(7))
    assert names.weekday_long == tuple(get_day_names("wide", "stand-alone", lang)[i] for i in range(7))
    assert names.weekday_written == tuple(get_day_names("wide", "format", lang)[i] for i in range(7))
    assert names.month_written == tuple(get_month_names("wide", "format", lang)[i] for i in range(1, 13))


@pytest.mark.parametrize("lang", LANGS)
def test_dates_read_as_babel_formats_our_patterns(lang: str) -> None:
    written = {"fi": "EEEE d. MMMM y", "sv": "EEEE d MMMM y", "en": "EEEE d MMMM y"}[lang]
    for n in range(0, 400, 3):
        day = date(2026, 12, 28) + timedelta(days=n)
        assert format_date(day, lang) == babel_date(day, "ccc d.M.y", locale=lang)
        assert format_date(day, lang, long_weekday=True) == babel_date(day, "cccc d.M.y", locale=lang)
        assert format_written_date(day, lang) == babel_date(day, written, locale=lang)
        start = datetime(day.year, day.month, day.day, 8, 5)
        assert format_short_span(start, start, lang).startswith(babel_date(day, "ccc d.M.", locale=lang) + " ")
