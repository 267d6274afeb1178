"""The gettext catalogs: ``i18n/locale/<lang>/LC_MESSAGES/<domain>.po`` is the source, ``.mo`` the compiled form.

Two domains: ``messages`` (every card, message and the family's invitation text) and ``documents``
(the plan document and the star picture). A msgid is the stable key the code uses (``welcome.title``),
a msgstr the text, with ``str.format`` placeholders (``{name}``).

The bot reads the compiled ``.mo`` files with the standard library's :mod:`gettext` (about a
millisecond a file), one language at a time, on first use, and keeps them (``functools.cache``).
``python -m i18n.compile`` (``make locale``) compiles them with Babel; a test fails when a ``.mo``
no longer matches its ``.po``. Each ``.mo`` carries the SHA-256 of the ``.po`` it was compiled from
(msgid ``$po-sha256``): a ``.mo`` that is missing or does not match its ``.po`` (someone edited the
``.po`` and has not compiled yet) is not used; the ``.po`` is compiled in memory instead (some 20 ms).
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import io
from importlib import resources
from pathlib import Path
from typing import Literal

#: Finnish first; a language outside these gets Finnish.
LANGUAGES = ("fi", "sv", "en")
Language = Literal["fi", "sv", "en"]
DEFAULT_LANGUAGE = "fi"
DOMAINS = ("messages", "documents")
# Package data of i18n (importlib.resources), so the catalogs are found from any working directory and from the
# image alike; nothing touches the disk at import.
LOCALE_DIR = Path(str(resources.files(__package__ or "i18n").joinpath("locale")))
#: The msgid under which a ``.mo`` keeps the SHA-256 of its ``.po``; never a message key.
SOURCE_HASH_ID = "$po-sha256"


def supported(lang: str) -> str:
    """``lang`` when the bot speaks it, Finnish otherwise."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def po_path(domain: str, lang: str, directory: Path = LOCALE_DIR) -> Path:
    """Where the catalog's source is."""
    return directory / lang / "LC_MESSAGES" / f"{domain}.po"


def mo_path(domain: str, lang: str, directory: Path = LOCALE_DIR) -> Path:
    """Where the compiled catalog is."""
    return directory / lang / "LC_MESSAGES" / f"{domain}.mo"


def source_hash(po_bytes: bytes) -> str:
    """The hex SHA-256 a ``.mo`` keeps of the ``.po`` it was compiled from."""
    return hashlib.sha256(po_bytes).hexdigest()


def compile_po(po_bytes: bytes) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (Babel); fuzzy and empty entries are left out, as gettext does."""
    # Imported on use: the running bot reads the compiled files and never needs Babel's message tools.
    from babel.messages.mofile import write_mo  # noqa: PLC0415
    from babel.messages.pofile import read_po  # noqa: PLC0415

    catalog = read_po(io.BytesIO(po_bytes), abort_invalid=True)
    catalog.add(SOURCE_HASH_ID, source_hash(po_bytes))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    return compiled.getvalue()


def compiled_translations(domain: str, lang: str, directory: Path = LOCALE_DIR) -> gettext.GNUTranslations:
    """The ``.mo`` when it was compiled from the ``.po`` as it is now, else the ``.po`` compiled in memory."""
    po_bytes = po_path(domain, lang, directory).read_bytes()
    mo = mo_path(domain, lang, directory)
    if mo.is_file():
        found = gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
        if found.gettext(SOURCE_HASH_ID) == source_hash(po_bytes):
            return found
    return gettext.GNUTranslations(io.BytesIO(compile_po(po_bytes)))


@functools.cache
def translations(domain: str, lang: str) -> gettext.NullTranslations:
    """The domain's catalog in ``lang`` with the Finnish one behind it; read on first use, then kept."""
    lang = supported(lang)
    found = compiled_translations(domain, lang)
    if lang != DEFAULT_LANGUAGE:
        found.add_fallback(translations(domain, DEFAULT_LANGUAGE))
    return found


def lookup(domain: str, key: str, lang: str) -> str | None:
    """The text of ``key`` in ``lang`` (Finnish where that language lacks it); None for an unknown key."""
    value = translations(domain, lang).gettext(key)
    # gettext answers an unknown msgid with the msgid itself; a key is never its own text.
    return None if value == key else value


def render(domain: str, key: str, lang: str, params: dict[str, str]) -> str:
    """The text of ``key`` with ``params`` filled in; KeyError names a key no catalog has."""
    value = lookup(domain, key, lang)
    if value is None:
        raise KeyError(key)
    return value.format(**params) if params else value


@functools.cache
def source_texts(domain: str, lang: str) -> dict[str, str]:
    """One language's own ``.po``, read with Babel, nothing borrowed from Finnish: key → text.

    Fuzzy and empty entries are left out (gettext would not use them). For tools and tests.
    """
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with po_path(domain, lang).open("rb") as source:
        return {str(m.id): str(m.string) for m in read_po(source) if m.id and m.string and not m.fuzzy}


@functools.cache
def source_keys(domain: str) -> frozenset[str]:
    """Every key of the domain: the msgids of the Finnish ``.po`` (the source). For tools and tests."""
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with po_path(domain, DEFAULT_LANGUAGE).open("rb") as source:
        return frozenset(str(message.id) for message in read_po(source) if message.id)
