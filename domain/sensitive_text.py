"""Refusing free text that would put a family's identity where it must not be.

The family is identified only by a short reference the worker chooses. Anything
that looks like a personal identity code (henkilötunnus), an e-mail address or a
phone number is refused in every free-text field the bot stores or sends.
"""

from __future__ import annotations

import re
from enum import StrEnum

# Henkilötunnus: ddmmyy, century sign (+ - A–F or U–Y per the 2023 reform), three
# digits and a check character. "Looks like" is enough: we do not verify the checksum,
# since a mistyped code is still a code.
_HETU = re.compile(r"(?<!\d)\d{6}\s?[-+A-FU-Ya-fu-y]\s?\d{3}[0-9A-Ya-y](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# A phone number starts with a country code (+358) or a trunk 0 and has seven or more digits,
# with spaces, dashes or parentheses between them. Dates (4.12.2026) and years (2026–2027) are not numbers.
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}|0)[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d){4,}")


class TextProblem(StrEnum):
    """Why a piece of free text was refused. The value is the message key."""

    EMPTY = "text.empty"
    TOO_SHORT = "text.too_short"
    TOO_LONG = "text.too_long"
    IDENTITY_CODE = "text.identity_code"
    EMAIL = "text.email"
    PHONE = "text.phone"
    CONTROL_CHARS = "text.control_chars"


def text_problem(text: str, *, min_length: int = 0, max_length: int = 2000) -> TextProblem | None:
    """The first reason ``text`` may not be stored, or None when it is fine."""
    stripped = text.strip()
    if min_length and not stripped:
        return TextProblem.EMPTY
    if len(stripped) < min_length:
        return TextProblem.TOO_SHORT
    if len(stripped) > max_length:
        return TextProblem.TOO_LONG
    # Control characters, and what XML (the plan's DOCX) cannot hold: surrogates, U+FFFE and U+FFFF.
    if any((ord(ch) < 32 and ch not in "\n\t") or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff"
           for ch in stripped):
        return TextProblem.CONTROL_CHARS
    if _HETU.search(stripped):
        return TextProblem.IDENTITY_CODE
    if _EMAIL.search(stripped):
        return TextProblem.EMAIL
    if _PHONE.search(stripped):
        return TextProblem.PHONE
    return None


def family_reference_problem(text: str) -> TextProblem | None:
    """Checks a family reference: 2–40 characters, nothing identifying."""
    return text_problem(text, min_length=2, max_length=40)
