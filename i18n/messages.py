"""Every user-facing sentence, Finnish first, then Swedish and English: the ``messages`` gettext domain.

The texts are in ``i18n/locale/<lang>/LC_MESSAGES/messages.po`` (see :mod:`i18n.catalog`); keys are the
msgids (``welcome.title``), parameters use ``str.format`` names (``{name}``).
"""

from __future__ import annotations

from i18n.catalog import LANGUAGES, lookup, render, source_keys

__all__ = ["DOMAIN", "LANGUAGES", "has", "keys", "t"]

DOMAIN = "messages"


def t(key: str, lang: str = "fi", **params: str) -> str:
    """The message ``key`` in ``lang`` (Finnish when the language is not supported); KeyError if unknown."""
    return render(DOMAIN, key, lang, params)


def has(key: str) -> bool:
    """Whether ``key`` is in the catalog."""
    return lookup(DOMAIN, key, "fi") is not None


def keys() -> frozenset[str]:
    """Every message key (read from the Finnish catalog's source)."""
    return source_keys(DOMAIN)
