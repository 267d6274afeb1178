"""``python -m bot``: run the bot on YA_HOST:YA_PORT."""

from __future__ import annotations

import gc
import logging
import sys


def main() -> int:
    """Starts the bot; exits 2 with a clear message on bad configuration."""
    # Start-up allocates a lot and frees little: with the collector off until it is done the bot accepts
    # /api/messages ~0.15 s sooner (make bench). What it built is then frozen out of later full passes,
    # which otherwise walked all of it and paused card actions for up to 0.2 s under load.
    gc.disable()
    from aiohttp import web  # noqa: PLC0415 - imported with the collector off
    from pydantic import ValidationError  # noqa: PLC0415

    from bot.settings import BotSettings  # noqa: PLC0415

    try:
        settings = BotSettings()
    except ValidationError as err:
        sys.stderr.write(f"yhdessa-aika: invalid settings: {err}\n")
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The SDK logs activity contents at INFO/DEBUG; keep family text out of logs.
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bot.bootstrap import bootstrap  # noqa: PLC0415
    from bot.safe_logging import RedactedAccessLogger  # noqa: PLC0415
    from bot.team_config import ConfigError  # noqa: PLC0415
    from bot.web import create_web_app  # noqa: PLC0415

    try:
        bot = bootstrap(settings)
    except ConfigError as err:
        sys.stderr.write(f"yhdessa-aika: invalid configuration: {err}\n")
        return 2
    app = create_web_app(bot)
    gc.freeze()
    gc.enable()
    # The access log without media capability tokens, query strings or referers (bot/safe_logging.py).
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log_class=RedactedAccessLogger)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
