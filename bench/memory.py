"""Peak RSS after 1000 convenings (``uusi`` → proposals → book, then cancelled so the calendars stay open)."""

from __future__ import annotations

import asyncio

from bench.harness import Process, walk
from bench.scenario import book_first_free, cancel, form_values, open_form, search
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS

WORKERS = 10


async def measure(stack: Stack, bot: Process, bot_url: str, echo: Process, convenings: int) -> Row:
    """RSS sampled at each quarter; peak (VmHWM) at the end beside the echo bot's peak after its load.

    Each of 10 concurrent near workers convenes its own role's member, so no two contend for a time.
    """
    samples: list[int] = []
    misses: list[str] = []
    started = finished = booked = 0
    marks = [convenings * q // 4 for q in (1, 2, 3, 4)]

    async def worker(k: int) -> None:
        nonlocal started, finished, booked
        user = stack.user(bot_url, 50 + k, f"a:memory-{k}")  # near workers no other benchmark uses
        while started < convenings:
            started += 1  # no await in between: the event loop makes this a claim
            convening_id, defaults = await open_form(user)
            card = await search(user, convening_id, form_values(defaults, ROLE_KEYS[k], "remote"))
            if await book_first_free(user, card):
                booked += 1
                await cancel(user, convening_id)
            else:
                misses.append(next((str(n["text"]) for n in walk(card) if n.get("type") == "TextBlock"), "?"))
            finished += 1
            if len(samples) < len(marks) and finished >= marks[len(samples)]:
                samples.append(bot.memory_kb()[0])

    await asyncio.gather(*(worker(k) for k in range(WORKERS)))
    while len(samples) < 4:
        samples.append(bot.memory_kb()[0])
    if misses:
        print(f"memory: {len(misses)} convenings not booked; first card: {misses[0]!r}, last: {misses[-1]!r}")
    peak = bot.memory_kb()[1]
    echo_peak = echo.memory_kb()[1]
    ratio = peak / echo_peak
    growth = samples[-1] - samples[1]
    flat = growth <= 0.05 * peak
    trace = " / ".join(f"{s / 1024:.0f}" for s in samples)
    return Row(f"Peak RSS after {convenings} convenings ({booked} booked)", f"{echo_peak / 1024:.0f} MB (echo bot)",
              f"{peak / 1024:.0f} MB; RSS at ¼…1: {trace} MB", f"{ratio:.2f} ×", "≤ 1.5 × and flat",
              ratio <= 1.5 and flat)
