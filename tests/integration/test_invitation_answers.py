"""After the invitation: answers from Outlook on the near worker's card, declines, reschedule, cancel."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from services.caller import Caller
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_convening_journey import propose
from tests.support.teams_client import actions, card_text

HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"
MIKKO = "mikko.miettinen@esimerkkila.onmicrosoft.com"
KAISA = "kaisa.kettunen@esimerkkila.onmicrosoft.com"


async def booked(stack: Stack, roles: str = "neuvola,koulukuraattori,kouluterveydenhuolto") -> tuple[str, str]:
    """Books a meeting; returns the convening id and the organizer's event id."""
    await stack.user.say("ohje")  # the near worker's chat is known (as after installing the app)
    convening_id, proposals = await propose(stack.user, roles=roles)
    first = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    await stack.user.act("convening.book", first["data"])
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.booking is not None
    return convening_id, convening.booking.event_id


async def respond(stack: Stack, user: str, convening_id: str, response: str, comment: str = "") -> None:
    body = {"user": user, "transactionId": f"yhdessa-aika-{convening_id}", "response": response, "comment": comment}
    async with aiohttp.ClientSession() as s, s.post(f"{stack.sandbox.admin_url}/respond", json=body) as r:
        assert r.status in (200, 202), await r.text()


async def event(stack: Stack, event_id: str) -> dict[str, Any]:
    return await stack.graph(f"/users/{LIISA}/events/{event_id}")


async def free_during_meeting(stack: Stack, user: str, event_id: str) -> None:
    """Clears ``user``'s own appointments during the booked meeting: the sandbox's seeded sprinkle puts one in a
    practice window on a few dates, and a test that needs ``user`` free must not depend on the date it runs."""
    booked_event = await event(stack, event_id)
    window = f"startDateTime={booked_event['start']['dateTime']}&endDateTime={booked_event['end']['dateTime']}"
    busy = (await stack.graph(f"/users/{user}/calendarView?{window}"))["value"]
    assert isinstance(busy, list)
    async with aiohttp.ClientSession() as s:
        for item in busy:
            async with s.delete(f"{stack.sandbox.base_url}/users/{user}/events/{item['id']}") as r:
                assert r.status == 204, await r.text()


def _caller() -> Caller:
    return Caller(LIISA, "Liisa")


def latest_card(stack: Stack) -> dict[str, Any]:
    """The near worker's status card as the chat shows it now (updated in place, or the last one sent)."""
    mine = [a for a in stack.connector.sent + stack.connector.updated if a.get("attachments")]
    return mine[-1]["attachments"][0]["content"]


async def test_answers_update_the_status_card_in_place(stack: Stack) -> None:
    convening_id, event_id = await booked(stack)
    await respond(stack, HANNA, convening_id, "accept")
    await respond(stack, MIKKO, convening_id, "tentativelyAccept")
    await respond(stack, KAISA, convening_id, "decline", "Olen koulutuksessa")
    await stack.bot.status.on_change(LIISA, event_id, "updated")
    text = card_text(latest_card(stack))
    assert "Hanna Heikkinen – Äitiys- ja lastenneuvola: hyväksyi" in text
    assert "Mikko Miettinen – Koulukuraattori: alustava" in text
    assert "Kaisa Kettunen – Kouluterveydenhuolto: ei pääse" in text
    assert "Viesti: Olen koulutuksessa" in text, "the decliner's message (mailed to the organizer) is shown"
    assert stack.connector.updated, "the card was updated in place, not sent again"
    status = await stack.user.say("tilanne")
    assert "Perhe K." in card_text(status[0])


async def test_substitute_joins_the_same_event(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola,koulukuraattori")
    await free_during_meeting(stack, "sanna.savolainen@esimerkkila.onmicrosoft.com", event_id)
    await respond(stack, MIKKO, convening_id, "decline")
    await stack.bot.status.on_change(LIISA, event_id, "updated")
    card = latest_card(stack)
    offer = next(a for a in actions(card) if a["verb"] == "convening.replace")
    updated = await stack.user.act("convening.replace", offer["data"])
    assert "Sanna Savolainen" in card_text(updated)
    after = await event(stack, event_id)
    addresses = {a["emailAddress"]["address"].lower() for a in after["attendees"]}
    assert "sanna.savolainen@esimerkkila.onmicrosoft.com" in addresses and MIKKO not in addresses
    events = (await stack.graph(f"/users/{LIISA}/events?$top=200"))["value"]
    assert isinstance(events, list)
    assert len([e for e in events if str(e.get("transactionId", "")).startswith("yhdessa-aika-")]) == 1


async def test_reschedule_moves_the_same_event(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola")
    before = await event(stack, event_id)
    card = await stack.user.act("convening.reschedule", {"conveningId": convening_id})
    books = [a for a in actions(card) if a["verb"] == "convening.book"]
    moved = await stack.user.act("convening.book", books[1]["data"])
    assert "Kutsu lähetetty" in card_text(moved)
    after = await event(stack, event_id)
    assert after["start"] != before["start"]
    events = (await stack.graph(f"/users/{LIISA}/events?$top=200"))["value"]
    assert isinstance(events, list)
    assert len([e for e in events if str(e.get("transactionId", "")).startswith("yhdessa-aika-")]) == 1


async def test_cancel_reaches_every_copy(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola,koulukuraattori")
    ical = (await event(stack, event_id))["iCalUId"]
    card = await stack.user.act("convening.cancel", {"conveningId": convening_id})
    refused = await stack.user.act("convening.cancel_confirm", {"conveningId": convening_id,
                                                                "comment": "Soita 040 123 4567"})
    assert "puhelinnumeroa" in card_text(refused)
    done = await stack.user.act("convening.cancel_confirm", {"conveningId": convening_id,
                                                             "comment": "Perhe siirsi tapaamista"})
    assert "peruttu" in card_text(done).lower()
    assert card
    for user in (HANNA, MIKKO):
        copies = [e for e in (await stack.graph(f"/users/{user}/events?$top=200"))["value"]  # type: ignore[union-attr]
                  if e["iCalUId"] == ical]
        assert copies and all(c["isCancelled"] for c in copies), user
    assert "Perhe" not in json.dumps(card)


async def test_an_answer_in_outlook_reaches_the_card_through_a_change_notification(stack: Stack) -> None:
    convening_id, _ = await booked(stack, roles="neuvola,koulukuraattori")
    subscription = await stack.bot.subscriptions.current(LIISA)
    assert subscription is not None, "booking subscribes to the organizer's calendar"
    await respond(stack, HANNA, convening_id, "accept")
    await respond(stack, MIKKO, convening_id, "decline")
    for _ in range(100):  # the notification is sent after the answer; poll briefly, no long sleeps
        texts = [card_text(a["attachments"][0]["content"]) for a in stack.connector.updated if a.get("attachments")]
        if any("hyväksyi" in t and "ei pääse" in t for t in texts):
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the status card was not updated from the notifications")
    assert "Kutsu toinen saman osaamisen edustaja" in texts[-1] or any("Kutsu toinen" in t for t in texts)


async def test_a_forged_notification_changes_nothing(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola")
    subscription = await stack.bot.subscriptions.current(LIISA)
    assert subscription is not None
    forged = {"value": [{"subscriptionId": subscription.subscription_id, "clientState": "not-the-secret",
                         "changeType": "deleted", "resource": f"Users/{LIISA}/Events/{event_id}",
                         "resourceData": {"id": event_id}}]}
    bot_root = stack.bot_url.removesuffix("/api/messages")
    async with aiohttp.ClientSession() as s, s.post(f"{bot_root}/api/graph/notifications", json=forged) as r:
        assert r.status in (202, 400)
    await asyncio.sleep(0.2)
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.status.value == "booked"
    # Outlook's own notification of the booking may have refreshed the card (the calendar is watched from the
    # moment of booking); nothing showed the meeting cancelled.
    assert not [u for u in stack.connector.updated if "peruttu" in str(u).lower()]
