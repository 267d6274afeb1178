"""A throwaway echo bot used to learn and test the Agents Playground's DOM.

It is a minimal Microsoft 365 Agents SDK 1.9 bot (``AgentApplication`` + aiohttp
``CloudAdapter``, anonymous auth) and is *not* part of the product.  The e2e
harness test (``tests/e2e/test_playground_harness.py``) drives it through the
Playground to prove the Playwright helpers work.

Behaviour:

* any message -> an Adaptive Card 1.5 "Kaiku: <text>" with an ``Input.Text``
  (id ``name``, label "Nimi"), an ``Input.Toggle``, an expanded multi-select
  ``Input.ChoiceSet``, a compact one, an expanded single-select one, a compact multi-select
  one, ``Input.Date``,
  ``Input.Time`` and an ``Action.Execute`` (verb ``echo``);
* ``Action.Execute`` verb ``echo`` -> an invoke response whose card replaces the
  original card ("Kiitos, <name>!");
* message ``päivitä`` -> a text message that is then replaced by a card through
  ``updateActivity``;
* message ``virkistä`` -> a card with ``refresh`` (verb ``refresh``, the sender in
  ``userIds``); the refresh invoke answers with a card "Kiitos, ..." listing ``refresh: yes``;
* message ``proaktiivinen`` -> after a second, a proactive message through the
  connector ``serviceUrl`` ("Proaktiivinen viesti");
* every incoming activity is appended as one JSON line to the file named by
  ``ECHO_BOT_ACTIVITY_LOG`` (if set), so tests can check what the Playground sends.

Run: ``.venv/bin/python scripts/echo_bot.py --port 3978``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

from aiohttp import web
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
)
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    ClaimsIdentity,
    MemoryStorage,
    TurnContext,
    TurnState,
)

LOG = logging.getLogger("echo_bot")
ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

_background_tasks: set[asyncio.Task[None]] = set()


def question_card(text: str) -> dict[str, Any]:
    """Return the Adaptive Card 1.5 that echoes ``text`` and asks for some input."""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": f"Kaiku: {text}", "weight": "Bolder", "wrap": True},
            {"type": "Input.Text", "id": "name", "label": "Nimi", "placeholder": "Kirjoita nimesi"},
            {
                "type": "Input.Toggle",
                "id": "agree",
                "title": "Hyväksyn ehdot",
                "label": "Suostumus",
                "valueOn": "true",
                "valueOff": "false",
            },
            {
                "type": "Input.ChoiceSet",
                "id": "experts",
                "label": "Asiantuntijat",
                "style": "expanded",
                "isMultiSelect": True,
                "choices": [
                    {"title": "Neuvola", "value": "neuvola"},
                    {"title": "Koulukuraattori", "value": "kuraattori"},
                    {"title": "Perhetyö", "value": "perhetyo"},
                ],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "place",
                "label": "Paikka",
                "style": "compact",
                "value": "koti",
                "choices": [
                    {"title": "Kotona", "value": "koti"},
                    {"title": "Neuvolassa", "value": "neuvola"},
                    {"title": "Etänä", "value": "etana"},
                ],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "venue",
                "label": "Tapaamistapa",
                "style": "expanded",
                "choices": [
                    {"title": "Tapaamishuone", "value": "room"},
                    {"title": "Etäyhteys", "value": "remote"},
                ],
            },
            {
                "type": "Input.ChoiceSet",
                "id": "languages",
                "label": "Kielet",
                "style": "compact",
                "isMultiSelect": True,
                "choices": [
                    {"title": "suomi", "value": "fi"},
                    {"title": "ruotsi", "value": "sv"},
                    {"title": "englanti", "value": "en"},
                ],
            },
            {"type": "Input.Date", "id": "date", "label": "Päivä"},
            {"type": "Input.Time", "id": "time", "label": "Kellonaika"},
        ],
        "actions": [
            {"type": "Action.Execute", "title": "Lähetä", "verb": "echo", "data": {"kind": "echo"}},
        ],
    }


def answer_card(data: dict[str, Any]) -> dict[str, Any]:
    """Return the card that replaces the question card after ``Action.Execute``."""
    name = str(data.get("name") or "tuntematon")
    facts = [{"title": key, "value": str(value)} for key, value in sorted(data.items())]
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": f"Kiitos, {name}!", "weight": "Bolder", "wrap": True},
            {"type": "FactSet", "facts": facts},
        ],
    }


def _card_attachment(card: dict[str, Any]) -> Attachment:
    return Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=card)


def _log_activity(activity: Activity) -> None:
    path = os.environ.get("ECHO_BOT_ACTIVITY_LOG")
    if not path:
        return
    line = json.dumps(activity.model_dump(mode="json", by_alias=True, exclude_none=True), ensure_ascii=False)
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def build_app() -> tuple[AgentApplication[TurnState], CloudAdapter]:
    """Build the echo ``AgentApplication`` and its anonymous-auth ``CloudAdapter``."""
    # No credentials: the Playground posts without a token, and the SDK then uses an
    # anonymous connector client for replies.
    connection_manager = MsalConnectionManager(
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)}
    )
    adapter = CloudAdapter(connection_manager=connection_manager)
    agent_app: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=connection_manager
    )

    async def log_everything(context: TurnContext, _state: TurnState) -> bool:
        _log_activity(context.activity)
        return True

    agent_app.before_turn(log_everything)

    async def on_echo(_context: TurnContext, _state: TurnState, data: object) -> AdaptiveCardInvokeResponse:
        values = data if isinstance(data, dict) else {}
        return AdaptiveCardInvokeResponse(status_code=200, type=ADAPTIVE_CARD_CONTENT_TYPE, value=answer_card(values))

    agent_app.adaptive_card.action_execute("echo")(on_echo)

    async def on_refresh(_context: TurnContext, _state: TurnState, data: object) -> AdaptiveCardInvokeResponse:
        values = data if isinstance(data, dict) else {}
        return AdaptiveCardInvokeResponse(
            status_code=200, type=ADAPTIVE_CARD_CONTENT_TYPE, value=answer_card({"refresh": "yes", **values})
        )

    agent_app.adaptive_card.action_execute("refresh")(on_refresh)

    async def on_message(context: TurnContext, _state: TurnState) -> None:
        text = (context.activity.text or "").strip()
        if text == "päivitä":
            sent = await context.send_activity("Tämä viesti päivitetään hetken päästä")
            await asyncio.sleep(1)
            update = Activity(
                type=ActivityTypes.message,
                id=sent.id if sent else None,
                attachments=[_card_attachment(answer_card({"name": "päivitetty"}))],
            )
            await context.update_activity(update)
            return
        if text == "virkistä":
            card = answer_card({"name": "ennen virkistystä"})
            user_id = context.activity.from_property.id if context.activity.from_property else ""
            card["refresh"] = {
                "action": {"type": "Action.Execute", "title": "Virkistä", "verb": "refresh", "data": {}},
                "userIds": [user_id],
            }
            await context.send_activity(Activity(type=ActivityTypes.message, attachments=[_card_attachment(card)]))
            return
        if text == "proaktiivinen":
            reference = context.activity.get_conversation_reference()
            await context.send_activity("Lähetän proaktiivisen viestin sekunnin päästä")

            async def later() -> None:
                await asyncio.sleep(1)

                async def send(proactive_context: TurnContext) -> None:
                    await proactive_context.send_activity("Proaktiivinen viesti")

                try:
                    await adapter.continue_conversation_with_claims(
                        ClaimsIdentity(), reference.get_continuation_activity(), send
                    )
                except Exception:
                    LOG.exception("proactive message failed")

            task = asyncio.create_task(later())
            _background_tasks.add(task)
            task.add_done_callback(_background_tasks.discard)
            return
        reply = Activity(type=ActivityTypes.message, attachments=[_card_attachment(question_card(text))])
        await context.send_activity(reply)

    agent_app.activity(ActivityTypes.message)(on_message)
    return agent_app, adapter


def make_web_app() -> web.Application:
    """Return the aiohttp application serving ``POST /api/messages``."""
    agent_app, adapter = build_app()

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent_app, adapter)
        return response if response is not None else web.Response(status=202)

    web_app = web.Application()
    web_app.router.add_post("/api/messages", messages)
    return web_app


def main() -> None:
    """Run the echo bot until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BOT_PORT", "3978")))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_web_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
