"""The availability page over HTTP (aiohttp's test client): a small, escaped, script-free form readable at
320 px, its security headers, one answer per link, the same polite page for unknown, expired and used links,
limits on what is posted, and an access log without the link's token."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from yarl import URL

from bot.question_page import HEADERS, MAX_BODY, question_routes
from bot.safe_logging import RedactedAccessLogger, redacted_path
from tests.services.test_availability_questions import NGO_WORKER, PAGE, Asking, asked, asking

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
GONE_FI = "Tämä linkki ei toimi"
GONE_SV = "Den här länken fungerar inte"


@pytest.fixture
async def setup() -> AsyncIterator[tuple[Asking, TestClient[web.Request, web.Application], str]]:
    a = asking()
    # The convener's name comes from the directory (possibly another tenant): shown, never as markup.
    a.w.directory.by_id = {k: replace(p, display_name="Liisa <b>Lähinen</b> & co") if p.email.startswith("liisa")
                           else p for k, p in a.w.directory.by_id.items()}
    _, token = await asked(a)
    app = web.Application()
    app.router.add_routes(question_routes(a.service))
    server = TestServer(app)
    # As bot/__main__.py runs the app: the access log through RedactedAccessLogger.
    await server.start_server(access_log_class=RedactedAccessLogger, access_log=logging.getLogger("aiohttp.access"))
    client = TestClient(server)
    try:
        yield a, client, token
    finally:
        await client.close()


def path(token: str) -> str:
    return f"/saatavuus/{token}"


def assert_headers(headers: object) -> None:
    for name, value in HEADERS.items():
        assert headers[name] == value  # type: ignore[index]
    assert headers["Content-Security-Policy"] == (  # type: ignore[index]
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    assert headers["Content-Type"].startswith("text/html")  # type: ignore[index]


async def test_the_form_is_small_escaped_and_readable_at_320_px(setup: tuple[Asking, TestClient, str]) -> None:
    a, client, token = setup

    response = await client.get(path(token))

    assert response.status == 200
    assert_headers(response.headers)
    page = await response.text()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fi">' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "Liisa &lt;b&gt;Lähinen&lt;/b&gt; &amp; co" in page and "<b>" not in page
    assert "<script" not in page and "http" not in page.replace(PAGE, ""), "no outside resources"
    assert '<form method="post">' in page and page.count('type="submit"') == 1
    convening = a.w.convening_store.all()[-1]
    boxes = re.findall(r'<input type="checkbox" id="slot-(\d+)" name="slot" value="(\d+)">'
                       r'<label for="slot-(\d+)">([^<]+)</label>', page)
    assert [int(b[0]) for b in boxes] == list(range(convening.shown))
    assert all(b[0] == b[1] == b[2] for b in boxes), "each checkbox has its label"
    assert all(re.fullmatch(r"(ma|ti|ke|to|pe) \d{1,2}\.\d{1,2}\. klo \d{1,2}\.\d\d–\d{1,2}\.\d\d", b[3])
               for b in boxes), boxes
    assert "Perhe" not in page and "Virtanen" not in page


async def test_an_answer_is_taken_once_then_the_link_is_gone(setup: tuple[Asking, TestClient, str]) -> None:
    a, client, token = setup

    response = await client.post(path(token), data="slot=0&slot=2", headers=FORM)

    assert response.status == 200
    assert_headers(response.headers)
    assert "Kiitos" in await response.text()
    convening = a.w.convening_store.all()[-1]
    assert convening.asked[NGO_WORKER.email].suits == (convening.proposals[0].start, convening.proposals[2].start)
    again = await client.post(path(token), data="slot=1", headers=FORM)
    assert again.status == 410
    shown = await again.text()
    assert GONE_FI in shown and GONE_SV in shown and '<p lang="sv">' in shown
    assert a.w.convening_store.all()[-1] == convening
    assert (await client.get(path(token))).status == 410


async def test_unknown_forged_and_expired_links_get_the_same_polite_page(
        setup: tuple[Asking, TestClient, str]) -> None:
    a, client, token = setup
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    pages = []
    for bad in (forged, "lyhyt", "x" * 200, "%3Cscript%3E"):
        response = await client.get(path(bad))
        assert response.status == 404
        assert_headers(response.headers)
        pages.append(await response.text())
    a.w.clock.advance(timedelta(days=8))
    expired = await client.get(path(token))
    assert expired.status == 410
    pages.append(await expired.text())
    assert all(GONE_FI in p and GONE_SV in p and '<html lang="fi">' in p for p in pages)
    assert len(set(pages)) == 1, "whether a link ever existed is not told apart by the page"


async def test_what_a_form_would_not_send_is_refused_politely_and_changes_nothing(
        setup: tuple[Asking, TestClient, str]) -> None:
    a, client, token = setup
    before = a.w.convening_store.all()[-1]

    for body, headers in [("slot=99", FORM), ("slot=-1", FORM), ("slot=x", FORM), ("slot=0", {}),
                          ("slot=0", {"Content-Type": "application/json"}), ("slot=%FF", FORM),
                          ("&".join(["a=1"] * 100), FORM)]:
        response = await client.post(path(token), data=body, headers=headers)
        assert response.status == 400, body
        assert "Valintaa ei voitu lukea" in await response.text()
    big = await client.post(path(token), data="slot=0&" + "x" * MAX_BODY, headers=FORM)
    assert big.status == 413
    assert a.w.convening_store.all()[-1] == before
    assert (await client.post(path(token), data="", headers=FORM)).status == 200, "still works: nothing ticked"


async def test_the_access_log_never_shows_the_token(setup: tuple[Asking, TestClient, str],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    _, client, token = setup
    caplog.set_level(logging.INFO, logger="aiohttp.access")

    await client.get(path(token))
    # aiohttp routes on the decoded path (/%73aatavuus/… is /saatavuus/…), so the log redacts on it too.
    encoded = URL(str(client.make_url("/")) + "%73aatavuus/" + token, encoded=True)
    async with client.session.get(encoded) as response:
        assert response.status == 200
    await client.post(path(token), data="slot=0", headers=FORM)

    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 3
    assert all("/saatavuus/<redacted>" in line for line in lines)
    assert token not in caplog.text and token[:20] not in caplog.text


def test_redacted_path_cuts_the_question_token_and_keeps_other_paths() -> None:
    assert redacted_path("/saatavuus/abc", "/saatavuus/abc") == "/saatavuus/<redacted>"
    assert redacted_path("/saatavuus/abc/x", "/saatavuus/abc/x") == "/saatavuus/<redacted>/x"
    assert redacted_path("/media/t.png", "/media/t.png") == "/media/<redacted>.png"
    assert redacted_path("/healthz", "/healthz") == "/healthz"
