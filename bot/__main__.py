"""``python -m bot``: run the bot on YA_HOST:YA_PORT.

The port opens as soon as the SDK's part is built (bot.front); the rest of the bot (cards, Graph, services) is
imported in a thread meanwhile and built right after, and turns that need it wait for it. A configuration the
rest cannot run on still stops the process with exit status 2 and a clear message.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import BotSettings


def main() -> int:
    """Starts the bot; exits 2 with a clear message on bad configuration."""
    # Start-up allocates a lot and frees little: with the collector off until it is done the bot accepts
    # /api/messages ~0.15 s sooner (make bench). What it built is then frozen out of later full passes,
    # which otherwise walked all of it and paused card actions for up to 0.2 s under load.
    gc.disable()
    from pydantic import ValidationError  # noqa: PLC0415 - imported with the collector off

    from bot.settings import BotSettings  # noqa: PLC0415

    try:
        settings = BotSettings()
    except ValidationError as err:
        sys.stderr.write(f"yhdessa-aika: invalid settings: {err}\n")
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return asyncio.run(_serve(settings))


async def _serve(settings: BotSettings) -> int:
    from aiohttp import web  # noqa: PLC0415

    from bot.front import build_front  # noqa: PLC0415
    from bot.safe_logging import RedactedAccessLogger, quiet_chatty_libraries  # noqa: PLC0415
    from bot.web import create_web_app  # noqa: PLC0415

    quiet_chatty_libraries()
    front = build_front(settings)
    # The rest of the bot's modules load in a thread while the port opens and the first activities come in.
    rest = asyncio.create_task(asyncio.to_thread(importlib.import_module, "bot.bootstrap"))
    # The access log without media capability tokens, query strings or referers (bot/safe_logging.py).
    runner = web.AppRunner(create_web_app(front), access_log_class=RedactedAccessLogger)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
        bootstrap = await rest
        from bot.scheduler import running  # noqa: PLC0415
        from bot.team_config import ConfigError  # noqa: PLC0415

        try:
            bot = bootstrap.complete(front)
        except ConfigError as err:
            sys.stderr.write(f"yhdessa-aika: invalid configuration: {err}\n")
            return 2
        gc.freeze()
        gc.enable()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        async with running(bot.scheduler):
            await stop.wait()
        return 0
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
