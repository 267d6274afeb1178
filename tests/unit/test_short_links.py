"""The family's short Teams link: the bot's own ``/t/{token}`` redirects to the join URL until it expires;
an unknown, malformed or expired token is a plain 404 (no third-party shortener ever sees the link)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.safe_logging import redacted_path
from bot.short_links import short_link_route
from state.documents import SqliteDocuments
from state.short_links import TOKEN_LENGTH, ShortLinkStore
from tests.fakes.clock import FakeClock

HEL = ZoneInfo("Europe/Helsinki")
NOW = datetime(2027, 5, 3, 9, 0, tzinfo=HEL)
JOIN = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_" + "x" * 280 + "%40thread.v2/0"


async def test_a_short_link_redirects_to_the_meeting_until_it_expires(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    clock = FakeClock(NOW)
    links = ShortLinkStore(docs, "https://bot.example/", clock)
    app = web.Application()
    app.router.add_routes([short_link_route(links)])
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        link = await links.publish(JOIN, NOW + timedelta(days=1))
        token = link.rsplit("/", 1)[1]
        assert link == f"https://bot.example/t/{token}" and len(token) == TOKEN_LENGTH and token.isalnum()
        assert len(link) < 40 < len(JOIN)
        found = await client.get(f"/t/{token}", allow_redirects=False)
        assert found.status == 302 and found.headers["Location"] == JOIN
        assert "no-store" in found.headers["Cache-Control"]
        for wrong in ("AAAAAAAAAAA", token[:-1], "../media/x", token + "x"):
            assert (await client.get(f"/t/{wrong}", allow_redirects=False)).status == 404, wrong

        # The meeting moved: the same link, working until the new time.
        assert await links.publish(JOIN, NOW + timedelta(days=8), reuse=link) == link
        clock.set(NOW + timedelta(days=2))
        assert (await client.get(f"/t/{token}", allow_redirects=False)).status == 302
        clock.set(NOW + timedelta(days=9))
        assert (await client.get(f"/t/{token}", allow_redirects=False)).status == 404
        assert await links.purge() == 1 and await links.resolve(token) is None
    finally:
        await client.close()
        docs.close()


def test_the_access_log_never_shows_a_short_links_token() -> None:
    assert redacted_path("/t/Ab3dE5gH7kQ", "/t/Ab3dE5gH7kQ") == "/t/<redacted>"
    assert redacted_path("/%74/Ab3dE5gH7kQ", "/t/Ab3dE5gH7kQ") == "/t/<redacted>"
    assert redacted_path("/tilastot", "/tilastot") == "/tilastot"
