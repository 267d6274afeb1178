"""Free text that would identify a family is refused; ordinary references pass."""

from __future__ import annotations

import pytest

from domain.sensitive_text import TextProblem, family_reference_problem, text_problem


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
