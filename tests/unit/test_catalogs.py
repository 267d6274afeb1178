"""The gettext catalogs (i18n/locale/): complete in fi, sv and en, compiled, and every key the code uses is there."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from documents import texts
from i18n import messages
from i18n.catalog import DOMAINS, LANGUAGES, LOCALE_DIR, compiled_translations, po_path, source_keys, source_texts
from i18n.compile import compile_all, placeholders, problems, stale
from i18n.formatting import format_date, format_moment, format_span, format_time

ROOT = Path(__file__).resolve().parents[2]
#: Where user-facing text is chosen; ``domain/`` holds no text and ``cards/verbs.py`` only verb names.
SOURCE_DIRS = ("bot", "cards", "services", "documents", "i18n")
NOT_KEYS = {ROOT / "cards" / "verbs.py"}

_CALL = re.compile(r"""\bt\(\s*["']([^"']+)["']""")
_F_CALL = re.compile(r"""\bt\(\s*f["']([^"'{]*)\{""")
_KEY_LITERAL = re.compile(r"""(?<![\w{])["']([a-z_]+(?:\.[A-Za-z0-9_]+)+)["']""")
HELSINKI = ZoneInfo("Europe/Helsinki")


def _sources() -> list[Path]:
    return [p for d in SOURCE_DIRS for p in sorted((ROOT / d).rglob("*.py")) if p not in NOT_KEYS]


def _domain_of(source: str) -> str:
    return "documents" if "from documents.texts import" in source else "messages"


# --- the catalogs themselves ------------------------------------------------------------------------

def test_the_three_languages_have_every_key_with_text_and_the_same_placeholders() -> None:
    found = problems()
    assert not found, "\n".join(found)


def test_each_language_has_exactly_the_finnish_keys() -> None:
    for domain in DOMAINS:
        finnish = set(source_texts(domain, "fi"))
        assert finnish == set(source_keys(domain))
        for lang in LANGUAGES:
            own = set(source_texts(domain, lang))
            assert not sorted(finnish - own), f"{lang}/{domain}.po lacks {sorted(finnish - own)}"
            assert not sorted(own - finnish), f"{lang}/{domain}.po has keys Finnish lacks: {sorted(own - finnish)}"


def test_the_compiled_catalogs_are_up_to_date() -> None:
    assert stale() == [], "a .mo is out of date with its .po: run `make locale` (python -m i18n.compile)"


def _copy_of_locale(tmp_path: Path) -> Path:
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    return copy


def _edit(po: Path, key: str, replacement: str) -> None:
    """Replaces the msgid/msgstr pair of ``key`` with ``replacement``."""
    text = po.read_text(encoding="utf-8")
    pattern = re.compile(rf'(#, python-brace-format\n)?msgid "{re.escape(key)}"\nmsgstr "[^"]*"\n')
    assert pattern.search(text), key
    po.write_text(pattern.sub(lambda _: replacement, text, count=1), encoding="utf-8")


def test_a_missing_empty_fuzzy_or_mismatched_text_fails_naming_the_key(tmp_path: Path) -> None:
    locale = _copy_of_locale(tmp_path)
    _edit(po_path("messages", "sv", locale), "welcome.title", "")
    _edit(po_path("messages", "en", locale), "form.title", 'msgid "form.title"\nmsgstr ""\n')
    _edit(po_path("messages", "en", locale), "status.title", '#, fuzzy\nmsgid "status.title"\nmsgstr "Mine"\n')
    _edit(po_path("documents", "sv", locale), "doc.page", 'msgid "doc.page"\nmsgstr "sida {sida}"\n')
    _edit(po_path("documents", "en", locale), "doc.title", 'msgid "doc.title"\nmsgstr "Joint {plan"\n')
    assert set(problems(locale)) == {
        "sv/messages.po: welcome.title is missing",
        "en/messages.po: form.title has no text",
        "en/messages.po: status.title is marked fuzzy",
        "documents: doc.page has different placeholders: fi ['page'], sv ['sida'], en ['page']",
        "en/documents.po: doc.title is not a valid format string (a lone { or })",
    }


def test_a_key_twice_or_in_both_domains_fails(tmp_path: Path) -> None:
    locale = _copy_of_locale(tmp_path)
    for lang in LANGUAGES:
        po = po_path("documents", lang, locale)
        po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "welcome.title"\nmsgstr "x"\n', encoding="utf-8")
    fi = po_path("messages", "fi", locale)
    fi.write_text(fi.read_text(encoding="utf-8") + '\nmsgid "form.title"\nmsgstr "Toinen"\n', encoding="utf-8")
    found = problems(locale)
    assert "welcome.title is in both domains (messages, documents)" in found
    assert "fi/messages.po: form.title appears 2 times" in found


def test_an_edited_po_is_used_before_it_is_compiled_and_marks_the_mo_stale(tmp_path: Path) -> None:
    locale = _copy_of_locale(tmp_path)
    assert stale(locale) == []
    _edit(po_path("messages", "sv", locale), "welcome.title", 'msgid "welcome.title"\nmsgstr "Tillsammans"\n')
    assert stale(locale) == [locale / "sv" / "LC_MESSAGES" / "messages.mo"]
    assert compiled_translations("messages", "sv", locale).gettext("welcome.title") == "Tillsammans"
    compile_all(locale)
    assert stale(locale) == []
    assert compiled_translations("messages", "sv", locale).gettext("welcome.title") == "Tillsammans"
    (locale / "en" / "LC_MESSAGES" / "messages.mo").unlink()
    assert compiled_translations("messages", "en", locale).gettext("welcome.title") == "Together time"


# --- the code's keys --------------------------------------------------------------------------------

def test_every_key_the_code_names_is_in_its_catalog() -> None:
    missing: list[str] = []
    every_key = source_keys("messages") | source_keys("documents")
    namespaces = {key.split(".")[0] for key in every_key}
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        domain = _domain_of(source)
        for key in _CALL.findall(source):
            if key not in source_keys(domain):
                missing.append(f"{where}: t({key!r}) is not in the {domain} catalogs")
        # Keys passed around before t() sees them: UserFacingError("..."), heading_key="...", ("uusi", "command.new").
        for key in _KEY_LITERAL.findall(source):
            if key.split(".")[0] in namespaces and key not in every_key:
                missing.append(f"{where}: {key!r} looks like a message key but no catalog has it")
        for prefix in _F_CALL.findall(source):
            if not any(key.startswith(prefix) for key in source_keys(domain)):
                missing.append(f"{where}: no {domain} key starts with {prefix!r}")
    assert not missing, "\n".join(missing)


def test_the_scan_finds_the_keys_it_should() -> None:
    found = {key for path in _sources() for key in _CALL.findall(path.read_text(encoding="utf-8"))}
    assert {"welcome.title", "language.changed", "doc.title", "family.greeting", "booked.time"} <= found


def test_unknown_keys_fail_loudly_and_unknown_languages_get_finnish() -> None:
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        messages.t("no.such.key", "sv")
    with pytest.raises(KeyError):
        texts.t("welcome.title")  # a message key is not a document text
    assert messages.has("welcome.title") and not messages.has("no.such.key")
    assert messages.t("welcome.title", "de") == messages.t("welcome.title", "fi") == "Yhdessä aika"
    assert messages.t("family.contact", "sv", name="Liisa") == "Mer information: Liisa"
    assert texts.t("doc.page", "en", page="2").endswith("page 2")
    assert {"doc.title", "star.point"} <= texts.keys() and {"welcome.title"} <= messages.keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_str_format_names(lang: str) -> None:
    for domain in DOMAINS:
        for key, text in source_texts(domain, lang).items():
            assert all(re.fullmatch(r"[a-z_]+", name) for name in placeholders(text)), (lang, domain, key)


# --- dates and times --------------------------------------------------------------------------------

def test_finnish_dates_and_times_are_written_as_finns_write_them() -> None:
    start, end = datetime(2026, 12, 3, 8, 30, tzinfo=HELSINKI), datetime(2026, 12, 3, 10, 0, tzinfo=HELSINKI)
    assert format_span(start, end) == "to 3.12.2026 klo 8.30–10.00"
    assert format_moment(start) == "to 3.12.2026 klo 8.30"
    assert format_time(start) == "8.30"
    assert format_date(date(2026, 12, 4)) == "pe 4.12.2026"
    assert format_date(date(2026, 12, 3), long_weekday=True) == "torstai 3.12.2026"
    assert format_span(start, end, long_weekday=True) == "torstai 3.12.2026 klo 8.30–10.00"


def test_swedish_and_english_dates_and_a_language_the_bot_does_not_speak() -> None:
    moment = datetime(2026, 12, 15, 14, 0)
    assert format_moment(moment, "sv") == "tis 15.12.2026 kl. 14.00"
    assert format_moment(moment, "en") == "Tue 15.12.2026 at 14:00"
    assert format_date(moment.date(), "sv", long_weekday=True) == "tisdag 15.12.2026"
    assert format_date(moment.date(), "en", long_weekday=True) == "Tuesday 15.12.2026"
    assert format_moment(moment, "de") == "ti 15.12.2026 klo 14.00"


def test_the_wall_clock_time_is_kept_whatever_the_zone() -> None:
    naive = datetime(2026, 6, 1, 23, 5)
    assert format_moment(naive) == "ma 1.6.2026 klo 23.05"
    assert format_moment(naive.replace(tzinfo=HELSINKI)) == "ma 1.6.2026 klo 23.05"
    assert format_moment(naive.replace(tzinfo=ZoneInfo("UTC")), "en") == "Mon 1.6.2026 at 23:05"
