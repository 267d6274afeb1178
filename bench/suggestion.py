"""Slot-suggestion latency (Etsi aikoja → proposals card) with the sandbox answering every request after 200 ms."""

from __future__ import annotations

import statistics
import time

from bench.scenario import bookings, form_values, open_form, search
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS

LATENCY_MS = 200


async def measure(stack: Stack, bot_url: str, runs: int) -> Row:
    """Median of ``runs`` searches for 20 invitees + 3 rooms (after one warm-up search)."""
    user = stack.user(bot_url, 1, "a:suggestion")
    await stack.admin("PUT", "/faults", {"latencyMs": LATENCY_MS})
    timings: list[float] = []
    try:
        for n in range(runs + 1):
            convening_id, defaults = await open_form(user)
            values = form_values(defaults, ",".join(ROLE_KEYS), "hybrid")
            started = time.perf_counter()
            card = await search(user, convening_id, values)
            elapsed = time.perf_counter() - started
            if not bookings(card):
                raise RuntimeError("the search proposed no times")
            if n:
                timings.append(elapsed)
    finally:
        await stack.admin("PUT", "/faults", {"latencyMs": 0})
    median_ms = statistics.median(timings) * 1000
    ratio = median_ms / LATENCY_MS
    return Row(f"Slot-suggestion latency, sandbox {LATENCY_MS} ms/request (median of {runs})",
               f"{LATENCY_MS} ms (injected)", f"{median_ms:.0f} ms", f"{ratio:.2f} ×", "≤ 1.25 ×", ratio <= 1.25)
