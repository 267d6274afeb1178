"""The port opens before the cards, Graph and services are loaded (bot.front): what needs them waits for them,
what does not is answered at once, and nothing is lost in between."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import complete
from bot.front import Front, build_front
from bot.settings import BotSettings
from bot.web import create_web_app
from m365_sandbox.runner import start_sandbox
from tests.integration.conftest import LIISA, ROOT, TENANT, _serve, free_port
from tests.support.clock import StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, card_text


@dataclass
class Half:
    """A bot whose port is open and whose second stage has not been built yet."""

    front: Front
    base: str
    user: TeamsUser
    connector: RecordingConnector


@pytest.fixture
async def half(tmp_path: Path) -> AsyncIterator[Half]:
    clock = StackClock()
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", clock=clock)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    port = free_port()
    settings = BotSettings(graph_base_url=sandbox.base_url, state_db=tmp_path / "bot.db",
                           teams_file=ROOT / "config" / "teams.yaml", stars_dir=ROOT / "config" / "stars", port=port)
    front = build_front(settings, clock=sandbox.clock.now)
    runner = web.AppRunner(create_web_app(front), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base = f"http://127.0.0.1:{port}"
    user = TeamsUser(bot_url=f"{base}/api/messages", connector_url=connector_url, connector=connector,
                     aad_object_id=LIISA, name="Liisa Lähinen")
    try:
        yield Half(front, base, user, connector)
    finally:
        await runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()


async def test_a_turn_that_needs_nothing_loaded_is_answered_before_the_rest(half: Half) -> None:
    typing = {"type": "typing", "id": "t1", "channelId": "msteams", "serviceUrl": "http://127.0.0.1:9/",
              "from": {"id": "29:probe"}, "recipient": {"id": "28:bot"},
              "conversation": {"id": "a:probe", "conversationType": "personal"}}
    async with (aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session,
                session.post(f"{half.base}/api/messages", json=typing) as r):
        assert r.status < 300
    assert half.front.loaded.peek() is None, "answered without the cards, Graph and services"


async def test_a_command_sent_while_loading_is_answered_once_loaded(half: Half) -> None:
    said = asyncio.create_task(half.user.say("ohje"))
    await asyncio.sleep(0.3)
    assert not said.done(), "the help card needs the cards: the turn waits for them"
    assert half.connector.sent == []
    complete(half.front)
    cards = await asyncio.wait_for(said, 10)
    assert cards and "uusi" in card_text(cards[0]).lower()


async def test_a_media_link_opened_while_loading_is_served_once_loaded(half: Half) -> None:
    async with aiohttp.ClientSession() as session:
        opened = asyncio.create_task(session.get(f"{half.base}/media/abcdefgh.png"))
        await asyncio.sleep(0.2)
        assert not opened.done()
        complete(half.front)
        response = await asyncio.wait_for(opened, 10)
        assert response.status == 404  # an unknown token, answered by the loaded bot's media route
        response.release()
        async with session.get(f"{half.base}/healthz") as health:
            assert health.status == 200


def _bot_env(tmp_path: Path, teams_file: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YA_")}
    env.update({"YA_MODE": "development", "YA_HOST": "127.0.0.1", "YA_PORT": str(port),
                "YA_GRAPH_BASE_URL": "http://127.0.0.1:9/v1.0", "YA_STATE_DB": str(tmp_path / "bot.db"),
                "YA_PUBLIC_URL": f"http://127.0.0.1:{port}", "YA_TEAMS_FILE": str(teams_file),
                "YA_STARS_DIR": str(ROOT / "config" / "stars"), "PYTHONUNBUFFERED": "1"})
    return env


def test_a_configuration_the_rest_cannot_run_on_still_stops_the_bot_with_a_clear_message(tmp_path: Path) -> None:
    teams = tmp_path / "teams.yaml"
    teams.write_text((ROOT / "config" / "teams.yaml").read_text(encoding="utf-8").replace(
        'start: "12:00", end: "15:00"', 'start: "15:00", end: "12:00"'), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "bot"], env=_bot_env(tmp_path, teams, free_port()), cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "yhdessa-aika: invalid configuration:" in done.stderr
    assert "Traceback" not in done.stderr


async def test_the_bot_stops_cleanly_when_asked_to(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot"],  # noqa: ASYNC220 - starting is quick
                               env=_bot_env(tmp_path, ROOT / "config" / "teams.yaml", port), cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
            for _ in range(300):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/media/abcdefgh.png") as r:
                        assert r.status == 404  # answered by the loaded bot's media route
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
        assert process.returncode == 0, output[-2000:]
        assert "Traceback" not in output
    finally:
        if process.poll() is None:
            process.kill()
