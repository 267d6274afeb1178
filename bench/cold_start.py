"""Cold start: from spawning the process to the first answer (2xx/4xx) on ``/api/messages``.

Shown beside it, not judged: the first card, a click answered right after that first answer (the echo bot's
``echo``; the bot's help card, which needs the cards and the services that load after the port opens)."""

from __future__ import annotations

import statistics
import time

from bench.stack import Stack
from bench.table import Row
from cards.verbs import Verb


async def measure(stack: Stack, runs: int) -> Row:
    """Median of ``runs`` starts of each, alternating echo and bot."""
    echo_times: list[float] = []
    bot_times: list[float] = []
    echo_cards: list[float] = []
    bot_cards: list[float] = []
    for n in range(runs):
        echo, url, seconds = await stack.start_echo()
        await stack.user(url, n, f"a:cold-echo-{n}").act("echo", {"name": "cold"})
        echo_cards.append(time.perf_counter() - echo.spawned_at)
        echo.stop()
        echo_times.append(seconds)
        bot, url, seconds = await stack.start_bot(tag=f"cold-{n}")
        await stack.user(url, n, f"a:cold-bot-{n}").act(Verb.HELP.value, {})
        bot_cards.append(time.perf_counter() - bot.spawned_at)
        bot.stop()
        bot_times.append(seconds)
    echo_s, bot_s = statistics.median(echo_times), statistics.median(bot_times)
    ratio = bot_s / echo_s
    return Row(f"Cold start to accepting /api/messages (median of {runs})",
               f"{echo_s:.2f} s (echo bot; first card {statistics.median(echo_cards):.2f} s)",
               f"{bot_s:.2f} s (first card {statistics.median(bot_cards):.2f} s)", f"{ratio:.2f} ×", "≤ 1.2 ×",
               ratio <= 1.2)
