"""Sends Teams-shaped activities to the bot's /api/messages over HTTP, as the Teams service does."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.support.card_schema import assert_valid_card
from tests.support.connector import RecordingConnector


@dataclass
class TeamsUser:
    """A Teams user in a personal chat with the bot."""

    bot_url: str
    connector_url: str
    connector: RecordingConnector
    aad_object_id: str
    name: str
    locale: str = "fi-FI"
    conversation_id: str = "a:personal-chat-1"
    conversation_type: str = "personal"
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _activity(self, **extra: Any) -> dict[str, Any]:
        return {
            "id": f"in-{next(self._ids)}", "channelId": "msteams", "serviceUrl": self.connector_url,
            "from": {"id": f"29:{self.aad_object_id}", "name": self.name, "aadObjectId": self.aad_object_id},
            "recipient": {"id": "28:bot", "name": "Yhdessä aika"},
            "conversation": {"id": self.conversation_id, "conversationType": self.conversation_type,
                             "tenantId": "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"},
            "locale": self.locale, "timestamp": "2026-11-22T09:00:00Z", **extra,
        }

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        """Posts any activity; returns status and parsed body."""
        async with aiohttp.ClientSession() as session, session.post(self.bot_url, json=activity) as resp:
            text = await resp.text()
            return resp.status, (json.loads(text) if text else None)

    async def say(self, text: str) -> list[dict[str, Any]]:
        """Sends a chat message; returns the cards the bot sent in reply (each schema-checked)."""
        before = len(self.connector.sent)
        status, _ = await self.post(self._activity(type="message", text=text))
        assert status in (200, 201, 202), status
        cards = [a["content"] for act in self.connector.sent[before:] for a in act.get("attachments") or []]
        for card in cards:
            assert_valid_card(card)
        return cards

    async def act(self, verb: str, data: dict[str, Any], *, reply_to: str | None = None) -> dict[str, Any]:
        """Clicks an Action.Execute: returns the card Teams would show in place (schema-checked).

        Like Teams, the invoke names the message whose card was clicked (``replyToId``): by
        default the last message the bot sent to this chat.
        """
        if reply_to is None:
            mine = [a for a in self.connector.sent if a.get("_conversation") == self.conversation_id]
            reply_to = mine[-1]["id"] if mine else None
        extra = {"replyToId": reply_to} if reply_to else {}
        status, body = await self.post(self._activity(
            type="invoke", name="adaptiveCard/action", **extra,
            value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}}))
        assert status == 200, (status, body)
        assert body["statusCode"] == 200, body
        card: dict[str, Any] = body["value"]
        assert_valid_card(card)
        return card


def walk(card: Any) -> list[dict[str, Any]]:
    """Every object in a card, in document order."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            found.append(node)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(card)
    return found


def card_text(card: dict[str, Any]) -> str:
    """All visible text of a card, for assertions."""
    return "\n".join(node[key] for node in walk(card) for key in ("text", "title", "value", "label")
                     if isinstance(node.get(key), str))


def actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Execute on the card, in document order."""
    return [node for node in walk(card) if node.get("type") == "Action.Execute"]


def elements(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Every element of one type (e.g. "Image")."""
    return [node for node in walk(card) if node.get("type") == kind]


def input_defaults(card: dict[str, Any]) -> dict[str, Any]:
    """What Teams would send for the card's inputs if the user changed nothing."""
    return {node["id"]: str(node["value"]) if node.get("value") is not None else ""
            for node in walk(card) if str(node.get("type", "")).startswith("Input.") and "id" in node}
