"""Across organisations over real HTTP: a municipality's near worker convenes a county nurse (free/busy shared
with us), a parish family worker (our Graph app consented there: its own token) and an NGO worker with no
calendar, asks the NGO worker by e-mail, books, sees the answers of other tenants, and finalizes with the plan
in the parish's OneDrive. Every Graph request carries a token of one tenant, fetched through azure-identity."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web
from azure.identity.aio import ClientSecretCredential

from bench.clicks import sequential_waits
from bot.bootstrap import Bot
from m365_sandbox.runner import RunningSandbox, start_sandbox
from services.caller import Caller
from tests.integration.conftest import LIISA, TENANT, Stack, _serve, start_bot
from tests.integration.test_meeting_journey import finalize_anyway, plan_inputs
from tests.support.clock import HELSINKI, StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults

HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"
SATU = "satu.salminen@esimerkkilanhva.onmicrosoft.com"  # county: shares free/busy with the municipality
PAULA = "paula.pesonen@esimerkkilanseurakunta.onmicrosoft.com"  # parish: the Graph app is consented there
EEVA = "eeva.ensio@ensikoti.example"  # NGO: no Microsoft 365 at all
GRAPH = "https://graph.microsoft.com/.default"
HOME = "esimerkkila.onmicrosoft.com"


def tenant_data() -> dict[str, Any]:
    """The sandbox's data file (the demo tenant and its partners)."""
    data: dict[str, Any] = yaml.safe_load(TENANT.read_text(encoding="utf-8"))
    return data


def tenant_of(domain: str) -> str:
    """A sandbox tenant's id by its domain."""
    data = tenant_data()
    for document in (data, *data.get("other_tenants", [])):
        if document["tenant"]["domain"] == domain:
            return str(document["tenant"]["id"])
    raise AssertionError(domain)


def app() -> dict[str, Any]:
    """The bot's Graph app registration in the sandbox."""
    registration: dict[str, Any] = tenant_data()["apps"][0]
    return registration


async def _start_bot(sandbox: RunningSandbox, tmp_path: Path) -> tuple[Bot, web.AppRunner, str]:
    """The bot with a Graph app's secret in our tenant and partner tokens, on the state in ``tmp_path``."""
    registration = app()
    return await start_bot(
        sandbox, tmp_path / "bot.db", graph_auth="client_secret", graph_client_id=registration["client_id"],
        graph_client_secret=registration["secret"], graph_tenant_id=tenant_of(HOME),
        graph_authority=sandbox.authority, graph_ca_file=Path(sandbox.ca_file), partner_auth="client_secret")


async def running(tmp_path: Path, **sandbox_options: Any) -> AsyncIterator[Stack]:
    """The sandbox (every request with a token of one tenant), a recording connector and the bot as production
    runs it across organisations: a Graph app with a secret in our tenant, the same app in the parish's
    tenant, tokens from the (sandbox's) Entra endpoint over TLS."""
    clock = StackClock()
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", clock=clock, require_tokens=True,
                                  **sandbox_options)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot, bot_runner, bot_url = await _start_bot(sandbox, tmp_path)
    user = TeamsUser(bot_url=bot_url, connector_url=connector_url, connector=connector, aad_object_id=LIISA,
                     name="Liisa Lähinen")
    try:
        yield Stack(sandbox, bot, bot_url, connector, user, tmp_path, clock)
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async for running_stack in running(tmp_path):
        yield running_stack


async def token(sandbox: RunningSandbox, domain: str) -> str:
    """An app-only token of one tenant, fetched as production fetches it: with our app where it is consented,
    else with the tenant's own administration app."""
    tenant = tenant_of(domain)
    registration = next((a for a in tenant_data()["apps"] if a["home_tenant"] == tenant), app())
    credential = ClientSecretCredential(tenant_of(domain), registration["client_id"], registration["secret"],
                                        authority=sandbox.authority, connection_verify=sandbox.ca_file)
    async with credential:
        return (await credential.get_token(GRAPH)).token


async def graph(sandbox: RunningSandbox, domain: str, path: str, method: str = "GET",
                body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """A Graph request with a token of ``domain``'s tenant (the test's own view of that tenant)."""
    headers = {"Authorization": f"Bearer {await token(sandbox, domain)}"}
    async with aiohttp.ClientSession() as session, session.request(
            method, f"{sandbox.base_url}{path}", json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def outside_mail(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    """What the sandbox delivered to addresses in no tenant."""
    async with aiohttp.ClientSession() as session, session.get(f"{sandbox.admin_url}/outside-mail") as response:
        assert response.status == 200
        mail: list[dict[str, Any]] = await response.json()
        return mail


async def search_network(stack: Stack) -> tuple[str, dict[str, Any]]:
    """Liisa convenes an existing client's network of four employers."""
    cards = await stack.user.say("uusi")
    form = cards[0]
    search = next(a for a in actions(form) if a["verb"] == "convening.search")
    convening_id = search["data"]["conveningId"]
    values = {**input_defaults(form), "familyRef": "Perhe K.", "consent": "true", "existingClient": "yes",
              "network": f"{HANNA}, {SATU}, {PAULA}, Eeva Ensio <{EEVA}>", "venue": "hybrid"}
    return convening_id, await stack.user.act("convening.search", {"conveningId": convening_id, **values})


async def test_asking_three_people_by_mail_waits_for_one_graph_round_trip(stack: Stack) -> None:
    """The mails of one "ask" click go at once: with each Graph answer 150 ms away, the click waits for one."""
    cards = await stack.user.say("uusi")
    search = next(a for a in actions(cards[0]) if a["verb"] == "convening.search")
    convening_id = search["data"]["conveningId"]
    outside = ("Eeva Ensio <eeva.ensio@ensikoti.example>, Olli Ojala <olli.ojala@perhetyo.example>, "
               "Kaija Kuusi <kaija.kuusi@tukipiste.example>")
    values = {**input_defaults(cards[0]), "familyRef": "Perhe K.", "consent": "true", "existingClient": "yes",
              "network": f"{HANNA}, {outside}", "venue": "hybrid"}
    proposals = await stack.user.act("convening.search", {"conveningId": convening_id, **values})
    ask = next(a for a in actions(proposals) if a["verb"] == "convening.ask")
    await stack.admin("PUT", "/faults", {"latencyMs": 150})
    await stack.admin("DELETE", "/requests")
    try:
        await stack.user.act(ask["verb"], ask["data"])
    finally:
        await stack.admin("PUT", "/faults", {})
    counts = await stack.admin("GET", "/requests")
    assert sum(n for route, n in counts["byRoute"].items() if "sendMail" in route) == 3, counts
    assert sequential_waits(counts["requests"]) == 1, counts
    mailed = {address for m in await outside_mail(stack.sandbox) for address in m["to"]}
    assert {"eeva.ensio@ensikoti.example", "olli.ojala@perhetyo.example", "kaija.kuusi@tukipiste.example"} <= mailed


async def test_a_network_of_four_employers_is_convened_asked_booked_and_answered(stack: Stack) -> None:
    convening_id, proposals = await search_network(stack)

    text = card_text(proposals)
    assert "Ehdotetut ajat" in text, text
    assert "Eeva Ensio" in text and "Paula Pesonen" in text
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.proposals, "unknown availability does not leave the worker without times"
    assert set(convening.unknown) == {EEVA}, "county (shared) and parish (own token) were read"

    ask = next(a for a in actions(proposals) if a["verb"] == "convening.ask")
    await stack.user.act(ask["verb"], ask["data"])
    [question] = [m for m in await outside_mail(stack.sandbox) if EEVA in m["to"]]
    assert "Perhe K." not in question["subject"] + question["body"], "no family data in the mail"
    link = re.search(r"https?://[^\s\"'<>]+/saatavuus/[A-Za-z0-9_\-]+", question["body"])
    assert link is not None, question["body"]
    async with aiohttp.ClientSession() as session:
        async with session.get(link.group(0)) as page:
            assert page.status == 200 and "Perhe K." not in await page.text()
        async with session.post(link.group(0), data={"slot": "0"}) as answered:
            assert answered.status == 200
        async with session.post(link.group(0), data={"slot": "1"}) as replay:
            assert replay.status in (404, 410), "the link works once"
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.asked[EEVA].suits == (convening.proposals[0].start,)

    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.booking is not None
    # The invitation reached every attendee in their own tenant (or their mailbox outside all tenants).
    for domain, person in (("esimerkkilanhva.onmicrosoft.com", SATU),
                           ("esimerkkilanseurakunta.onmicrosoft.com", PAULA)):
        status, events = await graph(stack.sandbox, domain, f"/users/{person}/events?$top=50")
        assert status == 200 and any(e.get("subject") == "Yhdessä aika" for e in events["value"]), person
    assert any(EEVA in m["to"] and m is not question for m in await outside_mail(stack.sandbox))

    # The parish worker declines in her own tenant; the NGO worker accepts by e-mail.
    status, copies = await graph(stack.sandbox, "esimerkkilanseurakunta.onmicrosoft.com",
                                 f"/users/{PAULA}/events?$top=50")
    copy = next(e for e in copies["value"] if e.get("subject") == "Yhdessä aika")
    status, _ = await graph(stack.sandbox, "esimerkkilanseurakunta.onmicrosoft.com",
                            f"/users/{PAULA}/events/{copy['id']}/decline", "POST",
                            {"comment": "Olen lomalla", "sendResponse": True})
    assert status in (200, 202)
    async with aiohttp.ClientSession() as session, session.post(
            f"{stack.sandbox.admin_url}/outside/respond",
            json={"event_id": convening.booking.event_id, "email": EEVA, "response": "accepted"}) as r:
        assert r.status in (200, 202), await r.text()
    await stack.bot.status.on_change(LIISA, convening.booking.event_id, "updated")
    status_text = card_text(_latest_card(stack))
    assert "Paula Pesonen" in status_text and "ei pääse" in status_text
    assert "Eeva Ensio" in status_text and "hyväksyi" in status_text


async def test_a_token_of_one_tenant_cannot_read_another_tenants_people(stack: Stack) -> None:
    status, body = await graph(stack.sandbox, "esimerkkilanseurakunta.onmicrosoft.com", f"/users/{HANNA}")
    assert status == 403 and body["error"]["code"] == "ErrorAccessDenied"
    async with aiohttp.ClientSession() as session, session.get(f"{stack.sandbox.base_url}/users/{HANNA}") as r:
        assert r.status == 401, "every request carries a token"


async def finalized(stack: Stack, *, responsible: str, recipients: str) -> dict[str, Any]:
    """The four employers' network booked, met and its plan finalized (attendee indices as the plan card's
    choices: Liisa 0, Hanna 1, Satu 2, Paula 3, Eeva 4); the card the near worker sees."""
    convening_id, proposals = await search_network(stack)
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    next_date = await three_weeks_after(stack, convening_id)
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.booking is not None
    stack.clock.set(convening.booking.start)  # the meeting begins: it can be finalized
    # Days on, the tokens the bot holds (an hour by the sandbox's clock; azure-identity times them by the
    # machine's) have expired: the meeting is run on a bot started now on the same state, as after a restart.
    bot, runner, bot_url = await _start_bot(stack.sandbox, stack.tmp)
    user = replace(stack.user, bot_url=bot_url)
    try:
        await user.act("meeting.start", {"conveningId": convening_id})
        return await finalize_anyway(user, await user.act("plan.save", {
            "conveningId": convening_id, "then": "finalize",
            **plan_inputs(responsible=responsible, recipients=recipients, nextDate=next_date, nextTime="09:30")}))
    finally:
        if bot.work is not None:
            await bot.work.wait_idle()
        await runner.cleanup()


async def three_weeks_after(stack: Stack, convening_id: str) -> str:
    """The next contact's date: three weeks after the booked meeting (never "today + N")."""
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.booking is not None
    return (convening.booking.start.astimezone(HELSINKI) + timedelta(days=21)).date().isoformat()


def _caller() -> Caller:
    return Caller(LIISA, "Liisa")


def _latest_card(stack: Stack) -> dict[str, Any]:
    mine = [a for a in stack.connector.sent + stack.connector.updated if a.get("attachments")]
    content: dict[str, Any] = mine[-1]["attachments"][0]["content"]
    return content


async def test_the_plan_goes_to_the_parish_workers_own_onedrive_and_calendar(stack: Stack) -> None:
    # Attendees: Liisa (0), Hanna (1), Satu (2), Paula (3), Eeva (4): Paula follows up, Eeva gets the plan.
    done = await finalized(stack, responsible="3", recipients="4")
    assert "Suunnitelma valmis" in card_text(done), card_text(done)

    parish = "esimerkkilanseurakunta.onmicrosoft.com"
    status, listing = await graph(stack.sandbox, parish, f"/users/{PAULA}/drive/root:/Yhdessä aika:/children")
    assert status == 200, listing
    names = sorted(item["name"] for item in listing["value"])
    assert len(names) == 2 and names[0].endswith(".docx") and names[1].endswith(".pdf")
    for item in listing["value"]:
        _, perms = await graph(stack.sandbox, parish, f"/users/{PAULA}/drive/items/{item['id']}/permissions")
        granted = json.dumps([p for p in perms["value"] if "owner" not in p.get("roles", [])]).lower()
        assert "liisa.lahinen" in granted and EEVA in granted and "hanna" not in granted
    _, events = await graph(stack.sandbox, parish, f"/users/{PAULA}/events?$top=100")
    assert any(str(e.get("transactionId", "")).startswith("yhdessa-aika-next-") for e in events["value"])
    status, mine = await graph(stack.sandbox, HOME, f"/users/{LIISA}/drive/root:/Yhdessä aika:/children")
    assert status == 404 or not mine["value"], "nothing kept in the near worker's OneDrive"


async def test_the_plan_of_a_worker_whose_onedrive_the_bot_cannot_reach_stays_with_the_near_worker(
        stack: Stack) -> None:
    # Satu (2) follows up: the county shares free/busy with us, nothing more.
    done = await finalized(stack, responsible="2", recipients="")
    text = card_text(done)
    assert "Suunnitelma valmis" in text and "sinun OneDriveesi" in text, text

    _, listing = await graph(stack.sandbox, HOME, f"/users/{LIISA}/drive/root:/Yhdessä aika:/children")
    assert len(listing["value"]) == 2
    for item in listing["value"]:
        _, perms = await graph(stack.sandbox, HOME, f"/users/{LIISA}/drive/items/{item['id']}/permissions")
        assert SATU in json.dumps(perms).lower(), "shared with the responsible worker by address"
    _, copies = await graph(stack.sandbox, "esimerkkilanhva.onmicrosoft.com", f"/users/{SATU}/events?$top=100")
    invited = [e for e in copies["value"] if e.get("subject") != "Yhdessä aika"]
    assert invited, "the next contact arrives in the county worker's calendar as an invitation"


@pytest.fixture
async def late_stack(tmp_path: Path) -> AsyncIterator[Stack]:
    """As ``stack``, with Exchange's asynchrony: copies, answers and change notifications arrive late, in
    another order and twice."""
    async for running_stack in running(tmp_path, delivery_delay=0.3, delivery_reorder=True,
                                       delivery_duplicate=True, delivery_seed=7):
        yield running_stack


async def settled(sandbox: RunningSandbox) -> None:
    """Waits (20 s at most) until the sandbox has delivered everything it holds back, and the bot has had the
    last word."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20.0
    async with aiohttp.ClientSession() as session:
        while loop.time() < deadline:
            async with session.get(f"{sandbox.admin_url}/transport") as response:
                snapshot = await response.json()
            if not snapshot.get("pending"):
                await asyncio.sleep(0.5)  # the bot's answer to the last notification
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"deliveries still pending: {snapshot}")


async def test_late_reordered_and_doubled_answers_leave_the_status_card_at_the_last_word(
        late_stack: Stack) -> None:
    stack = late_stack
    await stack.user.say("ohje")  # the near worker's chat is known, so the status card can be sent
    convening_id, proposals = await search_network(stack)
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.booking is not None
    await settled(stack.sandbox)  # the attendee copies arrive late

    parish = "esimerkkilanseurakunta.onmicrosoft.com"
    _, copies = await graph(stack.sandbox, parish, f"/users/{PAULA}/events?$top=50")
    copy = next(e for e in copies["value"] if e.get("subject") == "Yhdessä aika")
    # Paula first answers "maybe", then accepts; both answers (and their notifications) come late,
    # possibly in the other order, and twice.
    for answer in ("tentativelyAccept", "accept"):
        status, _ = await graph(stack.sandbox, parish, f"/users/{PAULA}/events/{copy['id']}/{answer}", "POST",
                                {"comment": "", "sendResponse": True})
        assert status in (200, 202)
    async with aiohttp.ClientSession() as session, session.post(
            f"{stack.sandbox.admin_url}/outside/respond",
            json={"event_id": convening.booking.event_id, "email": EEVA, "response": "declined",
                  "comment": "Olen koulutuksessa"}) as r:
        assert r.status in (200, 202), await r.text()
    await settled(stack.sandbox)

    _, event = await graph(stack.sandbox, HOME, f"/users/{LIISA}/events/{convening.booking.event_id}")
    answers = {a["emailAddress"]["address"].lower(): a["status"]["response"] for a in event["attendees"]}
    assert answers[PAULA] == "accepted" and answers[EEVA] == "declined", "Outlook holds the last word"
    text = card_text(_latest_card(stack))
    assert "Paula Pesonen: hyväksyi" in text and "Eeva Ensio: ei pääse" in text, text
    assert "Viesti: Olen koulutuksessa" in text
    status_cards = [a for a in stack.connector.sent if "Hyväksyneitä" in json.dumps(a, ensure_ascii=False)]
    assert len(status_cards) <= 1, "the status card is updated in place, never sent again for a duplicate"
