"""Compile the gettext catalogs: ``python -m i18n.compile`` (``make locale``); ``--check`` only checks.

Every ``i18n/locale/<lang>/LC_MESSAGES/<domain>.po`` becomes the ``.mo`` beside it (Babel's ``write_mo``).
``--check`` exits 1 naming each ``.mo`` that is missing or says something other than its ``.po``, and
each catalog problem: a key one language lacks or leaves empty (or fuzzy), placeholders that differ
between the languages, a text that is not a valid ``str.format`` string, a msgid twice in a file, or
a key in both domains.
"""

from __future__ import annotations

import io
import re
import string
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from i18n.catalog import DOMAINS, LANGUAGES, LOCALE_DIR, SOURCE_HASH_ID, compile_po, mo_path, po_path, source_hash


def _texts_of_po(po: Path) -> dict[str, str]:
    catalog = _read(po)
    return {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}


def _texts_of_mo(data: bytes) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in read_mo(io.BytesIO(data)) if m.id}


def _read(po: Path) -> Catalog:
    with po.open("rb") as source:
        return read_po(source)


def placeholders(text: str) -> frozenset[str]:
    """The ``str.format`` field names of ``text``; ValueError when it is not a valid format string."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def _domain_problems(domain: str, directory: Path) -> tuple[set[str], list[str]]:
    found: list[str] = []
    catalogs = {lang: _read(po_path(domain, lang, directory)) for lang in LANGUAGES}
    keys = {str(m.id) for catalog in catalogs.values() for m in catalog if m.id}
    for lang, catalog in catalogs.items():
        name = f"{lang}/{domain}.po"
        raw = po_path(domain, lang, directory).read_text(encoding="utf-8")
        for key, count in _msgid_counts(raw).items():
            if count > 1:
                found.append(f"{name}: {key} appears {count} times")
        for key in sorted(keys):
            message = catalog.get(key)
            if message is None:
                found.append(f"{name}: {key} is missing")
            elif not str(message.string).strip():
                found.append(f"{name}: {key} has no text")
            elif message.fuzzy:
                found.append(f"{name}: {key} is marked fuzzy")
    for key in sorted(keys):
        fields: dict[str, frozenset[str]] = {}
        for lang, catalog in catalogs.items():
            message = catalog.get(key)
            if message is None or not message.string:
                continue
            try:
                fields[lang] = placeholders(str(message.string))
            except ValueError:
                found.append(f"{lang}/{domain}.po: {key} is not a valid format string (a lone {{ or }})")
        if len(set(fields.values())) > 1:
            shown = ", ".join(f"{lang} {sorted(names)}" for lang, names in fields.items())
            found.append(f"{domain}: {key} has different placeholders: {shown}")
    return keys, found


def _msgid_counts(raw: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in re.findall(r'^msgid "(.+)"$', raw, flags=re.MULTILINE):
        counts[key] = counts.get(key, 0) + 1
    return counts


def problems(directory: Path = LOCALE_DIR) -> list[str]:
    """Every catalog problem, each naming the file or domain and the key."""
    found: list[str] = []
    keys_of: dict[str, set[str]] = {}
    for domain in DOMAINS:
        keys_of[domain], domain_problems = _domain_problems(domain, directory)
        found += domain_problems
    for key in sorted(set.intersection(*keys_of.values())):
        found.append(f"{key} is in both domains ({', '.join(DOMAINS)})")
    return found


def stale(directory: Path = LOCALE_DIR) -> list[Path]:
    """The ``.mo`` files that are missing, were compiled from another ``.po`` or say something else."""
    found = []
    for domain in DOMAINS:
        for lang in LANGUAGES:
            mo, po = mo_path(domain, lang, directory), po_path(domain, lang, directory)
            texts = _texts_of_mo(mo.read_bytes()) if mo.is_file() else {}
            if texts.pop(SOURCE_HASH_ID, None) != source_hash(po.read_bytes()) or texts != _texts_of_po(po):
                found.append(mo)
    return found


def compile_all(directory: Path = LOCALE_DIR) -> list[Path]:
    """Writes every ``.mo`` (each replaced whole); returns the files written."""
    written = []
    for domain in DOMAINS:
        for lang in LANGUAGES:
            mo = mo_path(domain, lang, directory)
            partial = mo.with_suffix(".mo.tmp")
            partial.write_bytes(compile_po(po_path(domain, lang, directory).read_bytes()))
            partial.replace(mo)  # a running bot never reads half a file
            written.append(mo)
    return written


def main(argv: list[str]) -> int:
    """``--check``: report stale files (exit 1); otherwise compile them all."""
    if "--check" in argv:
        found = problems() + [f"{mo}: out of date with its .po; run `make locale`" for mo in stale()]
        for problem in found:
            print(problem, file=sys.stderr)
        return 1 if found else 0
    for mo in compile_all():
        print(mo)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
