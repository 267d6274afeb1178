"""The bot as a real process, killed with SIGKILL mid-journey and started again on the same state file:
nothing is lost and nothing is done twice (one Outlook event, one PDF and one DOCX)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import aiohttp
import pytest

from m365_sandbox.core.context import OBSERVERS, ObservedResponse
from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import LIISA, TENANT, _serve, date_after_meeting, free_port, meeting_start
from tests.integration.test_convening_journey import propose
from tests.integration.test_meeting_journey import HANNA, mark_all_steps, plan_inputs
from tests.support.bot_process import BotProcess
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, actions, card_text

BOOK_PREFIX = "yhdessa-aika-"


@dataclass
class ProcessStack:
    """Sandbox and connector in-process; the bot in its own process."""

    sandbox: RunningSandbox
    bot: BotProcess
    connector: RecordingConnector
    user: TeamsUser

    async def graph(self, path: str) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as s, s.get(f"{self.sandbox.base_url}{path}") as r:
            return r.status, await r.json()

    async def faults(self, **changes: Any) -> None:
        async with aiohttp.ClientSession() as s, s.put(f"{self.sandbox.admin_url}/faults", json=changes) as r:
            assert r.status < 300, await r.text()

    async def bookings(self) -> Counter[str]:
        """The near worker's events booked by the bot, counted per transactionId."""
        status, data = await self.graph(f"/users/{LIISA}/events?$top=500")
        assert status == 200, data
        return Counter(e["transactionId"] for e in data["value"]
                       if str(e.get("transactionId") or "").startswith(BOOK_PREFIX)
                       and not str(e["transactionId"]).startswith(f"{BOOK_PREFIX}next-"))

    async def drive(self, owner: str) -> list[str]:
        status, data = await self.graph(f"/users/{owner}/drive/root:/Yhdessä aika:/children")
        if status == 404:
            return []
        assert status == 200, data
        return sorted(i["name"] for i in data["value"])

    async def at_meeting_start(self, convening_id: str) -> None:
        """The sandbox's clock and the bot's (``YA_DEV_NOW``, a restart) at the booked meeting's start."""
        start = await meeting_start(self.sandbox.base_url, convening_id)
        self.sandbox.clock.set_now(start)
        self.bot.extra_env["YA_DEV_NOW"] = start.isoformat()
        self.bot.stop()
        await self.bot.start()

    async def crash(self) -> None:
        """kill -9, then the same bot (same port, same state file) comes back."""
        self.bot.kill9()
        await self.bot.start()


@pytest.fixture
async def proc_stack(tmp_path: Path) -> AsyncIterator[ProcessStack]:
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db")
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot = BotProcess(port=free_port(), graph_base_url=sandbox.base_url, state_db=tmp_path / "bot.db",
                     log_path=tmp_path / "bot.log")
    try:
        await bot.start()
        user = TeamsUser(bot_url=bot.url, connector_url=connector_url, connector=connector,
                         aad_object_id=LIISA, name="Liisa Lähinen")
        yield ProcessStack(sandbox, bot, connector, user)
    finally:
        bot.stop()
        await connector_runner.cleanup()
        await sandbox.close()


async def _proposals(stack: ProcessStack, family_ref: str) -> dict[str, Any]:
    """Convenes Hanna and Mikko; returns the first proposal's book action data."""
    _, card = await propose(stack.user, familyRef=family_ref)
    books = [a for a in actions(card) if a["verb"] == "convening.book"]
    assert books, card_text(card)
    data: dict[str, Any] = books[0]["data"]
    return data


async def _kill_while_in_flight(stack: ProcessStack, verb: str, data: dict[str, Any], delay: float = 0.5) -> None:
    """Sends an Action.Execute without waiting for the answer, and kill -9s the bot ``delay`` s later."""
    await stack.faults(latencyMs=1500)
    activity = stack.user._activity(
        type="invoke", name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}})
    in_flight = asyncio.create_task(stack.user.post(activity))
    await asyncio.sleep(delay)
    assert not in_flight.done(), "the request was still in flight when the bot was killed"
    stack.bot.kill9()
    with contextlib.suppress(aiohttp.ClientError):
        await in_flight  # the connection dies with the bot: Teams would show an error and the user clicks again
    await stack.faults(latencyMs=0)
    await stack.bot.start()


async def test_killed_after_proposals_books_once_after_restart(proc_stack: ProcessStack) -> None:
    book = await _proposals(proc_stack, "Perhe K.")
    await proc_stack.crash()
    booked = await proc_stack.user.act("convening.book", book)
    assert "Kutsu lähetetty" in card_text(booked), card_text(booked)
    bookings = await proc_stack.bookings()
    assert list(bookings.values()) == [1], bookings
    again = await proc_stack.user.act("convening.book", book)
    assert "Kutsu lähetetty" in card_text(again), card_text(again)
    assert list((await proc_stack.bookings()).values()) == [1]


async def test_killed_while_booking_books_once_after_restart(proc_stack: ProcessStack) -> None:
    book = await _proposals(proc_stack, "Perhe B.")
    await _kill_while_in_flight(proc_stack, "convening.book", book)
    booked = await proc_stack.user.act("convening.book", book)
    assert "Kutsu lähetetty" in card_text(booked), card_text(booked)
    bookings = await proc_stack.bookings()
    assert list(bookings.values()) == [1], bookings


async def _booked_meeting(stack: ProcessStack) -> tuple[str, dict[str, Any]]:
    """Books and starts a meeting; returns its id and the "Valmis – tallenna ja jaa" (plan.save) data."""
    book = await _proposals(stack, "Perhe Kettunen")
    booked = await stack.user.act("convening.book", book)
    assert "Kutsu lähetetty" in card_text(booked), card_text(booked)
    meeting_id: str = book["conveningId"]
    await stack.at_meeting_start(meeting_id)  # finalized once it has begun
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    await mark_all_steps(stack.user, meeting_id)  # "Valmis" finalizes without asking first
    next_date = await date_after_meeting(stack.sandbox.base_url, meeting_id, 21)
    return meeting_id, {"conveningId": meeting_id, "then": "finalize",
                        **plan_inputs(nextDate=next_date, nextTime="16:30")}  # after the sandbox's appointments


async def _assert_finalized_once(stack: ProcessStack, meeting_id: str) -> None:
    names = await stack.drive(HANNA)
    assert len(names) == 2, names
    assert sum(n.endswith(".pdf") for n in names) == 1 and sum(n.endswith(".docx") for n in names) == 1, names
    assert not any(n.endswith((" 1.pdf", " 1.docx")) for n in names), names
    _, data = await stack.graph(f"/users/{HANNA}/events?$top=200")
    follow = Counter(e["transactionId"] for e in data["value"]
                     if str(e.get("transactionId") or "").startswith(f"{BOOK_PREFIX}next-"))
    assert list(follow.values()) == [1], follow
    again = await stack.user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "Suunnitelma valmis" in card_text(again)
    assert await stack.drive(HANNA) == names


async def test_killed_while_finalizing_finalizes_once_after_restart(proc_stack: ProcessStack) -> None:
    """Killed while finalizing (the first Graph call in flight): "Valmis" again finishes the job once."""
    meeting_id, finalize = await _booked_meeting(proc_stack)
    await _kill_while_in_flight(proc_stack, "plan.save", finalize, delay=0.5)
    done = await proc_stack.user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    await _assert_finalized_once(proc_stack, meeting_id)


async def test_killed_while_finalizing_the_same_button_finishes_after_restart(proc_stack: ProcessStack) -> None:
    meeting_id, finalize = await _booked_meeting(proc_stack)
    await _kill_while_in_flight(proc_stack, "plan.save", finalize, delay=0.5)
    done = await proc_stack.user.act("plan.save", finalize)
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    await _assert_finalized_once(proc_stack, meeting_id)


async def test_killed_right_after_the_upload_finalizes_once_after_restart(proc_stack: ProcessStack) -> None:
    """The bot dies the moment the sandbox has stored the DOCX, before the bot hears the answer."""
    suffix = ".docx"
    meeting_id, finalize = await _booked_meeting(proc_stack)
    fired: list[str] = []

    def kill_on_upload(observed: ObservedResponse) -> None:
        if (not fired and observed.method == "PUT" and observed.status < 300
                and unquote(observed.path).endswith(f"{suffix}:/content")):
            fired.append(observed.path)
            proc_stack.bot.kill9()

    proc_stack.sandbox.app[OBSERVERS].append(kill_on_upload)
    with contextlib.suppress(aiohttp.ClientError):
        await proc_stack.user.post(proc_stack.user._activity(
            type="invoke", name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": "plan.save",
                              "data": {"verb": "plan.save", **finalize}}}))
    assert fired, "the upload happened and the bot was killed"
    proc_stack.sandbox.app[OBSERVERS].remove(kill_on_upload)
    stored = await proc_stack.drive(HANNA)
    # The PDF goes up at the same time as the DOCX: it may be stored too, or not yet.
    assert any(name.endswith(suffix) for name in stored) and len(stored) <= 2, stored
    await asyncio.sleep(2.1)  # zip timestamps have a 2 s resolution: the retry renders in a later "moment"
    await proc_stack.bot.start()
    done = await proc_stack.user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    await _assert_finalized_once(proc_stack, meeting_id)
