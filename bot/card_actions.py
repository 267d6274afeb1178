"""Which kind of card action a Teams client can run: Action.Execute, or Action.Submit on phones.

Action.Execute (universal actions) is reported broken on Teams iOS and Android (MicrosoftDocs/msteams-docs
issue 13924, open since 1/2026): the click shows an error and the bot never hears of it. Action.Submit works
on every client; it arrives as a message activity whose ``value`` is the action's data merged with the card's
inputs, and the bot updates the card itself. So a reply to a turn from a phone carries Action.Submit, with
the verb in the data under ``SUBMIT_VERB_KEY``; everywhere else cards keep Action.Execute (in-place answers,
per-user refresh of shared cards). ``YA_CARD_ACTIONS=submit`` makes every reply use Action.Submit.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes

#: The data key that carries the verb of an Action.Submit (an input id never starts with "ya.").
SUBMIT_VERB_KEY = "ya.verb"

#: clientInfo platforms where Action.Execute does not work.
PHONE_PLATFORMS = frozenset({"android", "ios"})


class CardActions(StrEnum):
    """The setting: follow the client (``auto``) or always send Action.Submit (``submit``)."""

    AUTO = "auto"
    SUBMIT = "submit"


def client_platform(activity: Activity) -> str | None:
    """The Teams client's platform from the activity's clientInfo entity ("android", "ios", "web", …)."""
    for entity in activity.entities or []:
        data = entity.model_dump(by_alias=True) if hasattr(entity, "model_dump") else entity
        if isinstance(data, Mapping) and data.get("type") == "clientInfo":
            platform = data.get("platform")
            return platform.strip().lower() if isinstance(platform, str) else None
    return None


def wants_submit(activity: Activity, setting: CardActions) -> bool:
    """True when cards sent in reply to ``activity`` should carry Action.Submit."""
    return setting is CardActions.SUBMIT or client_platform(activity) in PHONE_PLATFORMS


def submitted(activity: Activity) -> tuple[str, dict[str, Any]] | None:
    """The verb and data of an Action.Submit click (a message whose value names our verb), else None."""
    if activity.type != ActivityTypes.message or not isinstance(activity.value, Mapping):
        return None
    verb = activity.value.get(SUBMIT_VERB_KEY)
    if not isinstance(verb, str):
        return None
    data = {key: value for key, value in activity.value.items() if key != SUBMIT_VERB_KEY}
    return verb, data


def as_submit(card: dict[str, Any]) -> dict[str, Any]:
    """The card's JSON with every Action.Execute turned into the Action.Submit a phone can run.

    The data keeps its keys (inputs are merged into it by the client in both cases); the verb moves into it.
    A card-level ``refresh`` (an Action.Execute the client would call by itself) is dropped.
    """
    converted = _convert(card)
    assert isinstance(converted, dict)
    converted.pop("refresh", None)
    return converted


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("type") == "Action.Execute":
        action = {key: _convert(value) for key, value in node.items() if key not in ("verb", "data", "type")}
        given = node.get("data")
        data: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
        return {"type": "Action.Submit", **action, "data": {**data, SUBMIT_VERB_KEY: node.get("verb", "")}}
    return {key: _convert(value) for key, value in node.items()}
