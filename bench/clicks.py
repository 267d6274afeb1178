"""Every journey click as a worker feels it when Graph is far away: each Graph request answered after 150 ms.

For each click the sandbox counts the round trips the click waited for (requests sent at once count as one;
``roundTrips`` of ``/_admin/requests``), and the click's time is held against ``round trips × 150 ms + 60 ms``;
the round trips themselves against the floor the click needs. A first convening and meeting warm the bot up
(imports, caches) and are not measured; the second ones are. The bot is restarted once, at the meetings'
start (``YA_DEV_NOW``, the sandbox's clock moved with it), on the same state: finalizing is refused before.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.harness import User, actions
from bench.scenario import bookings, form_values, open_form
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS
from domain.meeting import MEETING_STEPS

LATENCY_MS = 150
SETTLE_SECONDS = 0.6
OVERHEAD_MS = 60
#: The round trips each measured click needs at the least: a search reads every calendar at once (≤ 20 per
#: request, the requests concurrent), showing more reads nothing, finalizing reads the responsible worker's
#: calendar, then uploads both documents and books the next contact at once, then shares at once.
#: Asking by e-mail sends every mail at once. A substitute for a decliner is read (is the role's other member
#: free now?) before the event is changed to invite them: two waits, the second needing the first's answer.
FLOORS = {"search (20 roles + 3 rooms)": 1, "show more": 0, "ask 3 people by e-mail": 1, "book": 1,
          "move (new search)": 1, "book the new time": 1, "substitute for a decliner": 2, "star save": 0,
          "plan save": 0, "finalize": 3}
#: The network's people without a calendar the bot can read: asked by e-mail which proposed times suit them.
OUTSIDE = ("Eeva Ensio <eeva.ensio@ensikoti.example>, Olli Ojala <olli.ojala@perhetyo.example>, "
           "Kaija Kuusi <kaija.kuusi@tukipiste.example>")
#: How long the bot may take to show a decline read from Outlook's change notification.
DECLINE_SEEN_SECONDS = 20.0
#: Outlook's change notification makes the bot read an event's answers in the background after a click wrote
#: it: not the click's wait.
BACKGROUND_READ = "GET /v1.0/users/{user}/events/{event}"


def sequential_waits(requests: list[dict[str, Any]], ignored: str = BACKGROUND_READ) -> int:
    """How many waits one after another the requests of the sandbox's log (``/_admin/requests``) make, the
    ``ignored`` route left out: a request that starts when every earlier one has been answered is a new wait."""
    waits, answered_by = 0, -1.0
    for request in sorted((r for r in requests if r["route"] != ignored), key=lambda r: float(r["start"])):
        end = float(request["end"]) if request["end"] is not None else float("inf")
        if float(request["start"]) >= answered_by:
            waits += 1
        answered_by = max(answered_by, end)
    return waits


@dataclass(frozen=True)
class Click:
    """One measured click: its time and the Graph round trips it waited for."""

    name: str
    milliseconds: float
    round_trips: int


async def measure(stack: Stack, quick: bool) -> list[Row]:
    """Two convenings and meetings (the first a warm-up); a row per click of the second."""
    state_db = stack.workdir / "clicks.db"
    bot, url, _ = await stack.start_bot("clicks", state_db=state_db)
    user = stack.user(url, 7, "a:clicks")
    roles = ",".join(ROLE_KEYS[:2] if quick else ROLE_KEYS)
    measured: list[Click] = []
    try:
        warm_up = await _convene(stack, user, roles, "Perhe A.", [])
        await _ask(stack, user, "Perhe C.", [])
        second = await _convene(stack, user, roles, "Perhe B.", measured)
        await _ask(stack, user, "Perhe D.", measured)
        starts = [await _start_of(stack, user, warm_up), await _start_of(stack, user, second)]
    finally:
        bot.stop()
        stack.processes.remove(bot)
    at = max(starts) + timedelta(minutes=5)
    await stack.admin("PUT", "/clock", {"now": at.astimezone(UTC).isoformat()})
    bot, url, _ = await stack.start_bot("clicks", state_db=state_db, extra_env={"YA_DEV_NOW": at.isoformat()})
    user = stack.user(url, 7, "a:clicks")
    try:
        await _meet(stack, user, warm_up, at + timedelta(days=21), [])
        await _meet(stack, user, second, at + timedelta(days=22), measured)
    finally:
        await stack.admin("PUT", "/clock", {"reset": True})
    return [_row(click) for click in measured]


async def _convene(stack: Stack, user: User, roles: str, family: str, into: list[Click]) -> str:
    """uusi → search → show more → book → move → book the new time → a decliner's substitute; the convening's
    id. ``family``: another family each time (the same initials on the same day would make the plan's file a
    renamed copy)."""
    convening_id, defaults = await open_form(user)
    values = {**form_values(defaults, roles, "hybrid"), "familyRef": family}
    proposals = await _click(stack, into, "search (20 roles + 3 rooms)",
                             lambda: user.act("convening.search", {"conveningId": convening_id, **values}))
    more = actions(proposals, "convening.more")
    if more:
        await _click(stack, into, "show more", lambda: user.act("convening.more", more[0]["data"]))
    await _click(stack, into, "book", lambda: user.act("convening.book", bookings(proposals)[0]))
    moved = await _click(stack, into, "move (new search)",
                         lambda: user.act("convening.reschedule", {"conveningId": convening_id}))
    await _click(stack, into, "book the new time", lambda: user.act("convening.book", bookings(moved)[-1]))
    offer = await _declined(stack, user, convening_id)
    await _click(stack, into, "substitute for a decliner", lambda: user.act("convening.replace", offer))
    return convening_id


async def _ask(stack: Stack, user: User, family: str, into: list[Click]) -> None:
    """An existing client's network with three people outside every tenant: uusi → search → ask them by e-mail
    which of the proposed times suit them."""
    convening_id, defaults = await open_form(user)
    values = {**form_values(defaults, "", "hybrid"), "familyRef": family, "existingClient": "yes",
              "network": f"{stack.tenant.members[1]}, {OUTSIDE}"}
    proposals = await user.act("convening.search", {"conveningId": convening_id, **values})
    ask = actions(proposals, "convening.ask")
    if not ask:
        raise RuntimeError("no ask-by-e-mail button on the proposals card")
    await _click(stack, into, "ask 3 people by e-mail", lambda: user.act("convening.ask", ask[0]["data"]))


async def _declined(stack: Stack, user: User, convening_id: str) -> dict[str, Any]:
    """The invited member of the role with two members declines in Outlook (the other one is made free at the
    time); once the bot has read the decline, the booked card's "invite a substitute" payload."""
    event = await _event_of(stack, user, convening_id)
    invited = {a["emailAddress"]["address"].lower() for a in event["attendees"]}
    first, second = stack.tenant.members[0], stack.tenant.substitute
    decliner, stand_in = (first, second) if first in invited else (second, first)
    assert stack.session is not None
    window = f"startDateTime={event['start']['dateTime']}&endDateTime={event['end']['dateTime']}"
    async with stack.session.get(f"{stack.sandbox_url}/users/{stand_in}/calendarView?{window}") as response:
        busy = (await response.json())["value"]
    for appointment in busy:
        async with stack.session.delete(f"{stack.sandbox_url}/users/{stand_in}/events/{appointment['id']}"):
            pass
    await stack.admin("POST", "/respond", {"user": decliner, "transactionId": f"yhdessa-aika-{convening_id}",
                                           "response": "decline"})
    deadline = time.perf_counter() + DECLINE_SEEN_SECONDS
    card: dict[str, Any] = {}
    while time.perf_counter() < deadline:
        card = await user.act("convening.open", {"conveningId": convening_id})
        offer = actions(card, "convening.replace")
        if offer:
            return dict(offer[0]["data"])
        await asyncio.sleep(0.2)
    raise RuntimeError(f"the decline never reached the booked card: {str(card)[:300]}")


async def _meet(stack: Stack, user: User, convening_id: str, next_contact: datetime, into: list[Click]) -> None:
    """Aloita, every step done, the star, the plan, Valmis (the next contact on ``next_contact``'s day, 16.30:
    after every appointment the sandbox puts in a calendar)."""
    record = {"conveningId": convening_id}
    await user.act("meeting.start", record)
    for step in MEETING_STEPS:
        await user.act("meeting.step", {**record, "step": step.key})
    await _click(stack, into, "star save", lambda: user.act("star.save", {**record, "w_0": "Aamut", "f_0": "3"}))
    next_day = next_contact.astimezone(ZoneInfo("Europe/Helsinki")).date().isoformat()
    plan = {**record, "things": "Aamut", "home": "Iltarutiini", "reachFamily": "Puhelin", "reachWorker": "Puhelin",
            "responsible": "1", "recipients": "2", "planLang": "fi", "nextDate": next_day, "nextTime": "16:30"}
    await _click(stack, into, "plan save", lambda: user.act("plan.save", plan))
    done = await _click(stack, into, "finalize", lambda: user.act("plan.save", {**plan, "then": "finalize"}))
    if "Suunnitelma valmis" not in str(done):
        raise RuntimeError(f"finalizing did not finish: {str(done)[:300]}")


async def _click(stack: Stack, into: list[Click], name: str,
                 click: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """Runs ``click`` with Graph answering after LATENCY_MS; records its time and round trips in ``into``."""
    await stack.admin("PUT", "/faults", {"latencyMs": LATENCY_MS})
    await stack.admin("DELETE", "/requests")
    try:
        started = time.perf_counter()
        card = await click()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        await stack.admin("PUT", "/faults", {"latencyMs": 0})
    # Outlook's notification of what the click wrote is read by the bot meanwhile; a worker's next click comes
    # seconds later, after it (sooner, it may meet "changed elsewhere, try again").
    await asyncio.sleep(SETTLE_SECONDS)
    counts: dict[str, Any] = await stack.admin("GET", "/requests")
    into.append(Click(name, elapsed, sequential_waits(counts["requests"])))
    return card


async def _event_of(stack: Stack, user: User, convening_id: str) -> dict[str, Any]:
    """The booked event of ``convening_id``, from the organizer's calendar in the sandbox."""
    assert stack.session is not None
    async with stack.session.get(f"{stack.sandbox_url}/users/{user.aad_object_id}/events?$top=500") as response:
        events = (await response.json())["value"]
    for event in events:
        if event.get("transactionId") == f"yhdessa-aika-{convening_id}":
            return dict(event)
    raise RuntimeError("the booked event was not found")


async def _start_of(stack: Stack, user: User, convening_id: str) -> datetime:
    """The booked start of ``convening_id``."""
    start = (await _event_of(stack, user, convening_id))["start"]
    return datetime.fromisoformat(start["dateTime"]).replace(tzinfo=ZoneInfo(start["timeZone"]))


def _row(click: Click) -> Row:
    floor = FLOORS[click.name]
    budget = click.round_trips * LATENCY_MS + OVERHEAD_MS
    ratio = click.milliseconds / budget
    return Row(f"Click: {click.name}, Graph at {LATENCY_MS} ms/request",
               f"{click.round_trips} round trip(s) × {LATENCY_MS} + {OVERHEAD_MS} = {budget} ms",
               f"{click.milliseconds:.0f} ms; {click.round_trips} round trip(s), floor {floor}", f"{ratio:.2f} ×",
               f"≤ 1.0 × and ≤ {floor} round trip(s)", ratio <= 1.0 and click.round_trips <= floor)
