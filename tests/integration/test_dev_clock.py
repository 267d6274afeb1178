"""A demo or trial at another date: ``YA_DEV_NOW`` runs the bot's clock from that moment, in step with the
sandbox started at the same moment; production refuses the setting."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import LIISA, ROOT, TENANT, _serve, date_after_meeting, free_port
from tests.integration.test_convening_journey import propose
from tests.support.bot_process import BotProcess
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults

HELSINKI = ZoneInfo("Europe/Helsinki")
#: Two weeks before Midsummer 2027 (Midsummer Eve is Friday 25.6.2027), wherever the machine's clock is.
TRIAL_AT = datetime(2027, 6, 7, 9, 0, tzinfo=HELSINKI)


@pytest.fixture
async def trial(tmp_path: Path) -> AsyncIterator[tuple[RunningSandbox, TeamsUser]]:
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", now=TRIAL_AT)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot = BotProcess(port=free_port(), graph_base_url=sandbox.base_url, state_db=tmp_path / "bot.db",
                     log_path=tmp_path / "bot.log", extra_env={"YA_DEV_NOW": TRIAL_AT.isoformat()})
    try:
        await bot.start()
        yield sandbox, TeamsUser(bot_url=bot.url, connector_url=connector_url, connector=connector,
                                 aad_object_id=LIISA, name="Liisa Lähinen")
    finally:
        bot.stop()
        await connector_runner.cleanup()
        await sandbox.close()


async def test_the_bot_runs_at_the_dev_date_in_step_with_the_sandbox(
        trial: tuple[RunningSandbox, TeamsUser]) -> None:
    sandbox, user = trial
    assert abs(sandbox.clock.now() - TRIAL_AT) < timedelta(minutes=5), "the sandbox runs from the same moment"
    convening_id, card = await propose(user, familyRef="Perhe J.")
    first = next(a for a in actions(card) if a["verb"] == "convening.book")
    shown = card_text(card)
    assert "2027" in shown, shown
    # The form's dates and the times proposed follow the trial date, not the machine's.
    form = (await user.say("uusi"))[0]
    earliest = date.fromisoformat(input_defaults(form)["earliest"])
    assert TRIAL_AT.date() <= earliest <= TRIAL_AT.date() + timedelta(days=14), earliest
    booked = await user.act("convening.book", first["data"])
    assert "Kutsu lähetetty" in card_text(booked), card_text(booked)
    # The meeting is in the sandbox's calendar after the trial date, within the team's horizon.
    week_after = date.fromisoformat(await date_after_meeting(sandbox.base_url, convening_id, 7))
    assert TRIAL_AT.date() + timedelta(days=7) < week_after <= TRIAL_AT.date() + timedelta(days=7 + 56), week_after
    assert week_after - timedelta(days=7) not in (date(2027, 6, 25), date(2027, 6, 26)), "never at Midsummer"


def test_production_refuses_a_dev_clock(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YA_")}
    env.update({"YA_MODE": "production", "YA_CLIENT_ID": "00000000-0000-0000-0000-00000000000a",
                "YA_TENANT_ID": "00000000-0000-0000-0000-00000000000b", "YA_CLIENT_SECRET": "not-a-real-secret",
                "YA_GRAPH_AUTH": "client_secret", "YA_GRAPH_BASE_URL": "https://graph.microsoft.com/v1.0",
                "YA_PUBLIC_URL": "https://bot.example.org", "YA_STATE_DB": str(tmp_path / "bot.db"),
                "YA_DEV_NOW": TRIAL_AT.isoformat()})
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "YA_DEV_NOW is for development only" in result.stderr
    assert "not-a-real-secret" not in result.stderr
