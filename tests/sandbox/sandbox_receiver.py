"""A tiny notification endpoint for the subscription tests (imported by module name).

It answers Graph's validation handshake (echo, 500 or a wrong token, as the test chooses),
records every notification POSTed to it, and can fail the next deliveries to provoke retries.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

ValidationMode = Literal["echo", "error", "wrong", "json"]


@dataclass
class Received:
    """One POST with a notification payload."""

    path: str
    payload: dict[str, Any]


@dataclass
class Receiver:
    """Records what the sandbox sends; ``url`` and ``lifecycle_url`` point at it."""

    root: str = ""
    validation: ValidationMode = "echo"
    fail_next: int = 0
    tokens: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def url(self) -> str:
        """The notificationUrl."""
        return f"{self.root}/notify"

    @property
    def lifecycle_url(self) -> str:
        """The lifecycleNotificationUrl."""
        return f"{self.root}/lifecycle"

    async def handle(self, request: web.Request) -> web.Response:
        """Answer the handshake or take a notification."""
        token = request.query.get("validationToken")
        if token is not None:
            self.tokens.append(token)
            if self.validation == "error":
                return web.Response(status=500, text="boom")
            if self.validation == "wrong":
                return web.Response(text="not the token")
            if self.validation == "json":
                return web.json_response({"validationToken": token})
            return web.Response(text=token)
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=503)
        payload = json.loads(await request.read())
        async with self._changed:
            self.received.append(Received(request.path, payload))
            self._changed.notify_all()
        return web.Response(status=202)

    def entries(self, path: str = "/notify") -> list[dict[str, Any]]:
        """Every notification (``value`` entry) received on ``path``, in order."""
        return [entry for r in self.received if r.path == path for entry in r.payload["value"]]

    async def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], path: str = "/notify", seconds: float = 5.0
    ) -> list[dict[str, Any]]:
        """Wait until ``predicate(entries)`` holds; returns the entries."""

        async def until() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self.entries(path)))

        await asyncio.wait_for(until(), seconds)
        return self.entries(path)


async def start_receiver() -> tuple[Receiver, web.AppRunner]:
    """Serve a :class:`Receiver` on a free port."""
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.root = f"http://127.0.0.1:{runner.addresses[0][1]}"
    return receiver, runner
