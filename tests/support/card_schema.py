"""Checking card JSON against the official Adaptive Card 1.5 schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from bot.card_actions import SUBMIT_VERB_KEY

SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "adaptive-card-1.5.json"


@cache
def _validator() -> Draft6Validator:
    return Draft6Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def card_errors(card: dict[str, Any]) -> list[str]:
    """Schema violations of ``card`` (empty when valid), plus our own rules: 1.5, and one kind of action per
    card: Action.Execute, or (a reply to a phone, bot.card_actions) Action.Submit carrying our verb."""
    errors = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in _validator().iter_errors(card)]
    if card.get("version") != "1.5":
        errors.append(f"version is {card.get('version')!r}, not 1.5")
    kinds = {node.get("type") for node in _nodes(card)} & {"Action.Submit", "Action.Execute"}
    if len(kinds) > 1:
        errors.append("mixes Action.Submit and Action.Execute")
    for node in _nodes(card):
        if node.get("type") == "Action.Submit" and not (isinstance(node.get("data"), dict)
                                                         and isinstance(node["data"].get(SUBMIT_VERB_KEY), str)):
            errors.append("an Action.Submit without our verb: the bot could not route it")
    return errors


def _nodes(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _nodes(value)
    elif isinstance(node, list):
        for item in node:
            found += _nodes(item)
    return found


def assert_valid_card(card: dict[str, Any]) -> None:
    """Fails with every violation listed."""
    errors = card_errors(card)
    assert not errors, "\n".join(errors)
