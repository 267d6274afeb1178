"""Two full bots (bot/bootstrap.py, each its own aiohttp app and port) on one Azurite container, the
journey's requests alternating and concurrent between them: one event, a consistent status, no lost
update, no message sent twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.bootstrap import Bot, bootstrap
from bot.settings import BotSettings
from bot.web import create_web_app
from m365_sandbox.runner import RunningSandbox, start_sandbox
from services.caller import Caller
from tests.integration.conftest import LIISA, ROOT, TENANT, _serve, date_after_meeting, free_port, meeting_start
from tests.integration.test_meeting_journey import HANNA, plan_inputs
from tests.support.azurite import Azurite, azurite_fixture  # noqa: F401 (the `azurite` fixture)
from tests.support.clock import StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults

HANNA_ID = "854654b9-400f-58a0-bba5-ed3132d5ee57"
BOOK_PREFIX = "yhdessa-aika-"


@dataclass
class Pair:
    sandbox: RunningSandbox
    bots: tuple[Bot, Bot]
    connector: RecordingConnector
    a: TeamsUser  # Liisa talking to instance A
    b: TeamsUser  # Liisa talking to instance B
    hanna: TeamsUser

    async def graph(self, path: str) -> Any:
        async with aiohttp.ClientSession() as s, s.get(f"{self.sandbox.base_url}{path}") as r:
            assert r.status == 200, (path, r.status)
            return await r.json()

    async def bookings(self) -> Counter[str]:
        data = await self.graph(f"/users/{LIISA}/events?$top=500")
        return Counter(e["transactionId"] for e in data["value"]
                       if str(e.get("transactionId") or "").startswith(BOOK_PREFIX))

    def sent_to(self, conversation: str) -> list[dict[str, Any]]:
        return [a for a in self.connector.sent if a["_conversation"] == conversation]


@pytest.fixture
async def pair(tmp_path: Path, azurite: Azurite) -> AsyncIterator[Pair]:
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", clock=StackClock())
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    container = Azurite.new_container()
    bots: list[Bot] = []
    runners: list[web.AppRunner] = []
    urls: list[str] = []
    for _ in range(2):
        port = free_port()
        settings = BotSettings(graph_base_url=sandbox.base_url, port=port, state_backend="blob",
                               blob_connection_string=azurite.connection_string, blob_container=container,
                               teams_file=ROOT / "config" / "teams.yaml", stars_dir=ROOT / "config" / "stars")
        bot = bootstrap(settings, clock=sandbox.clock.now)
        runner = web.AppRunner(create_web_app(bot.front), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        bots.append(bot)
        runners.append(runner)
        urls.append(f"http://127.0.0.1:{port}/api/messages")
    a, b = (TeamsUser(bot_url=url, connector_url=connector_url, connector=connector, aad_object_id=LIISA,
                      name="Liisa Lähinen") for url in urls)
    hanna = TeamsUser(bot_url=urls[1], connector_url=connector_url, connector=connector, aad_object_id=HANNA_ID,
                      name="Hanna Heikkinen", conversation_id="a:personal-chat-hanna")
    try:
        yield Pair(sandbox, (bots[0], bots[1]), connector, a, b, hanna)
    finally:
        for runner in runners:
            await runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()


async def test_two_instances_alternating_and_concurrent_stay_consistent(pair: Pair) -> None:
    await pair.hanna.say("ohje")  # the responsible worker's chat is known (on instance B)
    # The form on A, the search on B.
    form = (await pair.a.say("uusi"))[0]
    search = next(x for x in actions(form) if x["verb"] == "convening.search")
    convening_id = search["data"]["conveningId"]
    values = {**input_defaults(form), "familyRef": "Perhe K.", "consent": "true",
              "roles": "neuvola,koulukuraattori", "venue": "hybrid"}
    proposals = await pair.b.act("convening.search", {"conveningId": convening_id, **values})
    book = next(x for x in actions(proposals) if x["verb"] == "convening.book")["data"]
    # The same time booked on both instances at once (a double click landing on two instances).
    booked = await asyncio.gather(pair.a.act("convening.book", book), pair.b.act("convening.book", book))
    assert all("Kutsu lähetetty" in card_text(c) for c in booked), [card_text(c) for c in booked]
    assert list((await pair.bookings()).values()) == [1], "one event"
    # The status on A and on B: the same.
    status_a, status_b = (await pair.a.say("tilanne"))[0], (await pair.b.say("tilanne"))[0]
    assert card_text(status_a) == card_text(status_b)
    assert "Perhe K." in card_text(status_a)

    # The meeting: started on B at its time, steps checked off concurrently on both instances.
    pair.sandbox.clock.set_now(await meeting_start(pair.sandbox.base_url, convening_id))  # both bots read it
    await pair.b.act("meeting.start", {"conveningId": convening_id})
    steps = ["seating", "welcome", "family_intro", "professionals_intro"]
    results = await asyncio.gather(*(
        (pair.a if i % 2 else pair.b).act("meeting.step", {"conveningId": convening_id, "step": step})
        for i, step in enumerate(steps)))
    caller = Caller(LIISA, "Liisa Lähinen")
    meeting = await pair.bots[0].meetings.get(convening_id, caller)
    told_meanwhile = {s for s, card in zip(steps, results, strict=True)
                      if "samaan aikaan toisaalla" in card_text(card)}
    # No lost update: every click shows in the stored meeting, or its sender was told to try again.
    assert set(meeting.checked) == set(steps) - told_meanwhile, (meeting.checked, told_meanwhile)
    print(f"\ntwo instances: {len(steps)} concurrent step clicks, {len(meeting.checked)} stored, "
          f"{len(told_meanwhile)} told to try again, 0 lost")
    on_b = await pair.bots[1].meetings.get(convening_id, caller)
    assert on_b == meeting, "both instances read the same state"

    # Finalized from both instances at once ("Viimeistele silti": steps are left undone): one set of files, the
    # responsible worker told once.
    next_date = await date_after_meeting(pair.sandbox.base_url, convening_id, 21)
    # 16.30: after every appointment the sandbox sprinkles into working hours, so no date finds the hour taken.
    await pair.a.act("plan.save", {"conveningId": convening_id, **plan_inputs(nextDate=next_date, nextTime="16:30")})
    hanna_before = len(pair.sent_to("a:personal-chat-hanna"))
    anyway = {"conveningId": convening_id, "confirm": True}
    finals = await asyncio.gather(pair.a.act("meeting.finalize_confirm", anyway),
                                  pair.b.act("meeting.finalize_confirm", anyway))
    assert all("Suunnitelma valmis" in card_text(c) for c in finals), [card_text(c) for c in finals]
    files = await pair.graph(f"/users/{HANNA}/drive/root:/Yhdessä aika:/children")
    assert len(files["value"]) == 2, [f["name"] for f in files["value"]]
    assert len(pair.sent_to("a:personal-chat-hanna")) - hanna_before == 1, "told once, not by both instances"
    next_contacts = [e for e in (await pair.graph(f"/users/{HANNA}/events?$top=200"))["value"]
                     if str(e.get("transactionId") or "").startswith(f"{BOOK_PREFIX}next-")]
    assert len(next_contacts) == 1
