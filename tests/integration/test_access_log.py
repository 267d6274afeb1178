"""What the bot's logs keep of a request: no media capability tokens, no query strings, no token bytes.

A media URL (bot/media.py) is the only thing between a picture or the statistics' CSV and whoever has the
URL, so its token must not reach the access log an operator ships elsewhere. aiohttp refuses an over-long
header (over 8190 bytes) itself, before any of the bot's code, and would log the header's first bytes (a
token) with a traceback.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.safe_logging import RedactedAccessLogger
from bot.web import create_web_app
from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import TENANT, Stack, free_port
from tests.support.bot_process import BotProcess

# The smallest PNG: the star picture's stand-in.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c"
                    "6300010000050001" "0d0a2db40000000049454e44ae426082")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[RunningSandbox]:
    running = await start_sandbox(TENANT, tmp_path / "sandbox.db")
    try:
        yield running
    finally:
        await running.close()


async def test_python_m_bot_logs_no_media_tokens_query_strings_or_token_bytes(sandbox: RunningSandbox,
                                                                              tmp_path: Path) -> None:
    bot = BotProcess(port=free_port(), graph_base_url=sandbox.base_url, state_db=tmp_path / "bot.db",
                     log_path=tmp_path / "bot.log")
    media_token, encoded_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    validation = "VALIDATION" + secrets.token_hex(8)
    bearer = "SENTINEL" + secrets.token_urlsafe(7000)  # over aiohttp's 8190-byte limit for a header
    base = f"http://127.0.0.1:{bot.port}"
    await bot.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/media/{media_token}.png") as r:
                assert r.status == 404
            # aiohttp routes on the decoded path: /%6Dedia/… is /media/…
            async with session.get(f"{base}/%6Dedia/{encoded_token}.csv") as r:
                assert r.status == 404
            async with session.post(f"{base}/api/graph/notifications?validationToken={validation}") as r:
                assert r.status == 200
            async with session.post(f"{base}/api/messages", json={"type": "message"},
                                    headers={"Authorization": f"Bearer {bearer}"}) as r:
                assert r.status == 400
    finally:
        bot.stop()
    log = bot.log_path.read_text(encoding="utf-8")
    assert '"GET /media/<redacted>.png HTTP/1.1" 404' in log
    assert '"GET /media/<redacted>.csv HTTP/1.1" 404' in log
    assert '"POST /api/graph/notifications?<redacted> HTTP/1.1" 200' in log
    assert "HTTP request refused by the parser: LineTooLong (400)" in log
    for secret in (media_token, encoded_token, validation, "SENTINEL", bearer[-40:]):
        assert secret not in log
    assert "Traceback" not in log


async def test_a_published_picture_is_served_and_its_token_is_not_logged(stack: Stack,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    port = free_port()
    runner = web.AppRunner(create_web_app(stack.bot.front), access_log_class=RedactedAccessLogger,
                           access_log=logging.getLogger("aiohttp.access"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        url = await stack.bot.media.publish(PNG)
        token = url.rsplit("/", 1)[1].removesuffix(".png")
        async with aiohttp.ClientSession() as session, \
                session.get(f"http://127.0.0.1:{port}/media/{token}.png") as r:
            assert r.status == 200
            assert await r.read() == PNG
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any('"GET /media/<redacted>.png HTTP/1.1" 200' in line for line in lines), lines
    assert token not in caplog.text
