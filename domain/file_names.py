"""File names for the plan documents: the date and the family reference's initials, nothing more.

"Perhe Kettunen" on 3.12.2026 gives "2026-12-03 Yhdessä aika PK.docx". The family
reference is never written out in full: only the first letter of each of its words
(runs of letters; digits, punctuation and "&" only separate words), upper-cased, at most
four. Finnish and Swedish letters are kept (Ä, Ö, Å): file systems, Teams and OneDrive
handle them, and folding Åberg to A would make the initials wrong.
"""

from __future__ import annotations

import re
from datetime import date

#: How many initials at most.
MAX_INITIALS = 4

_WORD = re.compile(r"[^\W\d_]+")


def initials(family_ref: str) -> str:
    """The first letter of each word of ``family_ref``, upper-case, at most MAX_INITIALS.

    "Perhe Kettunen" → "PK", "Perhe K." → "PK", "K & V" → "KV", "Familj Åberg" → "FÅ",
    "Perhe Kettunen-Virtanen 2" → "PKV"; "" or "123" → "".
    """
    return "".join(word[0].upper() for word in _WORD.findall(family_ref))[:MAX_INITIALS]


def plan_file_name(family_ref: str, day: date, extension: str) -> str:
    """"2026-12-03 Yhdessä aika PK.pdf": the meeting's date and the reference's initials only."""
    ext = extension.lower().lstrip(".")
    if ext not in ("docx", "pdf", "png"):
        raise ValueError(f"unsupported file type {extension!r}")
    letters = initials(family_ref)
    stem = f"{day.isoformat()} Yhdessä aika"
    return f"{stem} {letters}.{ext}" if letters else f"{stem}.{ext}"
