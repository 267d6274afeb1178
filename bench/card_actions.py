"""Card-action p99 and throughput, 50 concurrent simulated users, sandbox latency 0.

The echo baseline answers ``Action.Execute`` verb ``echo`` with a card. The bot answers **Näytä lisää**
(``convening.more``) on each user's own convening (one week of dates, so at most 8 proposals): channel auth
and tenant check, the verb table, payload validation, the convening read and written with its eTag, the
proposals card built and serialized.

The two bots take turns in short rounds, so a neighbour's load on the shared cores hits both alike; the
server's own CPU time per answer (from /proc) is shown too, as it does not depend on that load.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench.harness import Process, User, percentile
from bench.scenario import form_values, open_form, search
from bench.stack import Stack
from bench.table import Row

USERS = 50
Click = Callable[[], Awaitable[object]]


@dataclass
class Load:
    """What closed-loop load rounds measured, summed over rounds."""

    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def throughput(self) -> float:
        """Answers per second."""
        return len(self.latencies) / self.seconds

    @property
    def cpu_ms(self) -> float:
        """Server CPU milliseconds per answer."""
        return 1000 * self.cpu / len(self.latencies)

    def p(self, fraction: float) -> float:
        """Latency percentile in milliseconds."""
        return percentile(self.latencies, fraction) * 1000


async def closed_loop(clicks: list[Click], server: Process, load: Load, warmup: float, seconds: float) -> None:
    """Each user clicks again as soon as the previous answer arrives; only the measuring window counts."""
    start = time.perf_counter() + warmup
    stop = start + seconds
    cpu: list[float] = []

    async def run(click: Click) -> None:
        while (now := time.perf_counter()) < stop:
            if now >= start and not cpu:
                cpu.append(server.cpu_seconds())
            await click()
            done = time.perf_counter()
            if now >= start and done <= stop:
                load.latencies.append(done - now)

    await asyncio.gather(*(run(c) for c in clicks))
    load.seconds += seconds
    load.cpu += server.cpu_seconds() - cpu[0]


def _echo_click(user: User) -> Click:
    async def click() -> object:
        return await user.act("echo", {"name": user.name})
    return click


async def _more_click(user: User) -> Click:
    convening_id, defaults = await open_form(user)
    latest = (date.fromisoformat(defaults["earliest"]) + timedelta(days=6)).isoformat()
    await search(user, convening_id, {**form_values(defaults, "rooli_a", "remote"), "latest": latest})

    async def click() -> object:
        return await user.act("convening.more", {"conveningId": convening_id})
    return click


async def measure(stack: Stack, echo: tuple[Process, str], bot: tuple[Process, str], seconds: float,
                  rounds: int) -> list[Row]:
    """``rounds`` alternating rounds of ``seconds / rounds`` each."""
    echo_clicks = [_echo_click(stack.user(echo[1], n, f"a:echo-{n}")) for n in range(USERS)]
    bot_clicks = [await _more_click(stack.user(bot[1], n, f"a:cards-{n}")) for n in range(USERS)]
    theirs, ours = Load(), Load()
    for _ in range(rounds):
        await closed_loop(echo_clicks, echo[0], theirs, 0.5, seconds / rounds)
        await closed_loop(bot_clicks, bot[0], ours, 0.5, seconds / rounds)
    p99_ratio = ours.p(0.99) / theirs.p(0.99)
    rate_ratio = ours.throughput / theirs.throughput
    return [
        Row(f"Card-action p99, {USERS} concurrent users",
            f"{theirs.p(0.99):.0f} ms (echo bot; p50 {theirs.p(0.5):.0f})",
            f"{ours.p(0.99):.0f} ms (p50 {ours.p(0.5):.0f})", f"{p99_ratio:.2f} ×", "≤ 1.5 × echo", p99_ratio <= 1.5),
        Row(f"Card-action throughput, {USERS} concurrent users",
            f"{theirs.throughput:.0f}/s (echo bot; {theirs.cpu_ms:.1f} ms CPU each)",
            f"{ours.throughput:.0f}/s ({ours.cpu_ms:.1f} ms CPU each)", f"{rate_ratio:.2f} ×", "≥ 0.8 × echo",
            rate_ratio >= 0.8),
    ]
