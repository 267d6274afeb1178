"""The CLDR names the bot writes dates with: weekdays and months in Finnish, Swedish and English.

Copied from CLDR through Babel 2.19 (``babel.dates.get_day_names``/``get_month_names``), and held here because
Babel loads a language's whole CLDR data (currencies, territories, time zones…) to give them: ~8 MB for the
three, resident for the life of the bot (make bench). ``tests/unit/test_cldr_names.py`` compares every name
with Babel's, so a CLDR change shows up as a failing test with the new names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CldrNames:
    """One language's names; weekdays Monday first, months January first."""

    weekday_short: tuple[str, ...]  # "ccc": stand-alone, abbreviated
    weekday_long: tuple[str, ...]  # "cccc": stand-alone, wide
    weekday_written: tuple[str, ...]  # "EEEE": in a date, wide ("torstaina 3. joulukuuta")
    month_written: tuple[str, ...]  # "MMMM": in a date, wide


NAMES: dict[str, CldrNames] = {
    "fi": CldrNames(
        weekday_short=("ma", "ti", "ke", "to", "pe", "la", "su"),
        weekday_long=("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"),
        weekday_written=("maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina",
                         "sunnuntaina"),
        month_written=("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
                       "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta")),
    "sv": CldrNames(
        weekday_short=("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
        weekday_long=("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
        weekday_written=("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
        month_written=("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
                       "oktober", "november", "december")),
    "en": CldrNames(
        weekday_short=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        weekday_long=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        weekday_written=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        month_written=("January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December")),
}
