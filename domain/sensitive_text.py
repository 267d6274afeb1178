"""Refusing free text that would put a family's identity where it must not be.

The family is identified only by a short reference the worker chooses. Anything
that looks like a personal identity code (henkilötunnus), an e-mail address or a
phone number is refused in every free-text field the bot stores or sends.

Text from outside (card inputs, Outlook messages) is untrusted. Every check reads it as
:func:`normalise_text` spells it, so an identity code written with an en dash, a non-breaking
hyphen, full-width digits or a zero-width space inside it is seen and refused. What is kept is
:func:`clean_text`: the same text without invisible characters, but with its own dashes and
letters ("ma–pe 8–9" stays so in the family's plan), which the checks have already read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

# Henkilötunnus: ddmmyy, century sign (+ - A–F or U–Y per the 2023 reform), three
# digits and a check character. "Looks like" is enough: we do not verify the checksum,
# since a mistyped code is still a code. The date part may be written with dots, spaces
# or slashes (13.10.52-308T); the check character may be any digit or letter.
_HETU = re.compile(
    r"(?<!\d)\d{2}[./\s]?\d{2}[./\s]?\d{2}\s?[-+A-FU-Ya-fu-y]\s?\d{3}(?:\d|[A-Ya-y])(?![0-9A-Za-z])")
# U+3002 (ideographic full stop; NFKC folds U+FF61 to it) passes for a dot in an address.
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+[.\u3002][^\s@]+")
# A phone number starts with a country code (+358) or a trunk 0 and has seven or more digits,
# with spaces, dashes or parentheses between them. Dates (4.12.2026) and years (2026–2027) are not numbers.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|0)[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d){4,}")

#: Dashes besides the Pd category (which is unified as a whole): minus signs and look-alikes.
_DASHES = frozenset("\u2212\u2043\u02d7\u2796")
#: Default-ignorable code points that are not format characters (Cf is dropped as a category):
#: combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian free variation
#: selectors, variation selectors, tags and their supplement. Invisible, so they hide what they split.
_IGNORABLE = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
              (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF))
#: Cyrillic and Greek letters drawn like the Latin ones of an identity code's century sign and check
#: character; folded only while looking for a code (the text itself keeps its own letters).
_LOOKALIKES = str.maketrans("АВСЕНКМОРТХУаеорсухΑΒΕΗΙΚΜΝΟΡΤΥΧΖο", "ABCEHKMOPTXYaeopcyxABEHIKMNOPTYXZo")
#: The longest outside comment kept (a decliner's Outlook message); longer ones are cut.
MAX_OUTSIDE_TEXT = 500


class TextProblem(StrEnum):
    """Why a piece of free text was refused. The value is the message key."""

    EMPTY = "text.empty"
    TOO_SHORT = "text.too_short"
    TOO_LONG = "text.too_long"
    IDENTITY_CODE = "text.identity_code"
    EMAIL = "text.email"
    PHONE = "text.phone"
    CONTROL_CHARS = "text.control_chars"


def _ignorable(ch: str) -> bool:
    code = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(low <= code <= high for low, high in _IGNORABLE)


def clean_text(text: str) -> str:
    """``text`` as it is kept and shown: Unicode NFC, format and other default-ignorable characters dropped
    (zero-width space and joiners, word joiner, BOM, soft hyphen, bidi controls, variation selectors), every
    space separator as " " and line/paragraph separators as a newline. Dashes and letters stay. Idempotent."""
    if text.isascii():
        return text
    visible = unicodedata.normalize("NFC", "".join(ch for ch in text if not _ignorable(ch)))
    return "".join(" " if (category := unicodedata.category(ch)) == "Zs" else "\n" if category in ("Zl", "Zp")
                   else ch for ch in visible if not _ignorable(ch))


def normalise_text(text: str) -> str:
    """``text`` as every check reads it: one spelling for what looks the same.

    Unicode NFKC (full-width digits and letters, ligatures, superscripts fold to plain ones);
    format and other default-ignorable characters dropped (zero-width space and joiners, word
    joiner, BOM, soft hyphen, bidi controls, variation selectors); every dash (Unicode Pd: en
    and em dash, non-breaking hyphen…) and minus sign becomes "-"; every space separator
    (no-break, narrow, ideographic…) becomes " " and line/paragraph separators a newline;
    combining marks on an ASCII letter, digit, "-" or "+" (decorations with no precomposed
    letter, such as an underline through digits) are dropped. Idempotent.
    """
    if text.isascii():
        return text  # nothing to fold: the common case stays cheap
    visible = unicodedata.normalize("NFKC", "".join(ch for ch in text if not _ignorable(ch)))
    out: list[str] = []
    on_ascii = False  # the last kept character is an ASCII letter, digit, "-" or "+"
    for ch in visible:
        category = unicodedata.category(ch)
        if _ignorable(ch) or (on_ascii and category in ("Mn", "Me")):
            continue
        kept = ("-" if category == "Pd" or ch in _DASHES else " " if category == "Zs"
                else "\n" if category in ("Zl", "Zp") else ch)
        if category not in ("Mn", "Me"):
            on_ascii = kept.isascii() and (kept.isalnum() or kept in "-+")
        out.append(kept)
    return "".join(out)


def _has_control_chars(text: str) -> bool:
    # C0 and C1 controls and DEL, and what XML (the plan's DOCX) cannot hold: surrogates, U+FFFE and U+FFFF.
    return any((ord(ch) < 32 and ch not in "\n\t") or "\x7f" <= ch <= "\x9f" or "\ud800" <= ch <= "\udfff"
               or ch in "\ufffe\uffff" for ch in text)


def _has_identity_code(text: str) -> bool:
    return _HETU.search(text.translate(_LOOKALIKES)) is not None


def text_problem(text: str, *, min_length: int = 0, max_length: int = 2000) -> TextProblem | None:
    """The first reason ``text`` may not be stored, or None when it is fine.

    The text is checked as :func:`normalise_text` spells it, so no spelling variant slips through;
    callers keep :func:`clean_text` of it (the card payloads clean at the boundary).
    """
    stripped = normalise_text(text).strip()
    if min_length and not stripped:
        return TextProblem.EMPTY
    if len(stripped) < min_length:
        return TextProblem.TOO_SHORT
    if len(stripped) > max_length:
        return TextProblem.TOO_LONG
    if _has_control_chars(stripped):
        return TextProblem.CONTROL_CHARS
    if _has_identity_code(stripped):
        return TextProblem.IDENTITY_CODE
    if _EMAIL.search(stripped):
        return TextProblem.EMAIL
    if _PHONE.search(stripped):
        return TextProblem.PHONE
    return None


def family_reference_problem(text: str) -> TextProblem | None:
    """Checks a family reference: 2–40 characters, nothing identifying."""
    return text_problem(text, min_length=2, max_length=40)


@dataclass(frozen=True)
class ScreenedText:
    """Outside text as it may be kept and shown, and what was hidden from it (None: nothing)."""

    text: str
    hidden: TextProblem | None = None


def screen_outside_text(text: str, *, max_length: int = MAX_OUTSIDE_TEXT) -> ScreenedText:
    """Text nobody typed into the bot (a decliner's Outlook message): the same checks, kept as far as safe.

    Normalised like every text. Something that looks like an identity code, or control
    characters, withhold the whole text (a code may be split in ways that cutting would leave
    readable). E-mail addresses and phone numbers, mostly the sender's own signature, are each
    replaced with "…" and the rest is kept. Longer than ``max_length``: cut, with an ellipsis.
    """
    clean = normalise_text(text).strip()
    if _has_control_chars(clean):
        return ScreenedText("", TextProblem.CONTROL_CHARS)
    if _has_identity_code(clean):
        return ScreenedText("", TextProblem.IDENTITY_CODE)
    kept, emails = _EMAIL.subn("…", clean)
    kept, phones = _PHONE.subn("…", kept)
    hidden = TextProblem.EMAIL if emails else TextProblem.PHONE if phones else None
    if hidden is None:
        kept = clean_text(text).strip()  # nothing cut out: the sender's own dashes and letters
    if len(kept) > max_length:
        kept = kept[: max_length - 1].rstrip() + "…"
    return ScreenedText(kept, hidden)
