"""A recording Bot Framework connector: the bot's outgoing activities land here over HTTP."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class RecordingConnector:
    """Keeps every activity the bot sends (POST) or updates (PUT), in order."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        """The connector's aiohttp app (Bot Framework REST paths)."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._put)
        app.router.add_post("/v3/conversations", self._create)
        return app

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_conversation"] = request.match_info["cid"]
        body["id"] = f"activity-{next(self._ids)}"
        self.sent.append(body)
        return web.json_response({"id": body["id"]})

    async def _put(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["_conversation"] = request.match_info["cid"]
        body["id"] = request.match_info["aid"]
        self.updated.append(body)
        return web.json_response({"id": body["id"]})

    async def _create(self, request: web.Request) -> web.Response:
        return web.json_response({"id": f"conversation-{next(self._ids)}"})

    def cards(self) -> list[dict[str, Any]]:
        """Adaptive Cards in sent messages, in order."""
        return [a["content"] for act in self.sent for a in act.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]
