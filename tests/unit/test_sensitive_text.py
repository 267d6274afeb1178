"""Free text that would identify a family is refused; ordinary references pass."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.sensitive_text import (
    ScreenedText,
    TextProblem,
    clean_text,
    family_reference_problem,
    normalise_text,
    screen_outside_text,
    text_problem,
)


@pytest.mark.parametrize("ref", ["Perhe K.", "KV", "Perhe Kettunen-Virtanen 2", "Ö-perhe", "Familj Å.", "P-123"])
def test_ordinary_references_pass(ref: str) -> None:
    assert family_reference_problem(ref) is None


@pytest.mark.parametrize(("ref", "problem"), [
    ("131052-308T", TextProblem.IDENTITY_CODE),
    ("Perhe 131052-308T", TextProblem.IDENTITY_CODE),
    ("010120A123B", TextProblem.IDENTITY_CODE),   # the 2023 century signs
    ("010199Y1234", TextProblem.IDENTITY_CODE),
    ("maija@example.com", TextProblem.EMAIL),
    ("040 123 4567", TextProblem.PHONE),
    ("+358401234567", TextProblem.PHONE),
    ("p. 040-1234567", TextProblem.PHONE),
    ("K", TextProblem.TOO_SHORT),
    ("   ", TextProblem.EMPTY),
    ("x" * 41, TextProblem.TOO_LONG),
    ("Perhe\x00K", TextProblem.CONTROL_CHARS),
])
def test_identifying_or_malformed_references_are_refused(ref: str, problem: TextProblem) -> None:
    assert family_reference_problem(ref) is problem


def test_long_free_text_is_checked_everywhere_in_it() -> None:
    plan = "Sovittiin kotikäynti. " * 20 + "Äidin hetu 131052-308T mainittiin."
    assert text_problem(plan) is TextProblem.IDENTITY_CODE
    assert text_problem("Tavataan klo 8.30 to 4.12.2026, huone 12") is None


# --- spelling variants: the same code, address or number written so a naive check misses it ----------

#: Every dash a keyboard, a word processor or a phone may put where "-" was meant.
DASHES = ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d", "\u2e3a", "\u2043")
#: Invisible characters that split what they sit in without showing.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f", "\ufe0f", "\u202c",
             "\U000e0041", "\u3164")
#: Spaces other than U+0020.
SPACES = ("\u00a0", "\u202f", "\u2007", "\u2009", "\u3000", "\u205f")
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}

_settings = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@st.composite
def identity_codes(draw: st.DrawFn) -> tuple[str, str]:
    """(the code as written, how it was written): a generated henkilötunnus and a disguise of it."""
    day = draw(st.integers(1, 31))
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    sign = draw(st.sampled_from("+-ABCDEFUVWXY"))
    serial = draw(st.integers(2, 899))
    check = draw(st.sampled_from("0123456789ABCDEFHJKLMNPRSTUVWXY"))
    date_sep = draw(st.sampled_from(("", "", ".", " ")))
    if sign == "-":
        sign = draw(st.sampled_from(("-", *DASHES)))
    parts = [f"{day:02d}", date_sep, f"{month:02d}", date_sep, f"{year:02d}", sign, f"{serial:03d}", check]
    text = "".join(parts)
    if draw(st.booleans()):
        text = "".join(FULL_WIDTH.get(ch, ch) if draw(st.booleans()) else ch for ch in text)
    chars = list(text)
    for _ in range(draw(st.integers(0, 4))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(INVISIBLE)))
    return "".join(chars), text


@_settings
@given(identity_codes(), st.sampled_from(("", "Äidin tunnus ", "Perhe\u00a0", "(")),
       st.sampled_from(("", " tässä", ".", ")")))
def test_an_identity_code_is_refused_however_it_is_written(code: tuple[str, str], before: str, after: str) -> None:
    written, _ = code
    text = f"{before}{written}{after}"
    assert text_problem(text) is TextProblem.IDENTITY_CODE, ascii(text)
    assert text_problem(clean_text(text)) is TextProblem.IDENTITY_CODE, "what is kept is refused again"
    assert not any(ch in normalise_text(text) for ch in (*DASHES, *INVISIBLE)), "the checks read the plain spelling"
    assert not any(ch in clean_text(text) for ch in INVISIBLE), "nothing invisible is kept"


@pytest.mark.parametrize("text", [
    "131052\u2013308T", "131052\u2011308T", "1310\u200b52-308T", "131052-\u2060308T", "13.10.52-308T",
    "13.10.52\u2013308T", "\uff11\uff13\uff11\uff10\uff15\uff12-\uff13\uff10\uff18T", "131052-308\u0422",
    "1\u03323\u03321\u03320\u03325\u03322\u0332-308T", "131052\u00ad-308T", "Perhe 131052\u2014308T",
])
def test_known_disguises_of_an_identity_code(text: str) -> None:
    assert family_reference_problem(text) is TextProblem.IDENTITY_CODE, ascii(text)


@_settings
@given(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?", fullmatch=True), st.from_regex(r"[a-z]{2,10}", fullmatch=True),
       st.sampled_from(("fi", "com", "org")), st.sampled_from(("@", "\uff20", "\ufe6b")),
       st.lists(st.sampled_from(INVISIBLE), max_size=3), st.data())
def test_an_email_address_is_refused_however_it_is_written(local: str, domain: str, tld: str, at: str,
                                                            hidden: list[str], data: st.DataObject) -> None:
    chars = list(f"{local}{at}{domain}.{tld}")
    for ch in hidden:
        chars.insert(data.draw(st.integers(0, len(chars))), ch)
    text = "Kirjoita " + "".join(chars)
    assert text_problem(text) is TextProblem.EMAIL, ascii(text)


@_settings
@given(st.sampled_from(("040", "050", "044", "09", "+358 40", "+358\u00a040")), st.integers(100, 999),
       st.integers(1000, 9999), st.sampled_from((" ", "-", *SPACES, *DASHES, "")), st.booleans(),
       st.lists(st.sampled_from(INVISIBLE), max_size=3), st.data())
def test_a_phone_number_is_refused_however_it_is_written(prefix: str, middle: int, end: int, sep: str, wide: bool,
                                                         hidden: list[str], data: st.DataObject) -> None:
    number = f"{prefix}{sep}{middle}{sep}{end}"
    if wide:
        number = "".join(FULL_WIDTH.get(ch, ch) for ch in number)
    chars = list(number)
    for ch in hidden:
        chars.insert(data.draw(st.integers(0, len(chars))), ch)
    text = "Soita " + "".join(chars)
    assert text_problem(text) is TextProblem.PHONE, ascii(text)


@_settings
@given(st.text(max_size=60))
def test_normalising_is_idempotent_and_leaves_one_dash_one_space_and_nothing_invisible(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert not [ch for ch in once if unicodedata.category(ch) == "Cf"]
    assert not [ch for ch in once if unicodedata.category(ch) == "Pd" and ch != "-"]
    assert not [ch for ch in once if unicodedata.category(ch) == "Zs" and ch != " "]
    assert text_problem(text) == text_problem(once)


@pytest.mark.parametrize(("written", "kept"), [
    ("Perhe\u00a0K.", "Perhe K."), ("Perhe\u200b K.", "Perhe K."), ("Ryhmä ti\u2013to", "Ryhmä ti-to"),
    ("\uff30erhe", "Perhe"), ("Kettunen\u2011Virtanen", "Kettunen-Virtanen"), ("Ö-perhe", "Ö-perhe"),
    ("Åsa\u0301", "Åsá"), ("kahvila \u201dPulla\u201d", "kahvila \u201dPulla\u201d"),
])
def test_ordinary_text_keeps_its_letters(written: str, kept: str) -> None:
    assert normalise_text(written) == kept
    assert text_problem(written) is None


@pytest.mark.parametrize(("written", "kept"), [
    ("Soittoaika ma\u2013pe 8\u20139", "Soittoaika ma\u2013pe 8\u20139"), ("Perhe\u00a0K.", "Perhe K."),
    ("Perhe\u200b K.\u2060", "Perhe K."), ("\u202eHanna\u202c", "Hanna"), ("m\u00b2 ja \u2026", "m\u00b2 ja \u2026"),
    ("A\u030a", "\u00c5"), ("rivi\u2028toinen", "rivi\ntoinen"),
])
def test_what_is_kept_is_the_text_as_written_without_anything_invisible(written: str, kept: str) -> None:
    assert clean_text(written) == kept
    assert clean_text(kept) == kept


def test_dates_years_and_times_with_dashes_are_not_codes_or_numbers() -> None:
    for text in ("Tavataan 13.12.26\u201314.12.26", "vuosina 2026\u20132027", "klo 10.00\u201311.30, huone 12",
                 "Tavataan to 4.12.2026 klo 8.30\u201310.00"):
        assert text_problem(text) is None, text


def test_an_outside_comment_is_withheld_for_an_identity_code_and_cleared_of_contacts() -> None:
    assert screen_outside_text("Olen koulutuksessa") == ScreenedText("Olen koulutuksessa")
    assert screen_outside_text("Lapsen tunnus 131052\u2013308T") == ScreenedText("", TextProblem.IDENTITY_CODE)
    assert screen_outside_text("Tunnus 1310\u200b52-308T") == ScreenedText("", TextProblem.IDENTITY_CODE)
    assert screen_outside_text("Virhe\x07") == ScreenedText("", TextProblem.CONTROL_CHARS)
    signed = screen_outside_text("Olen lomalla.\nKaisa, puh. 040\u00a0123\u00a04567, kaisa@esimerkkila.fi")
    assert signed == ScreenedText("Olen lomalla.\nKaisa, puh. …, …", TextProblem.EMAIL)
    assert screen_outside_text("Soita 040 123 4567").hidden is TextProblem.PHONE
    assert screen_outside_text("x" * 600).text == "x" * 499 + "…"
    assert screen_outside_text("\u200bKoulutus\u2013päivä ") == ScreenedText("Koulutus\u2013päivä"), "its own dash"
