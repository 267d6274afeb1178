"""The bot as the production image lays it out (deploy/Dockerfile): only the product's folders, found through
PYTHONPATH, started from another directory, with the shipped configuration found as package data."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from m365_sandbox.runner import start_sandbox
from tests.integration.conftest import LIISA, ROOT, TENANT, _serve, free_port
from tests.support.bot_process import BotProcess
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, card_text

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
#: What the image may hold of the repository: the product, nothing for development.
PRODUCT = {"bot", "cards", "config", "documents", "domain", "graph", "i18n", "services", "state"}


def copied_folders() -> set[str]:
    """The repository folders the Dockerfile copies into /app."""
    return set(re.findall(r"^COPY (\S+) \./\S+$", DOCKERFILE.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_the_image_holds_the_product_only_and_runs_as_a_user() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert copied_folders() == PRODUCT, "no sandbox, tests, scripts or benchmarks in the image"
    assert "--require-hashes" in text and "requirements/production.txt" in text, "installed from the lock"
    user = re.findall(r"^USER (\S+)$", text, flags=re.MULTILINE)
    assert user and user[-1] not in ("root", "0"), "not root"


@pytest.fixture
async def image_bot(tmp_path: Path) -> AsyncIterator[TeamsUser]:
    app = tmp_path / "app"
    for folder in copied_folders():
        shutil.copytree(ROOT / folder, app / folder, ignore=shutil.ignore_patterns("__pycache__"))
    # The copy's own roster differs from the repository's: the answer proves which configuration was read.
    teams = app / "config" / "teams.yaml"
    teams.write_text(teams.read_text(encoding="utf-8").replace('start: "12:00", end: "15:00"',
                                                               'start: "13:00", end: "15:00"'), encoding="utf-8")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db")
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot = BotProcess(port=free_port(), graph_base_url=sandbox.base_url, state_db=elsewhere / "bot.db",
                     log_path=tmp_path / "bot.log", cwd=elsewhere, shipped_config=True,
                     extra_env={"PYTHONPATH": str(app)})
    try:
        await bot.start()
        yield TeamsUser(bot_url=bot.url, connector_url=connector_url, connector=connector,
                        aad_object_id=LIISA, name="Liisa Lähinen")
    finally:
        bot.stop()
        await connector_runner.cleanup()
        await sandbox.close()


async def test_the_bot_answers_from_the_image_layout_outside_the_repository(image_bot: TeamsUser) -> None:
    help_card = (await image_bot.say("ohje"))[0]
    assert "uusi" in card_text(help_card)
    form = (await image_bot.say("uusi"))[0]
    assert "ti 13.00–15.00" in card_text(form), "the image's own config/teams.yaml, found as package data"
