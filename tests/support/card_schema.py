"""Checking card JSON against the official Adaptive Card 1.5 schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "adaptive-card-1.5.json"


@cache
def _validator() -> Draft6Validator:
    return Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def card_errors(card: dict[str, Any]) -> list[str]:
    """Schema violations of ``card`` (empty when valid), plus our own rules: 1.5 and Action.Execute only."""
    errors = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in _validator().iter_errors(card)]
    if card.get("version") != "1.5":
        errors.append(f"version is {card.get('version')!r}, not 1.5")
    text = json.dumps(card)
    if '"Action.Submit"' in text:
        errors.append("uses Action.Submit; cards use Action.Execute")
    return errors


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fails with every violation listed."""
    errors = card_errors(card)
    assert not errors, "\n".join(errors)
