"""The fixed texts of the plan documents and the star picture: the ``documents`` gettext domain.

The texts are in ``i18n/locale/<lang>/LC_MESSAGES/documents.po`` (see :mod:`i18n.catalog`), keyed like
the ``messages`` domain (msgid = key, parameters in ``str.format`` style); the keys of the two do not clash.
"""

from __future__ import annotations

from datetime import date, datetime

from i18n.catalog import LANGUAGES, render, source_keys
from i18n.formatting import format_date, format_moment

__all__ = ["DOMAIN", "LANGUAGES", "day_text", "keys", "moment_text", "t"]

DOMAIN = "documents"


def t(key: str, lang: str = "fi", **params: str) -> str:
    """The text ``key`` in ``lang`` (Finnish when the language is not supported); KeyError if unknown."""
    return render(DOMAIN, key, lang, params)


def keys() -> frozenset[str]:
    """Every text key (read from the Finnish catalog's source)."""
    return source_keys(DOMAIN)


def day_text(day: date, lang: str = "fi") -> str:
    """"to 3.12.2026" — a date with its weekday, as each language writes it."""
    return format_date(day, lang)


def moment_text(moment: datetime, lang: str = "fi") -> str:
    """"ti 15.12.2026 klo 14.00" — a date and a time of day."""
    return format_moment(moment, lang)
