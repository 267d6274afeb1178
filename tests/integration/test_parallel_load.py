"""100 convenings at once through /api/messages against the sandbox with 30 % faults: each one ends booked or
with a polite Finnish card, no event is created twice and the bot never answers 5xx."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from tests.integration.conftest import LIISA, Stack
from tests.support.card_schema import assert_valid_card
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults

CONVENINGS = 100
PARALLEL = 20
FAULTS = {"p429": 0.1, "p503": 0.1, "pDrop": 0.1, "retryAfterSeconds": 0, "seed": 1}
NIKO = "46d4a612-bd93-58ac-84af-908804390a46"
NEAR_WORKERS = ((LIISA, "Liisa Lähinen"), (NIKO, "Niko Nieminen"))
POLITE = ("Viite:", "Yhteistä aikaa ei löytynyt", "ei ole enää kaikille vapaa")


@dataclass
class Tally:
    """What the load run saw."""

    outcomes: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class LoadUser:
    """One near worker's own chat for one convening (the connector is shared, so cards are told apart by chat)."""

    def __init__(self, stack: Stack, session: aiohttp.ClientSession, tally: Tally, n: int) -> None:
        user_id, name = NEAR_WORKERS[n % len(NEAR_WORKERS)]
        self.user = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url,
                              connector=stack.connector, aad_object_id=user_id, name=name,
                              conversation_id=f"a:load-{n}")
        self.stack = stack
        self.session = session
        self.tally = tally

    async def _post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        async with self.session.post(self.user.bot_url, json=activity) as resp:
            text = await resp.text()
            self.tally.statuses[resp.status] += 1
            return resp.status, (json.loads(text) if text and resp.content_type == "application/json" else None)

    def _mine(self) -> list[dict[str, Any]]:
        return [a for a in self.stack.connector.sent if a.get("_conversation") == self.user.conversation_id]

    async def say(self, text: str) -> list[dict[str, Any]] | None:
        before = len(self._mine())
        status, _ = await self._post(self.user._activity(type="message", text=text))
        if status not in (200, 201, 202):
            return None
        cards = [a["content"] for act in self._mine()[before:] for a in act.get("attachments") or []]
        for card in cards:
            assert_valid_card(card)
        return cards

    async def act(self, verb: str, data: dict[str, Any]) -> dict[str, Any] | None:
        mine = self._mine()
        extra = {"replyToId": mine[-1]["id"]} if mine else {}
        status, body = await self._post(self.user._activity(
            type="invoke", name="adaptiveCard/action", **extra,
            value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}}))
        if status != 200 or not isinstance(body, dict):
            return None
        invoke_status = body.get("statusCode")
        if isinstance(invoke_status, int) and invoke_status >= 500:  # an invoke answered "500" inside a 200
            self.tally.statuses[invoke_status] += 1
            return None
        card = body.get("value")
        if not isinstance(card, dict):
            return None
        assert_valid_card(card)
        return card


def _polite(card: dict[str, Any] | None) -> bool:
    return card is not None and any(p in card_text(card) for p in POLITE)


async def _convene(stack: Stack, session: aiohttp.ClientSession, tally: Tally, n: int) -> str:
    """One convening, as a near worker would do it (clicking once more after a polite error); how it ended."""
    user = LoadUser(stack, session, tally, n)
    cards = await user.say("uusi")
    if not cards:
        return "lost: no form"
    form = cards[-1]
    search = [a for a in actions(form) if a["verb"] == "convening.search"]
    if not search:
        return "refused-politely" if _polite(form) else f"lost: {card_text(form)[:200]}"
    values = input_defaults(form)
    values.update({"familyRef": f"Perhe L{n}", "consent": "true", "roles": "neuvola", "venue": "remote"})
    proposals = await user.act("convening.search", {"conveningId": search[0]["data"]["conveningId"], **values})
    if proposals is None:
        return "lost: search got no card"
    books = [a for a in actions(proposals) if a["verb"] == "convening.book"]
    if not books:
        return "refused-politely" if _polite(proposals) else f"lost: {card_text(proposals)[:200]}"
    ended = "lost: book got no card"
    for book in books:  # a time another convening took meanwhile is refused: the worker picks the next one
        for _ in range(2):  # a polite error offers to try again; the same transactionId makes that safe
            booked = await user.act("convening.book", book["data"])
            if booked is not None and "Kutsu lähetetty" in card_text(booked):
                return "booked"
            ended = "refused-politely" if _polite(booked) else f"lost: {card_text(booked or {})[:200]}"
            if booked is not None and "ei ole enää kaikille vapaa" in card_text(booked):
                break
    return ended


async def _admin(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    async with aiohttp.ClientSession() as s, s.request(method, f"{stack.sandbox.admin_url}{path}", json=body) as r:
        assert r.status < 300, await r.text()
        return await r.json() if r.content_type == "application/json" else None


async def test_hundred_parallel_convenings_none_lost_none_twice(stack: Stack, capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    await _admin(stack, "PUT", "/faults", FAULTS)
    tally = Tally()
    gate = asyncio.Semaphore(PARALLEL)

    async def one(n: int) -> None:
        async with gate:
            ended = await _convene(stack, session, tally, n)
        if ended.startswith("lost"):
            tally.lost.append(f"#{n}: {ended}")
            ended = "lost"
        tally.outcomes[ended] += 1

    started = time.monotonic()
    connector = aiohttp.TCPConnector(limit=PARALLEL * 2)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        await asyncio.gather(*(one(n) for n in range(CONVENINGS)))
    wall = time.monotonic() - started
    await _admin(stack, "PUT", "/faults", {"p429": 0, "p503": 0, "pDrop": 0})
    injected = sum((await _admin(stack, "GET", "/requests"))["faults"].values())

    per_transaction: Counter[str] = Counter()
    for user_id, _ in NEAR_WORKERS:
        events = (await stack.graph(f"/users/{user_id}/events?$top=1000"))["value"]
        assert isinstance(events, list)
        per_transaction.update(e["transactionId"] for e in events
                               if str(e.get("transactionId") or "").startswith("yhdessa-aika-"))
    duplicates = sum(n - 1 for n in per_transaction.values() if n > 1)
    with capsys.disabled():
        print(f"\nload: {CONVENINGS} convenings, booked {tally.outcomes['booked']}, refused politely "
              f"{tally.outcomes['refused-politely']}, lost {tally.outcomes['lost']}, duplicate events {duplicates}, "
              f"5xx {tally.server_errors}, faults injected {injected}, wall time {wall:.1f} s")

    assert sum(tally.outcomes.values()) == CONVENINGS
    assert tally.outcomes["lost"] == 0, tally.lost
    assert duplicates == 0, {t: n for t, n in per_transaction.items() if n > 1}
    assert tally.server_errors == 0, tally.statuses
    assert injected > 0, "faults were injected"
    assert tally.outcomes["booked"] >= 1, tally.outcomes
    assert len(per_transaction) >= tally.outcomes["booked"]


async def test_two_convenings_that_searched_together_do_not_double_book(stack: Stack) -> None:
    async def proposals(n: int) -> dict[str, Any]:
        user = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                         aad_object_id=LIISA, name="Liisa Lähinen", conversation_id=f"a:race-{n}")
        form = (await user.say("uusi"))[-1]
        search = next(a for a in actions(form) if a["verb"] == "convening.search")
        values = {**input_defaults(form), "familyRef": f"Perhe R{n}", "consent": "true", "roles": "neuvola",
                  "venue": "remote"}
        card = await user.act("convening.search", {"conveningId": search["data"]["conveningId"], **values})
        books = [a for a in actions(card) if a["verb"] == "convening.book"]
        return {"user": user, "books": books}

    first, second = await proposals(1), await proposals(2)
    booked = await first["user"].act("convening.book", first["books"][0]["data"])
    assert "Kutsu lähetetty" in card_text(booked)
    taken = await second["user"].act("convening.book", second["books"][0]["data"])
    assert "ei ole enää kaikille vapaa" in card_text(taken), "the time the first convening took is refused"
    for other in second["books"][1:]:  # the worker picks another proposed time
        if "Kutsu lähetetty" in card_text(await second["user"].act("convening.book", other["data"])):
            break
    events = (await stack.graph(f"/users/{LIISA}/events?$top=500"))["value"]
    assert isinstance(events, list)
    ours = sorted((e["start"]["dateTime"], e["end"]["dateTime"]) for e in events
                  if str(e.get("transactionId") or "").startswith("yhdessa-aika-"))
    assert len(ours) == 2, ours
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(ours)), ours
