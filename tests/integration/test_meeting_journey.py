"""The meeting journey over real HTTP: start → steps → star → plan → feedback → finalize, then the sandbox."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from docx import Document
from pypdf import PdfReader

from domain.meeting import MEETING_STEPS
from services.caller import Caller
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_convening_journey import propose
from tests.support.clock import HELSINKI
from tests.support.teams_client import OFFERED_TIME, TeamsUser, actions, card_text, elements, input_defaults

HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"
MIKKO = "mikko.miettinen@esimerkkila.onmicrosoft.com"
FAMILY = "Perhe Kettunen"


async def book(stack: Stack, family_ref: str = FAMILY) -> str:
    """Convenes Hanna (neuvola) and Mikko (koulukuraattori) and books the first time."""
    convening_id, proposals = await propose(stack.user, familyRef=family_ref)
    first = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    booked = await stack.user.act("convening.book", first["data"])
    assert any(a["verb"] == "meeting.start" for a in actions(booked)), "the confirmation offers Aloita"
    return convening_id


async def mark_all_steps(user: TeamsUser, meeting_id: str) -> None:
    """Marks every step of the structure done, as a near worker who went through them all ("Tehty")."""
    for step in MEETING_STEPS:
        await user.act("meeting.step", {"conveningId": meeting_id, "step": step.key})


async def finalize_anyway(user: TeamsUser, asked: dict[str, Any]) -> dict[str, Any]:
    """Clicks "Viimeistele silti" on the card that asks first (steps not marked done); returns the answer."""
    [button] = [a for a in actions(asked) if a["verb"] == "meeting.finalize_confirm"]
    assert button["title"] == "Viimeistele silti", button
    return await user.act("meeting.finalize_confirm", button["data"])


def plan_inputs(**changes: str) -> dict[str, str]:
    values = {"familyPresent": "Äiti, Lapsi 8 v", "things": "Aamut ovat riitaisia ja koulumatka jännittää.",
              "home": "Iltarutiini: kuvat seinälle.", "everyday": "Koulussa aamun vastaanotto luokassa.",
              "elsewhere": "Perheneuvolan vanhemmuusryhmä.", "where": "Perheneuvola",
              "reachFamily": "Hanna soittaa äidille viikoittain.", "reachWorker": "Äiti soittaa neuvolaan 017 000 1001",
              "responsible": "1", "recipients": "2", "planLang": "fi"}
    values.update(changes)
    return values


async def drive_items(stack: Stack, owner: str) -> list[dict[str, Any]]:
    data = await stack.graph(f"/users/{owner}/drive/root:/Yhdessä aika:/children")
    value = data["value"]
    assert isinstance(value, list)
    return value


async def fetch(url: str) -> tuple[int, bytes]:
    async with aiohttp.ClientSession() as s, s.get(url, allow_redirects=True) as r:
        return r.status, await r.read()


async def test_whole_meeting_to_finalized_plan_in_onedrive(stack: Stack) -> None:
    meeting_id = await book(stack)
    user = stack.user
    await stack.at_meeting_start(meeting_id)
    steps = await user.act("meeting.start", {"conveningId": meeting_id})
    assert "Istumapaikat" in card_text(steps) or "1." in card_text(steps)
    step_buttons = [a for a in actions(steps) if a["verb"] == "meeting.step"]
    assert len(step_buttons) == 9
    checked = await user.act("meeting.step", step_buttons[0]["data"])
    assert card_text(checked) != card_text(steps), "the card updates in place"

    star = await user.act("star.open", {"conveningId": meeting_id})
    image = next(i for i in elements(star, "Image"))
    status, png = await fetch(image["url"])
    assert status == 200 and png.startswith(b"\x89PNG")
    saved_star = await user.act("star.save", {"conveningId": meeting_id, "s_0": "Lapsi piirtää mielellään",
                                              "w_0": "Aamut", "f_0": "2", "c_0": "3", "p_0": "2", "f_3": "4"})
    assert "Tallennettu" in card_text(saved_star)

    plan = await user.act("plan.save", {"conveningId": meeting_id, **plan_inputs()})
    assert "Tallennettu" in card_text(plan)
    next_date = await stack.date_after_meeting(meeting_id, 21)
    feedback_card = await user.act("feedback.open", {"conveningId": meeting_id})
    assert not [i for i in elements(feedback_card, "Input.Text")], "no comment is asked"
    off_scale = await user.act("feedback.save", {"conveningId": meeting_id, "q_family_heard": "7"})
    assert "Palautetta ei tallennettu" in card_text(off_scale), card_text(off_scale)
    assert "Vastauksia tähän mennessä: 0" in card_text(off_scale), "7 is not saved as 5"
    for score in ("5", "4"):
        feedback = await user.act("feedback.save", {"conveningId": meeting_id, "q_family_heard": score,
                                                    "q_pros_useful": "4"})
    shown = card_text(feedback)
    assert "Kiitos! Palaute tallennettu" in shown and "Vastauksia tähän mennessä: 2" in shown, shown
    assert not re.search(r"keskiarvo \d|\d,\d|vast\.\)", shown), "nobody's answer, no average before the family"
    asked = await user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                         **plan_inputs(nextDate=next_date, nextTime="09:30")})
    shown = card_text(asked)
    assert "8/9 vaihetta on merkitsemättä tehdyksi" in shown and "○ 2. " in shown, shown
    assert await _drive_count(stack, HANNA) == 0, "asked first: nothing is shared yet"
    done = await finalize_anyway(user, asked)
    shown = card_text(done)
    assert "Suunnitelma valmis" in shown, shown

    items = await drive_items(stack, HANNA)
    names = sorted(i["name"] for i in items)
    assert len(names) == 2 and names[0].endswith(".docx") and names[1].endswith(".pdf")
    assert all("Kettunen" not in n and " PK." in n for n in names), names
    for item in items:
        perms = (await stack.graph(f"/users/{HANNA}/drive/items/{item['id']}/permissions"))["value"]
        assert isinstance(perms, list)
        assert not any("link" in p for p in perms), "never an anonymous or organisation link"
        granted = {json.dumps(p).lower() for p in perms if "owner" not in p.get("roles", [])}
        assert any("mikko" in g for g in granted) and any("liisa" in g for g in granted)
        assert not any(w in " ".join(granted) for w in ("veera", "anna.", "elina"))
    docx_item = next(i for i in items if i["name"].endswith(".docx"))
    pdf_item = next(i for i in items if i["name"].endswith(".pdf"))
    _, docx_bytes = await fetch(f"{stack.sandbox.base_url}/users/{HANNA}/drive/items/{docx_item['id']}/content")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs)
    tables = "\n".join(c.text for t in Document(io.BytesIO(docx_bytes)).tables for r in t.rows for c in r.cells)
    for expected in ("Aamut ovat riitaisia", "Iltarutiini", "Perheneuvolan vanhemmuusryhmä", "Hanna soittaa"):
        assert expected in text + tables
    assert FAMILY not in text + tables
    _, pdf_bytes = await fetch(f"{stack.sandbox.base_url}/users/{HANNA}/drive/items/{pdf_item['id']}/content")
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 3, "plan, contact list, star page"
    assert "Aamut ovat riitaisia" in "".join(p.extract_text() for p in reader.pages)
    _render_first_page(pdf_bytes, stack.tmp)

    events = (await stack.graph(f"/users/{HANNA}/events?$top=200"))["value"]
    assert isinstance(events, list)
    follow = [e for e in events if str(e.get("transactionId", "")).startswith("yhdessa-aika-next-")]
    assert len(follow) == 1 and follow[0]["sensitivity"] == "private"
    assert FAMILY not in json.dumps(events, ensure_ascii=False)

    stored = await stack.bot.meetings.get(meeting_id, _caller())
    assert stored.plan is None, "after finalizing the plan text lives only in OneDrive"
    again = await user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "Suunnitelma valmis" in card_text(again)
    assert len(await drive_items(stack, HANNA)) == 2, "finalizing twice uploads nothing twice"


async def test_finalize_without_responsible_worker_is_refused_politely(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe V.")
    await stack.at_meeting_start(meeting_id)
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    card = await stack.user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                              **plan_inputs(responsible="")})
    assert "vastuutyöntekijä" in card_text(card).lower()
    assert await _drive_count(stack, HANNA) == 0


async def test_a_meeting_is_not_finalized_before_it_begins_and_nothing_is_shared(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe E.")
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    await mark_all_steps(stack.user, meeting_id)
    next_date = await stack.date_after_meeting(meeting_id, 14)
    refused = await stack.user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                                 **plan_inputs(nextDate=next_date, nextTime="16:30")})
    shown = card_text(refused)
    assert "Tapaamista ei voi vielä viimeistellä, koska se ei ole alkanut" in shown, shown
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    start = meeting.scheduled_start.astimezone(HELSINKI)
    assert f"{start.day}.{start.month}.{start.year} klo {start.hour}.{start.minute:02d} alkaen" in shown, shown
    assert "Aamut ovat riitaisia" in json.dumps(refused, ensure_ascii=False), "the plan typed is kept on the card"
    assert meeting.finalized is None and await _drive_count(stack, HANNA) == 0
    button = await stack.user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "ei ole alkanut" in card_text(button) and await _drive_count(stack, HANNA) == 0

    await stack.at_meeting_start(meeting_id)
    done = await stack.user.act("meeting.finalize", {"conveningId": meeting_id})
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    assert await _drive_count(stack, HANNA) == 2


async def test_identity_code_in_plan_is_refused_and_nothing_changes(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe H.")
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    card = await stack.user.act("plan.save", {"conveningId": meeting_id,
                                              **plan_inputs(home="Äidin hetu 131052-308T")})
    assert "henkilötunnus" in card_text(card).lower()
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    assert meeting.plan is None
    star = await stack.user.act("star.save", {"conveningId": meeting_id, "s_1": "131052-308T", "f_1": "9"})
    assert "Tallennettu" not in card_text(star)
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    assert meeting.reading is None


async def test_another_worker_cannot_open_or_finalize_my_meeting(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe N.")
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    niko = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                     aad_object_id="46d4a612-bd93-58ac-84af-908804390a46", name="Niko", conversation_id="a:n")
    for verb in ("meeting.open", "star.open", "plan.open", "meeting.finalize", "meeting.followup"):
        card = await niko.act(verb, {"conveningId": meeting_id})
        assert "löytänyt" in card_text(card).lower(), verb
    assert await _drive_count(stack, HANNA) == 0


async def test_time_warning_is_sent_proactively_once(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe T.")
    await stack.user.say("ohje")  # the near worker's chat is known to the bot
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    later = meeting.started_at + meeting.duration - timedelta(minutes=15)
    stack.clock.set(later)
    before = len(stack.connector.sent)
    await stack.bot.scheduler.tick()
    await stack.bot.scheduler.tick()
    sent = stack.connector.sent[before:]
    texts = [card_text(a["content"]) for act in sent for a in act.get("attachments") or []]
    assert len([t for t in texts if "yhteenveto" in t.lower()]) == 1, texts


async def test_followup_is_prefilled_and_shows_the_earlier_reading(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe S.")
    await stack.at_meeting_start(meeting_id)
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    await stack.user.act("star.save", {"conveningId": meeting_id, "f_0": "2", "p_0": "2"})
    next_date = await stack.date_after_meeting(meeting_id, 14)
    asked = await stack.user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                               **plan_inputs(nextDate=next_date, nextTime="10:00")})
    assert "Suunnitelma valmis" in card_text(await finalize_anyway(stack.user, asked))
    form = await stack.user.act("meeting.followup", {"conveningId": meeting_id})
    assert "Perhe S." in json.dumps(form, ensure_ascii=False), "the form is prefilled for the same family"
    search = next(a for a in actions(form) if a["verb"] == "convening.search")
    new_id = search["data"]["conveningId"]
    assert new_id != meeting_id
    values = input_defaults(form)
    values.update({"consent": "true"})
    proposals = await stack.user.act("convening.search", {"conveningId": new_id, **values})
    first = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", first["data"])
    await stack.user.act("meeting.start", {"conveningId": new_id})
    star = await stack.user.act("star.open", {"conveningId": new_id})
    assert "aiemman tapaamisen" in card_text(star).lower(), "the earlier reading is shown beside the new one"


def _caller() -> Caller:
    return Caller(LIISA, "Liisa")


async def _drive_count(stack: Stack, owner: str) -> int:
    async with aiohttp.ClientSession() as s, s.get(
            f"{stack.sandbox.base_url}/users/{owner}/drive/root:/Yhdessä aika:/children") as r:
        if r.status == 404:
            return 0
        return len((await r.json())["value"])


def _render_first_page(pdf: bytes, tmp: Path) -> None:
    """The PDF renders (pdftoppm); kept as a test artifact for a person to look at."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not found: install Debian's poppler-utils (CI does) to render the plan PDF")
    source = tmp / "plan.pdf"
    source.write_bytes(pdf)
    out = Path(__file__).resolve().parents[2] / "test-artifacts"
    out.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(source), str(out / "plan-page")],
                   check=True)
    assert (out / "plan-page-1.png").exists()


async def ready_to_finalize(stack: Stack, family_ref: str = FAMILY, days_ahead: int = 21) -> tuple[str, str]:
    """A meeting booked, at its start, begun and every step done: its id, and the date ``days_ahead`` later."""
    meeting_id = await book(stack, family_ref)
    await stack.at_meeting_start(meeting_id)
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    await mark_all_steps(stack.user, meeting_id)
    return meeting_id, await stack.date_after_meeting(meeting_id, days_ahead)


async def _finalized(stack: Stack, family_ref: str, days_ahead: int = 10) -> str:
    meeting_id, next_date = await ready_to_finalize(stack, family_ref, days_ahead)
    done = await stack.user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                              **plan_inputs(nextDate=next_date, nextTime="09:00")})
    assert "Suunnitelma valmis" in card_text(done)
    return meeting_id


async def test_reminder_the_day_before_goes_to_the_responsible_worker(stack: Stack) -> None:
    hanna = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                      aad_object_id="854654b9-400f-58a0-bba5-ed3132d5ee57", name="Hanna Heikkinen",
                      conversation_id="a:hanna")
    await hanna.say("ohje")  # Hanna has the app: the bot can reach her
    meeting_id = await _finalized(stack, "Perhe R.")
    links = [a for a in stack.connector.sent if a["_conversation"] == "a:hanna"]
    assert any("Suunnitelma valmis" in card_text(x["content"]) for a in links for x in a.get("attachments") or [])
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    assert meeting.finalized is not None and meeting.finalized.next_contact is not None
    day_before = meeting.finalized.next_contact - timedelta(hours=20)
    stack.clock.set(day_before)
    before = len(stack.connector.sent)
    await stack.bot.scheduler.tick()
    await stack.bot.scheduler.tick()
    reminders = [a for a in stack.connector.sent[before:] if a["_conversation"] == "a:hanna"]
    assert len(reminders) == 1
    assert "Seuraava yhteydenotto huomenna" in card_text(reminders[0]["attachments"][0]["content"])


async def test_after_retention_nothing_of_the_meeting_is_kept(stack: Stack) -> None:
    meeting_id = await _finalized(stack, "Perhe Q.")
    retention = stack.bot.meetings.settings.retention_days
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    assert meeting.finalized_at is not None
    after = meeting.finalized_at + timedelta(days=retention + 2)
    stack.clock.set(after)
    await stack.bot.scheduler.tick()
    card = await stack.user.act("meeting.open", {"conveningId": meeting_id})
    assert "löytänyt" in card_text(card).lower()
    stack.bot.documents._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in stack.tmp.glob("bot.db*"))
    assert b"Perhe Q" not in stored


async def test_start_notice_reaches_the_near_worker_before_the_meeting(stack: Stack) -> None:
    await stack.user.say("ohje")
    meeting_id = await book(stack, "Perhe A.")
    convening = await stack.bot.convenings.own(meeting_id, _caller())
    assert convening.booking is not None
    soon = convening.booking.start - timedelta(minutes=5)
    stack.clock.set(soon)
    before = len(stack.connector.sent)
    await stack.bot.scheduler.tick()
    cards = [x["content"] for a in stack.connector.sent[before:] for x in a.get("attachments") or []]
    assert any("Aloita Yhdessä aika" in card_text(c) for c in cards)


async def test_star_picture_url_is_unguessable_and_expires(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe P.")
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    star = await stack.user.act("star.open", {"conveningId": meeting_id})
    url = elements(star, "Image")[0]["url"]
    assert meeting_id not in url
    status, _ = await fetch(url.rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png")
    assert status == 404
    status, _ = await fetch(url.rsplit("/", 1)[0] + "/")
    assert status == 404, "no listing"
    stack.clock.advance(timedelta(days=2))
    status, _ = await fetch(url)
    assert status == 404


async def test_overlong_or_missing_plan_input_is_refused_politely(stack: Stack) -> None:
    meeting_id = await book(stack, "Perhe L.")
    await stack.at_meeting_start(meeting_id)
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    card = await stack.user.act("plan.save", {"conveningId": meeting_id, **plan_inputs(things="x" * 5000)})
    assert "Kortin tiedot olivat puutteelliset" in card_text(card)
    card = await stack.user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                              **plan_inputs(things="")})
    assert "Suunnitelma valmis" not in card_text(card)
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    assert meeting.finalized is None


async def test_the_next_contact_is_not_booked_over_the_responsible_workers_appointment(stack: Stack) -> None:
    """Through the sandbox's getSchedule: Hanna has an appointment at the wanted time; finalizing is refused with
    the nearest free times, nothing is written; a free time offered is then booked once."""
    meeting_id, next_date = await ready_to_finalize(stack)
    user = stack.user
    appointment = {"subject": "Neuvolan vastaanotto", "showAs": "busy",
                   "start": {"dateTime": f"{next_date}T09:00:00", "timeZone": "Europe/Helsinki"},
                   "end": {"dateTime": f"{next_date}T10:00:00", "timeZone": "Europe/Helsinki"}}
    async with aiohttp.ClientSession() as session, session.post(
            f"{stack.sandbox.base_url}/users/{HANNA}/events", json=appointment) as response:
        assert response.status == 201, await response.text()

    refused = await user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                           **plan_inputs(nextDate=next_date, nextTime="09:30")},
                             take_offered_time=False)
    shown = card_text(refused)
    assert "Hanna Heikkinen: kalenterissa on jo menoa" in shown and "klo 9.30" in shown, shown
    offered = OFFERED_TIME.search(shown)
    assert offered, shown
    hour, minute = (int(part) for part in offered.groups()[3:])
    assert (hour, minute) in ((10, 0), (8, 30)), "the nearest free time, next to the appointment"
    assert await _drive_count(stack, HANNA) == 0, "nothing shared"
    assert not [e for e in (await stack.graph(f"/users/{HANNA}/events?$top=200"))["value"]  # type: ignore[union-attr]
                if "-next-" in str(e.get("transactionId") or "")], "no next contact over the appointment"

    buttons = [a for a in actions(refused) if "offeredDate" in a["data"]]
    assert buttons and buttons[0]["title"] == f"{shown[offered.start():offered.end()].split(': ', 1)[1]}", \
        "the first free time named is the first button"
    assert "Hanna Heikkinen" in card_text(refused) and "Yhteinen suunnitelma" in card_text(refused), \
        "the plan card again, not a notice in its place"
    # The worker clicks it: the inputs still say 9.30, the button's time wins.
    done = await user.act("plan.save", {**plan_inputs(nextDate=next_date, nextTime="09:30"), **buttons[0]["data"]},
                          take_offered_time=False)
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
