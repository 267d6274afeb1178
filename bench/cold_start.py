"""Cold start: from spawning the process to the first answer (2xx/4xx) on ``/api/messages``."""

from __future__ import annotations

import statistics

from bench.stack import Stack
from bench.table import Row


async def measure(stack: Stack, runs: int) -> Row:
    """Median of ``runs`` starts of each, alternating echo and bot."""
    echo_times: list[float] = []
    bot_times: list[float] = []
    for n in range(runs):
        echo, _, seconds = await stack.start_echo()
        echo.stop()
        echo_times.append(seconds)
        bot, _, seconds = await stack.start_bot(tag=f"cold-{n}")
        bot.stop()
        bot_times.append(seconds)
    echo_s, bot_s = statistics.median(echo_times), statistics.median(bot_times)
    ratio = bot_s / echo_s
    return Row(f"Cold start to accepting /api/messages (median of {runs})", f"{echo_s:.2f} s (echo bot)",
               f"{bot_s:.2f} s", f"{ratio:.2f} ×", "≤ 1.2 ×", ratio <= 1.2)
