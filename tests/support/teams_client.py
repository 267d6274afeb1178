"""Sends Teams-shaped activities to the bot's /api/messages over HTTP, as the Teams service does."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from tests.support.card_schema import assert_valid_card
from tests.support.connector import RecordingConnector

#: The first free time a refused next contact offers ("Vapaita aikoja lähellä: ti 5.1.2027 klo 9.30, …").
OFFERED_TIME = re.compile(r"Vapaita aikoja lähellä: \S+ (\d{1,2})\.(\d{1,2})\.(\d{4}) klo (\d{1,2})\.(\d{2})")


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
    #: The Teams client's platform in each activity's clientInfo entity ("android", "ios" for a phone), or none.
    platform: str | None = None
    #: The line Teams showed under the card acted on when the last action posted a new card (else None).
    last_note: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _activity(self, **extra: Any) -> dict[str, Any]:
        entities = ([{"type": "clientInfo", "platform": self.platform, "locale": self.locale}]
                    if self.platform else [])
        return {"entities": entities, **self._base(**extra)}

    def _base(self, **extra: Any) -> dict[str, Any]:
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

    async def act(self, verb: str, data: dict[str, Any], *, reply_to: str | None = None,
                  take_offered_time: bool = True) -> dict[str, Any]:
        """Clicks an Action.Execute: returns the card the user now looks at (schema-checked): the one Teams
        shows in place, or, when the action opened a new phase, the new card posted below (the card clicked
        stays; ``last_note`` keeps the line shown under it).

        Like Teams, the invoke names the message whose card was clicked (``replyToId``): by
        default the last message the bot sent to this chat.

        "Valmis" (``plan.save`` then finalize) refused because the responsible worker's calendar is taken at the
        next contact (the sandbox's calendars hold appointments on some dates): the worker clicks the first free
        time the plan card offers (``take_offered_time=False`` keeps the refusal).
        """
        card = await self._act(verb, data, reply_to=reply_to)
        if not (take_offered_time and verb == "plan.save" and data.get("then") == "finalize"):
            return card
        offered = [a["data"] for a in actions(card) if "offeredDate" in a.get("data", {})]
        if not offered:
            return card
        return await self._act(verb, {**data, **offered[0]})

    async def _act(self, verb: str, data: dict[str, Any], *, reply_to: str | None = None) -> dict[str, Any]:
        if reply_to is None:
            reply_to = self.last_message_id()
        extra = {"replyToId": reply_to} if reply_to else {}
        before = len(self.connector.sent)
        status, body = await self.post(self._activity(
            type="invoke", name="adaptiveCard/action", **extra,
            value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}}))
        assert status == 200, (status, body)
        assert body["statusCode"] == 200, body
        self.last_note = None
        if body.get("type") == "application/vnd.microsoft.activity.message":
            assert isinstance(body["value"], str) and body["value"], body
            self.last_note = body["value"]
            posted = [a["content"] for act in self.connector.sent[before:]
                      if act.get("_conversation") == self.conversation_id for a in act.get("attachments") or []]
            assert posted, "an action answered with a note posts a new card"
            card: dict[str, Any] = posted[-1]
        else:
            card = body["value"]
        assert_valid_card(card)
        return card

    def last_message_id(self) -> str | None:
        """The id of the last message the bot sent to this chat."""
        mine = [a for a in self.connector.sent if a.get("_conversation") == self.conversation_id]
        return mine[-1]["id"] if mine else None

    async def submit(self, data: dict[str, Any], *, reply_to: str | None = None) -> dict[str, Any]:
        """Clicks an Action.Submit (as a phone does): a message whose value is the action's data merged with the
        card's inputs. Returns the card the user now looks at: the clicked card as the bot updated it (PUT), or
        a new card the bot posted below it."""
        reply_to = reply_to or self.last_message_id()
        sent, updated = len(self.connector.sent), len(self.connector.updated)
        status, _ = await self.post(self._activity(type="message", value=data,
                                                   **({"replyToId": reply_to} if reply_to else {})))
        assert status in (200, 201, 202), status
        changed = [*self.connector.updated[updated:], *self.connector.sent[sent:]]
        shown = [a["content"] for act in changed for a in act.get("attachments") or []]
        assert shown, "a click gets an answer"
        card: dict[str, Any] = shown[-1]
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
