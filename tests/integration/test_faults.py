"""With the sandbox injecting 30 % faults (429 with Retry-After, 503, dropped connections): every convening
ends booked or with a clear message, and no event is ever created twice."""

from __future__ import annotations

from collections import Counter
from typing import Any

import aiohttp

from tests.integration.conftest import LIISA, Stack
from tests.support.teams_client import actions, card_text, input_defaults

CONVENINGS = 12
FAULTS = {"p429": 0.1, "p503": 0.1, "pDrop": 0.1, "retryAfterSeconds": 0, "seed": 20261122}


async def _admin(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    async with aiohttp.ClientSession() as s, s.request(method, f"{stack.sandbox.admin_url}{path}", json=body) as r:
        assert r.status < 300, await r.text()
        return await r.json() if r.content_type == "application/json" else None


async def _convene(stack: Stack, n: int) -> str:
    """One convening as a worker would do it; returns how it ended."""
    cards = await stack.user.say("uusi")
    form = cards[-1]
    search = [a for a in actions(form) if a["verb"] == "convening.search"]
    if not search:
        assert "Viite:" in card_text(form), card_text(form)
        return "refused-politely"
    values = input_defaults(form)
    values.update({"familyRef": f"Perhe F{n}", "consent": "true", "roles": "neuvola", "venue": "remote"})
    card = await stack.user.act("convening.search", {"conveningId": search[0]["data"]["conveningId"], **values})
    books = [a for a in actions(card) if a["verb"] == "convening.book"]
    if not books:
        assert "Viite:" in card_text(card) or "Yhteistä aikaa" in card_text(card), card_text(card)
        return "refused-politely"
    booked = await stack.user.act("convening.book", books[0]["data"])
    if "Kutsu lähetetty" in card_text(booked):
        return "booked"
    assert "Viite:" in card_text(booked), card_text(booked)
    # The worker clicks again: the same transactionId makes a retry safe.
    again = await stack.user.act("convening.book", books[0]["data"])
    return "booked" if "Kutsu lähetetty" in card_text(again) else "refused-politely"


async def test_every_convening_ends_booked_or_politely_and_nothing_twice(stack: Stack) -> None:
    await _admin(stack, "PUT", "/faults", FAULTS)
    outcomes = Counter([await _convene(stack, n) for n in range(CONVENINGS)])
    await _admin(stack, "PUT", "/faults", {"p429": 0, "p503": 0, "pDrop": 0})
    injected = (await _admin(stack, "GET", "/requests"))["faults"]
    assert sum(injected.values()) > 0, "faults were injected"
    assert outcomes["booked"] >= CONVENINGS // 2, outcomes
    events = (await stack.graph(f"/users/{LIISA}/events?$top=500"))["value"]
    assert isinstance(events, list)
    per_transaction = Counter(e["transactionId"] for e in events
                              if str(e.get("transactionId") or "").startswith("yhdessa-aika-"))
    assert all(n == 1 for n in per_transaction.values()), per_transaction
    assert len(per_transaction) >= outcomes["booked"]
