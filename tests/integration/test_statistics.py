"""Statistics over real HTTP: convene and finalize a meeting, then ``tilastot`` as a coordinator and not."""

from __future__ import annotations

import csv
import io
import sqlite3
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from services.caller import Caller
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_meeting_journey import book, finalize_anyway, plan_inputs
from tests.support.teams_client import TeamsUser, actions, card_text, elements

NIKO = "46d4a612-bd93-58ac-84af-908804390a46"
SENTINEL = "Perhe Tilastotesti"


def _facts(card: dict[str, object]) -> dict[str, str]:
    return {f["title"]: f["value"] for node in elements(card, "FactSet") for f in node["facts"]}


async def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as s, s.get(url) as r:
        return r.status, await r.read(), dict(r.headers)


async def test_coordinator_sees_the_meeting_held_with_chart_and_csv(stack: Stack) -> None:
    user = stack.user
    meeting_id = await book(stack, SENTINEL)
    booked_month = stack.now().astimezone(ZoneInfo("Europe/Helsinki"))  # convenings count in the booking's month
    await stack.at_meeting_start(meeting_id)  # held: finalized once it has begun
    await user.act("meeting.start", {"conveningId": meeting_id})
    await user.act("feedback.save", {"conveningId": meeting_id, "q_family_heard": "5"})
    next_date = await stack.date_after_meeting(meeting_id, 21)
    done = await finalize_anyway(user, await user.act("plan.save", {
        "conveningId": meeting_id, "then": "finalize", **plan_inputs(nextDate=next_date, nextTime="09:30")}))
    assert "Suunnitelma valmis" in card_text(done)
    # Replays count nothing twice: finalizing again, booking again.
    await user.act("meeting.finalize", {"conveningId": meeting_id})
    await user.act("convening.book", {"conveningId": meeting_id, "slot": 0})

    meeting = await stack.bot.meetings.get(meeting_id, _liisa())
    local = meeting.scheduled_start.astimezone(ZoneInfo("Europe/Helsinki"))
    [card] = await user.say("tilastot")
    assert "Tilastot" in card_text(card)
    booked_year = card if local.year == booked_month.year else await user.act(
        "statistics.show", {"year": str(booked_month.year), "team": "esimerkkila"})  # "now" is the meeting's start
    await _roles_of_one_or_two_workers_stay_merged(booked_year, booked_month.month)
    if local.year != booked_month.year:  # a meeting in January, booked in December
        card = await user.act("statistics.show", {"year": str(local.year), "team": "esimerkkila"})
    facts = _facts(card)
    assert facts["Pidetty"] == "1", facts
    assert facts["Kutsuttu koolle"] == ("1" if local.year == booked_month.year else "0")
    assert facts["Tuliko perhe kuulluksi?"] == "ei näytetä – alle 3 vastausta (yksityisyyden suoja)", \
        "one family's answer is not shown, and does not read as a poor score"

    [image] = elements(card, "Image")
    status, png, headers = await _get(image["url"])
    assert status == 200 and png.startswith(b"\x89PNG") and headers["Content-Type"] == "image/png"
    assert f"{_month_name(local.month)} 1" in image["altText"]
    download = next(a for a in card["actions"] if a["type"] == "Action.OpenUrl")
    status, body, headers = await _get(download["url"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    name = f"yhdessa-aika-tilastot-esimerkkila-{local.year}.csv"
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = {r["month"]: r for r in csv.DictReader(io.StringIO(body.decode("utf-8")))}
    row = rows[f"{local.year}-{local.month:02d}"]
    assert (row["team"], row["held"]) == ("esimerkkila", "1")
    assert SENTINEL not in body.decode("utf-8")
    status, _, _ = await _get(download["url"].replace(".csv", ".png"))
    assert status == 404, "a download's token is not a picture"

    # "Näytä" re-renders in place for another year (nothing held then).
    other = await user.act("statistics.show", {"year": str(booked_month.year - 1), "team": "esimerkkila"})
    assert _facts(other)["Pidetty"] == "0"
    refused = await user.act("statistics.show", {"year": "1999", "team": "esimerkkila"})
    assert "Valitse vuosi" in card_text(refused)

    with sqlite3.connect(stack.tmp / "bot.db") as db:
        stored = db.execute("SELECT key, body FROM documents WHERE collection LIKE 'statistics%'").fetchall()
    assert stored and all(SENTINEL not in k + b and meeting_id not in k + b for k, b in stored)


async def test_anyone_else_gets_a_polite_refusal(stack: Stack) -> None:
    niko = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                     aad_object_id=NIKO, name="Niko Nieminen", conversation_id="a:n")
    for command in ("tilastot", "statistik", "statistics"):
        [card] = await niko.say(command)
        assert "vain tiimien koordinaattoreille" in card_text(card), command
        assert not elements(card, "Image") and not elements(card, "FactSet") and not actions(card)
    card = await niko.act("statistics.show", {"year": "2026", "team": "esimerkkila"})
    assert "vain tiimien koordinaattoreille" in card_text(card) and not elements(card, "Image")
    swedish = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                        aad_object_id=NIKO, name="Niko Nieminen", conversation_id="a:n2", locale="sv-FI")
    [card] = await swedish.say("statistik")
    assert "endast för teamens koordinatorer" in card_text(card)
    group = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                      aad_object_id=stack.user.aad_object_id, name="Liisa", conversation_id="19:group",
                      conversation_type="groupChat")
    [card] = await group.say("tilastot")
    assert not elements(card, "FactSet"), "statistics are not shown in a group chat"


async def _roles_of_one_or_two_workers_stay_merged(card: dict[str, Any], month: int) -> None:
    """Hanna (neuvola) and Mikko (koulukuraattori) were invited: two workers per role in the demo roster."""
    facts = _facts(card)
    assert "Äitiys- ja lastenneuvola" not in facts and "Koulukuraattori" not in facts, facts
    assert facts["Muut roolit (alle 3 työntekijää)"] == "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)", \
        "four workers behind the merged row, but only one meeting"
    download = next(a for a in card["actions"] if a["type"] == "Action.OpenUrl")
    status, body, _ = await _get(download["url"])
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert [k for k in rows[0] if k.startswith("role")] == ["role_network", "roles_other"]
    assert rows[month - 1]["roles_other"] == "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"


def _month_name(month: int) -> str:
    return ("tammi", "helmi", "maalis", "huhti", "touko", "kesä", "heinä", "elo", "syys", "loka", "marras",
            "joulu")[month - 1]


def _liisa() -> Caller:
    return Caller(LIISA, "Liisa")
