"""The whole journey on a tenant and team file of our own that the code was not shaped around
(tests/data/exempelby): Swedish names and a Swedish client, four employers, other practice windows and
deadline, a role nobody brings, a worker with afternoon hours, at the spring DST change over Easter 2027."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import ROOT, _serve, date_after_meeting, start_bot
from tests.support.clock import StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults

DATA = ROOT / "tests" / "data" / "exempelby"
HELSINKI = ZoneInfo("Europe/Helsinki")
STINA = "0c1e9a3b-1d2f-4a60-9b8e-5e0a2c7d4f01"
ROLES = "neuvola,koulukuraattori,sosiaalityo,perhetyo,eroauttaminen,vakivaltatyo"
#: Monday two weeks before the spring DST change (28.3.2027, which is also Easter Sunday).
MONDAY = datetime(2027, 3, 8, 9, 0, tzinfo=HELSINKI)


async def _events(sandbox: RunningSandbox, user: str) -> list[dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(
            f"{sandbox.base_url}/users/{user}/events?$top=200") as response:
        assert response.status == 200
        events: list[dict[str, Any]] = (await response.json())["value"]
    return [e for e in events if str(e.get("transactionId") or "").startswith("yhdessa-aika-")]


@pytest.fixture
async def exempelby(tmp_path: Path) -> AsyncIterator[tuple[RunningSandbox, TeamsUser]]:
    clock = StackClock()
    clock.set(MONDAY)
    sandbox = await start_sandbox(DATA / "tenant.yaml", tmp_path / "sandbox.db", clock=clock)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    _, runner, bot_url = await start_bot(sandbox, tmp_path / "bot.db", DATA / "teams.yaml")
    user = TeamsUser(bot_url=bot_url, connector_url=connector_url,
                     connector=connector, aad_object_id=STINA, name="Stina Strand", locale="sv-FI")
    try:
        yield sandbox, user
    finally:
        await runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()


async def test_convene_meet_and_finalize_on_another_tenant_over_easter_and_dst(
        exempelby: tuple[RunningSandbox, TeamsUser]) -> None:
    sandbox, user = exempelby
    form = (await user.say("ny"))[0]
    assert "Mentalvård" not in card_text(form) and "mielenterveys" not in json.dumps(form), \
        "a role nobody brings is not offered"
    convening_id = next(a for a in actions(form) if a["verb"] == "convening.search")["data"]["conveningId"]
    values = {**input_defaults(form), "familyRef": "Familjen Å.", "consent": "true", "roles": ROLES,
              "venue": "room"}
    proposals = await user.act("convening.search", {"conveningId": convening_id, **values})
    book = next((a for a in actions(proposals) if a["verb"] == "convening.book"), None)
    assert book is not None, card_text(proposals)
    booked = await user.act("convening.book", book["data"])
    assert "Familjen Å." in card_text(booked)

    (event,) = await _events(sandbox, STINA)
    start = datetime.fromisoformat(event["start"]["dateTime"]).replace(
        tzinfo=ZoneInfo(event["start"]["timeZone"])).astimezone(HELSINKI)
    # Camilla is on duty on Mondays and Wednesdays for three weeks, Dan works afternoons only, Easter Monday
    # (29.3.2027) is a holiday: the first common time is Monday 5.4.2027 at 13.00, summer time (UTC+3).
    assert start == datetime(2027, 4, 5, 13, 0, tzinfo=HELSINKI), start
    assert start.utcoffset() == timedelta(hours=3) and start.astimezone(UTC).hour == 10
    attendees = {a["emailAddress"]["address"] for a in event["attendees"]}
    assert len(attendees) == 7, attendees  # six of four employers and the room
    assert "Familjen Å" not in json.dumps(event, ensure_ascii=False), "the family reference is in no Graph object"

    sandbox.clock.set_now(start)  # the meeting begins: it can be finalized
    await user.act("meeting.start", {"conveningId": convening_id})
    plan = {"familyPresent": "Mamma, barn 6 år", "things": "Morgnarna är stressiga.", "home": "Bildschema.",
            "everyday": "Lugn start i förskolan.", "elsewhere": "", "where": "", "reachFamily": "Åsa ringer.",
            "reachWorker": "Mamma ringer rådgivningen.", "responsible": "0", "recipients": "1",
            "planLang": "sv", "then": "finalize", "nextTime": "13:00",
            "nextDate": await date_after_meeting(sandbox.base_url, convening_id, 14, organizer=STINA)}
    asked = await user.act("plan.save", {"conveningId": convening_id, **plan})
    assert "9/9 steg har inte markerats som gjorda" in card_text(asked), card_text(asked)
    [anyway] = [a for a in actions(asked) if a["verb"] == "meeting.finalize_confirm"]
    assert anyway["title"] == "Slutför ändå"
    done = await user.act("meeting.finalize_confirm", anyway["data"])
    shown = card_text(done)
    assert "Planen är klar" in shown and "Åsa Öhman" in shown, shown  # in Swedish, shared as consented
    assert "mån 19.4.2027 kl. 13.00" in shown, shown  # the next contact, in summer time too
    async with aiohttp.ClientSession() as session, session.get(
            f"{sandbox.base_url}/users/{STINA}/drive/root:/Yhdessä aika:/children"
    ) as response:
        names = sorted(item["name"] for item in (await response.json())["value"])
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "pdf"] and all("2027-04-05" in n for n in names), names
