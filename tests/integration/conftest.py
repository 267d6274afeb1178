"""Bot ↔ sandbox ↔ recording connector, each on its own loopback port, over real HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import Bot, bootstrap
from bot.settings import BotSettings
from bot.web import create_web_app
from m365_sandbox.core.tenant import default_tenant_path
from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.support.clock import HELSINKI, StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser

ROOT = Path(__file__).resolve().parents[2]
TENANT = default_tenant_path()
LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"


@dataclass
class Stack:
    """The running stack and a Teams user talking to it."""

    sandbox: RunningSandbox
    bot: Bot
    bot_url: str
    connector: RecordingConnector
    user: TeamsUser
    tmp: Path
    clock: StackClock

    def now(self) -> datetime:
        """The stack's "now": the one the bot and the sandbox read."""
        return self.sandbox.clock.now()

    def today(self) -> date:
        """The stack's date in Finland."""
        return self.now().astimezone(HELSINKI).date()

    async def date_after_meeting(self, convening_id: str, days: int) -> str:
        """An ISO date ``days`` after the booked meeting (e.g. the next contact, which may not precede it)."""
        return await date_after_meeting(self.sandbox.base_url, convening_id, days)

    async def at_meeting_start(self, convening_id: str, organizer: str = LIISA) -> datetime:
        """Moves the whole stack's clock to the booked meeting's start (a meeting is finalized only once it has
        begun); returns that moment."""
        start = await meeting_start(self.sandbox.base_url, convening_id, organizer)
        self.clock.set(start)
        return start

    async def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """The sandbox's admin API (``/_admin{path}``): faults, request counts, answers."""
        async with (aiohttp.ClientSession() as session,
                    session.request(method, f"{self.sandbox.admin_url}{path}", json=body) as response):
            assert response.status < 300, await response.text()
            data: dict[str, Any] = await response.json(content_type=None) if response.content_length != 0 else {}
            return data

    async def graph(self, path: str) -> dict[str, object]:
        """GET a Graph path from the sandbox (as a test's independent check)."""
        async with aiohttp.ClientSession() as s, s.get(f"{self.sandbox.base_url}{path}") as r:
            assert r.status == 200, (path, r.status)
            data: dict[str, object] = await r.json()
            return data


async def date_after_meeting(graph_base_url: str, convening_id: str, days: int, organizer: str = LIISA) -> str:
    """An ISO date ``days`` after the convening's meeting, read from the organizer's event in the sandbox.

    Dates a test types into a card follow the booked meeting, never the wall clock: the first free time
    moves with the calendar (holidays, the invitation deadline), so "today + N days" breaks on some dates.
    """
    start = await meeting_start(graph_base_url, convening_id, organizer)
    return (start.astimezone(HELSINKI) + timedelta(days=days)).date().isoformat()


async def meeting_start(graph_base_url: str, convening_id: str, organizer: str = LIISA) -> datetime:
    """The convening's booked start, read from the organizer's event in the sandbox."""
    async with (aiohttp.ClientSession() as session,
                session.get(f"{graph_base_url}/users/{organizer}/events?$top=500") as response):
        assert response.status == 200, response.status
        events = (await response.json())["value"]
    event = next(e for e in events if e.get("transactionId") == f"yhdessa-aika-{convening_id}")
    return datetime.fromisoformat(event["start"]["dateTime"]).replace(tzinfo=ZoneInfo(event["start"]["timeZone"]))


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


def free_port() -> int:
    """A port nobody listens on right now (the bot must know its own address for card images)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def start_bot(sandbox: RunningSandbox, state_db: Path,
                    teams_file: Path = ROOT / "config" / "teams.yaml",
                    **settings_overrides: Any) -> tuple[Bot, web.AppRunner, str]:
    """The bot, bootstrapped exactly as in production, on a free port, reading the sandbox's clock.

    ``settings_overrides``: further BotSettings (e.g. the Graph credential of a multi-tenant sandbox)."""
    port = free_port()
    settings = BotSettings(graph_base_url=sandbox.base_url, state_db=state_db, teams_file=teams_file,
                           stars_dir=ROOT / "config" / "stars", port=port, **settings_overrides)
    bot = bootstrap(settings, clock=sandbox.clock.now)
    runner = web.AppRunner(create_web_app(bot.front), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return bot, runner, f"http://127.0.0.1:{port}/api/messages"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    clock = StackClock()
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", clock=clock)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot, bot_runner, bot_url = await start_bot(sandbox, tmp_path / "bot.db")
    user = TeamsUser(bot_url=bot_url, connector_url=connector_url, connector=connector,
                     aad_object_id=LIISA, name="Liisa Lähinen")
    try:
        yield Stack(sandbox, bot, bot_url, connector, user, tmp_path, clock)
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()
