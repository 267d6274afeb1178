"""The whole convening journey over real HTTP: Teams activity → bot → Graph sandbox → Outlook event."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import aiohttp

from domain.convening import ConveningStatus
from services.caller import Caller
from tests.integration.conftest import LIISA, Stack, start_bot
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults, walk

HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"
MIKKO = "mikko.miettinen@esimerkkila.onmicrosoft.com"
NIKO = "46d4a612-bd93-58ac-84af-908804390a46"


async def open_form(user: TeamsUser) -> tuple[str, dict[str, Any]]:
    """Types 'uusi'; returns the convening id and the form's default input values."""
    cards = await user.say("uusi")
    assert len(cards) == 1
    form = cards[0]
    assert "Uusi Yhdessä aika" in card_text(form)
    search = next(a for a in actions(form) if a["verb"] == "convening.search")
    return search["data"]["conveningId"], input_defaults(form)


async def propose(user: TeamsUser, **changes: str) -> tuple[str, dict[str, Any]]:
    """Fills the form (family reference, consent, roles, venue) and searches; returns id and the card."""
    convening_id, values = await open_form(user)
    values.update({"familyRef": "Perhe K.", "consent": "true", "roles": "neuvola,koulukuraattori",
                   "venue": "hybrid"})
    values.update(changes)
    card = await user.act("convening.search", {"conveningId": convening_id, **values})
    return convening_id, card


async def events_of(stack: Stack, user: str) -> list[dict[str, Any]]:
    """The user's events booked by the bot (found by the bot's transactionId prefix or iCalUId copies)."""
    data = await stack.graph(f"/users/{user}/events?$top=200")
    value = data["value"]
    assert isinstance(value, list)
    return [e for e in value if e.get("subject") == "Yhdessä aika" or
            str(e.get("transactionId") or "").startswith("yhdessa-aika-")]


async def copies_of(stack: Stack, user: str, ical_uid: str) -> list[dict[str, Any]]:
    """The user's copies of one event (rooms may rewrite the subject, as Exchange does)."""
    data = await stack.graph(f"/users/{user}/events?$top=200")
    value = data["value"]
    assert isinstance(value, list)
    return [e for e in value if e.get("iCalUId") == ical_uid]


async def test_convening_books_one_private_event_for_everyone(stack: Stack) -> None:
    convening_id, proposals = await propose(stack.user)
    text = card_text(proposals)
    assert "Ehdotetut ajat" in text
    books = [a for a in actions(proposals) if a["verb"] == "convening.book"]
    assert 3 <= len(books) <= 5, "the best 3–5 slots are proposed"
    assert "Hanna Heikkinen" in text and "Mikko Miettinen" in text

    booked = await stack.user.act("convening.book", books[0]["data"])
    shown = card_text(booked)
    assert "Kutsu lähetetty" in shown
    assert any("teams.microsoft.com" in str(node.get("url", "")) for node in walk(booked)), \
        "hybrid meetings carry a Teams link (the button; the family's text has a short link to it)"
    assert "Teille on varattu Yhdessä aika" in shown, "the family's invitation text is on the card"

    organizer = await events_of(stack, LIISA)
    assert len(organizer) == 1
    event = organizer[0]
    assert event["sensitivity"] == "private"
    assert event["isOnlineMeeting"] is True
    assert event["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft.com/")
    assert event["transactionId"] == f"yhdessa-aika-{convening_id}"
    body = event["body"]["content"]
    for required in ("Aika", "Paikka", "Varattu aika", "90 min", "Kutsutut", "Hanna Heikkinen", "Mikko Miettinen"):
        assert required in body
    assert "Perhe K" not in json.dumps(event, ensure_ascii=False), "the family reference is never in Graph"
    addresses = {a["emailAddress"]["address"].lower(): a for a in event["attendees"]}
    assert {HANNA, MIKKO} <= set(addresses)
    room = next(a for a in event["attendees"] if a["type"] == "resource")
    assert room["status"]["response"] == "accepted"

    for attendee in (HANNA, MIKKO, room["emailAddress"]["address"]):
        copies = await copies_of(stack, attendee, event["iCalUId"])
        assert len(copies) == 1, attendee
        assert copies[0]["iCalUId"] == event["iCalUId"]
        assert "Perhe K" not in json.dumps(copies[0], ensure_ascii=False)


async def test_repeated_booking_never_creates_a_second_event(stack: Stack) -> None:
    convening_id, proposals = await propose(stack.user)
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    again = await stack.user.act("convening.book", book["data"])  # a double click
    assert "Kutsu lähetetty" in card_text(again)
    # A crash after Graph created the event but before the bot saved it: the retry reuses the transactionId.
    stored = await stack.bot.convening_store.get(convening_id)
    assert stored is not None
    stuck = replace(stored.convening, status=ConveningStatus.BOOKING, booking=None)
    await stack.bot.convening_store.replace(stuck, stored.etag)
    third = await stack.user.act("convening.book", book["data"])
    assert "Kutsu lähetetty" in card_text(third)
    assert len(await events_of(stack, LIISA)) == 1
    assert len(await events_of(stack, HANNA)) == 1


async def test_restart_mid_journey_loses_nothing(stack: Stack) -> None:
    _, proposals = await propose(stack.user)
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    # Stop the bot and start a new one on the same state file.
    await stack.bot.close()
    _, runner, url = await start_bot(stack.sandbox, stack.tmp / "bot.db")
    try:
        stack.user.bot_url = url
        booked = await stack.user.act("convening.book", book["data"])
        assert "Kutsu lähetetty" in card_text(booked)
        status = await stack.user.say("tilanne")
        assert "Perhe K." in card_text(status[0])
    finally:
        await runner.cleanup()
    assert len(await events_of(stack, LIISA)) == 1


async def test_remote_meeting_has_teams_link_and_no_room(stack: Stack) -> None:
    _, proposals = await propose(stack.user, venue="remote")
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    event = (await events_of(stack, LIISA))[0]
    assert event["isOnlineMeeting"] is True and event["onlineMeeting"]["joinUrl"]
    assert all(a["type"] != "resource" for a in event["attendees"])


async def test_family_place_goes_to_location_without_room(stack: Stack) -> None:
    _, proposals = await propose(stack.user, venue="family_place", familyPlace="Kirjaston lastenosasto")
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", book["data"])
    event = (await events_of(stack, LIISA))[0]
    assert event["location"]["displayName"] == "Kirjaston lastenosasto"
    assert event["isOnlineMeeting"] is False


def caller(user_id: str) -> Caller:
    return Caller(user_id=user_id, name="")


async def test_identity_code_is_refused_politely_and_nothing_changes(stack: Stack) -> None:
    convening_id, card = await propose(stack.user, familyRef="131052-308T")
    text = card_text(card)
    assert "henkilötunnukselta" in text
    assert "131052-308T" not in json.dumps(card), "the refused text is not echoed back"
    stored = await stack.bot.convenings.own(convening_id, caller(LIISA))
    assert stored.request is None and stored.status.value == "draft"
    assert await events_of(stack, LIISA) == []


async def test_email_phone_and_missing_consent_are_refused(stack: Stack) -> None:
    for changes, expected in (({"familyRef": "perhe@example.com"}, "sähköpostiosoitetta"),
                              ({"familyRef": "040 123 4567"}, "puhelinnumeroa"),
                              ({"familyRef": "K"}, "vähintään 2"),
                              ({"consent": "false"}, "suostumusta"),
                              ({"roles": ""}, "Valitse vähintään yksi")):
        _, card = await propose(stack.user, **changes)
        assert expected in card_text(card), changes


async def test_another_worker_cannot_act_on_my_convening(stack: Stack) -> None:
    convening_id, proposals = await propose(stack.user)
    book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    niko = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                     aad_object_id=NIKO, name="Niko Nieminen", conversation_id="a:niko")
    card = await niko.act("convening.book", book["data"])
    assert "En löytänyt tätä kutsua" in card_text(card)
    assert await events_of(stack, LIISA) == []
    stored = await stack.bot.convenings.own(convening_id, caller(LIISA))
    assert stored.status.value == "proposed"


async def test_no_time_says_why_and_offers_ways_on(stack: Stack) -> None:
    convening_id, values = await open_form(stack.user)
    first = date.fromisoformat(values["earliest"])
    monday = first + timedelta(days=(7 - first.weekday()) % 7)  # no practice window on Mondays
    values.update({"familyRef": "Perhe M.", "consent": "true", "roles": "neuvola", "venue": "remote",
                   "earliest": monday.isoformat(), "latest": monday.isoformat()})
    card = await stack.user.act("convening.search", {"conveningId": convening_id, **values})
    text = card_text(card)
    assert "Yhteistä aikaa ei löytynyt" in text
    assert "kutsukäytännön mukaista aikaa" in text
    widen = next(a for a in actions(card) if a["verb"] == "convening.widen")
    widened = await stack.user.act("convening.widen", widen["data"])
    assert "Ehdotetut ajat" in card_text(widened)


async def test_show_more_reveals_further_slots(stack: Stack) -> None:
    _, proposals = await propose(stack.user, roles="neuvola")
    more = next(a for a in actions(proposals) if a["verb"] == "convening.more")
    before = len([a for a in actions(proposals) if a["verb"] == "convening.book"])
    card = await stack.user.act("convening.more", more["data"])
    after = len([a for a in actions(card) if a["verb"] == "convening.book"])
    assert after > before


async def test_unknown_verb_and_broken_payload_get_polite_finnish_replies(stack: Stack) -> None:
    card = await stack.user.act("convening.explode", {})
    assert "Tätä toimintoa ei tunnistettu" in card_text(card)
    card = await stack.user.act("convening.book", {"conveningId": "../../etc", "slot": "x"})
    assert "Kortin tiedot olivat puutteelliset" in card_text(card)


async def test_welcome_on_install_and_help(stack: Stack) -> None:
    status, _ = await stack.user.post(stack.user._activity(
        type="conversationUpdate", membersAdded=[{"id": "28:bot"}]))
    assert status in (200, 201, 202)
    welcome = stack.connector.cards()[-1]
    assert "uusi" in card_text(welcome) and "tilanne" in card_text(welcome)



async def test_graph_requests_per_convening(stack: Stack) -> None:
    convening_id, values = await open_form(stack.user)
    async with aiohttp.ClientSession() as session:
        await session.delete(f"{stack.sandbox.admin_url}/requests")
        values.update({"familyRef": "Perhe R.", "consent": "true", "venue": "hybrid",
                       "roles": "neuvola,koulukuraattori,sosiaalityo,perhetyo,mielenterveys,toimintaterapeutti"})
        proposals = await stack.user.act("convening.search", {"conveningId": convening_id, **values})
        book = next(a for a in actions(proposals) if a["verb"] == "convening.book")
        await stack.user.act("convening.book", book["data"])
        async with session.get(f"{stack.sandbox.admin_url}/requests") as resp:
            counts = (await resp.json())["byRoute"]
    schedule_calls = sum(n for route, n in counts.items() if "getSchedule" in route)
    creates = sum(n for route, n in counts.items() if route.startswith("POST") and route.endswith("/events"))
    # One getSchedule for the search (invitees and rooms fit one request) and one event create: the fresh
    # proposals are checked against the bot's own reservations at booking, not Graph again.
    assert schedule_calls == 1, counts
    assert creates == 1, counts
