"""The family's short Teams link: the bot's own ``/t/{token}`` redirects to the join URL until it expires;
an unknown, malformed or expired token is a plain 404 (no third-party shortener ever sees the link)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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


@asynccontextmanager
async def _served(tmp_path: Path) -> AsyncIterator[tuple[ShortLinkStore, TestClient[web.Request, web.Application],
                                                          FakeClock]]:
    """A link store on SQLite, its route served, and the clock it reads."""
    docs = SqliteDocuments(tmp_path / "state.db")
    clock = FakeClock(NOW)
    links = ShortLinkStore(docs, "https://bot.example/", clock)
    app = web.Application()
    app.router.add_routes([short_link_route(links)])
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield links, client, clock
    finally:
        await client.close()
        docs.close()


async def test_a_short_link_redirects_to_the_meeting_until_it_expires(tmp_path: Path) -> None:
    async with _served(tmp_path) as (links, client, clock):
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


async def test_a_cancelled_meetings_link_says_so_instead_of_opening_the_meeting(tmp_path: Path) -> None:
    async with _served(tmp_path) as (links, client, clock):
        tomorrow = NOW + timedelta(days=1)
        link, other = await links.publish(JOIN, tomorrow), await links.publish(JOIN, tomorrow)
        await links.withdraw(link)
        token = link.rsplit("/", 1)[1]
        gone = await client.get(f"/t/{token}", allow_redirects=False)
        page = await gone.text()
        assert gone.status == 410 and "Location" not in gone.headers and JOIN not in page
        assert "on peruttu" in page and "är inställt" in page and "has been cancelled" in page
        assert await links.resolve(token) is None
        assert (await client.get(f"/t/{other.rsplit('/', 1)[1]}", allow_redirects=False)).status == 302
        await links.withdraw("https://bot.example/t/AAAAAAAAAAA")  # unknown: nothing made
        assert not await links.withdrawn("AAAAAAAAAAA")
        clock.set(NOW + timedelta(days=2))  # after it would have expired: a plain 404, and purged
        assert (await client.get(f"/t/{token}", allow_redirects=False)).status == 404
        assert await links.purge() == 2


def test_the_access_log_never_shows_a_short_links_token() -> None:
    assert redacted_path("/t/Ab3dE5gH7kQ", "/t/Ab3dE5gH7kQ") == "/t/<redacted>"
    assert redacted_path("/%74/Ab3dE5gH7kQ", "/t/Ab3dE5gH7kQ") == "/t/<redacted>"
    assert redacted_path("/tilastot", "/tilastot") == "/tilastot"
