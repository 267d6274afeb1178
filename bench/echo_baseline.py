"""The baseline: a bare Agents SDK 1.9 bot that answers ``Action.Execute`` verb ``echo``.

Set up as the product is: ``AgentApplication`` on the aiohttp ``CloudAdapter``, anonymous auth through
``MsalConnectionManager``, the SDK's loggers at WARNING, ``basicConfig(INFO)`` and aiohttp's access log as
``python -m bot`` has them; no activity logging, no turn state storage beyond the SDK's ``MemoryStorage``.

Run: ``python -m bench.echo_baseline --port 3990``.
"""

from __future__ import annotations

import argparse
import logging

from aiohttp import web
from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, start_agent_process
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    MemoryStorage,
    TurnContext,
    TurnState,
)

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def _answer(data: object) -> dict[str, object]:
    name = str(data.get("name") or "tuntematon") if isinstance(data, dict) else "tuntematon"
    return {"type": "AdaptiveCard", "version": "1.5",
            "body": [{"type": "TextBlock", "text": f"Kiitos, {name}!", "wrap": True}]}


def make_web_app() -> web.Application:
    """``POST /api/messages`` on the SDK's adapter, answering the ``echo`` verb with a card."""
    connections = MsalConnectionManager(
        connections_configurations={"SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)})
    adapter = CloudAdapter(connection_manager=connections)
    agent: AgentApplication[TurnState] = AgentApplication[TurnState](storage=MemoryStorage(),
                                                                     connection_manager=connections)

    async def on_echo(_context: TurnContext, _state: TurnState, data: object) -> AdaptiveCardInvokeResponse:
        return AdaptiveCardInvokeResponse(status_code=200, type=ADAPTIVE_CARD, value=_answer(data))

    agent.adaptive_card.action_execute("echo")(on_echo)

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await start_agent_process(request, agent, adapter)
        return response if response is not None else web.Response(status=202)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def main() -> None:
    """Serves until interrupted."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)
    web.run_app(make_web_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
