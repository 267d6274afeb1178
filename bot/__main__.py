"""``python -m bot``: run the bot on YA_HOST:YA_PORT."""

from __future__ import annotations

import logging
import sys

from aiohttp import web
from pydantic import ValidationError

from bot.bootstrap import bootstrap
from bot.settings import BotSettings
from bot.team_config import ConfigError
from bot.web import create_web_app


def main() -> int:
    """Starts the bot; exits 2 with a clear message on bad configuration."""
    try:
        settings = BotSettings()
    except ValidationError as err:
        sys.stderr.write(f"yhdessa-aika: invalid settings: {err}\n")
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # The SDK logs activity contents at INFO/DEBUG; keep family text out of logs.
    logging.getLogger("microsoft_agents").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        bot = bootstrap(settings)
    except ConfigError as err:
        sys.stderr.write(f"yhdessa-aika: invalid configuration: {err}\n")
        return 2
    web.run_app(create_web_app(bot), host=settings.host, port=settings.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
