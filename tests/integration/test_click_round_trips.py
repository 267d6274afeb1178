"""How many Graph round trips a worker's click waits for, counted by the sandbox with answers slowed down.

Each Graph answer takes 150 ms here, as a far-away Graph might: requests the bot sends at once overlap at the
sandbox and count as one wait (``roundTrips`` of ``/_admin/requests``). Counts, never times: what the click
needs is the test, how long a machine takes is not.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.integration.conftest import Stack
from tests.integration.test_convening_journey import open_form
from tests.integration.test_meeting_journey import book, mark_all_steps, plan_inputs
from tests.support.teams_client import actions, card_text

LATENCY_MS = 150


async def admin(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sandbox's admin API."""
    async with (aiohttp.ClientSession() as session,
                session.request(method, f"{stack.sandbox.admin_url}{path}", json=body) as response):
        assert response.status < 300, await response.text()
        data: dict[str, Any] = await response.json(content_type=None) if response.content_length != 0 else {}
        return data


def routes(counts: dict[str, Any], text: str) -> int:
    """How many requests went to routes containing ``text``."""
    return sum(n for route, n in counts["byRoute"].items() if text in route)


async def test_finalizing_waits_for_three_round_trips_uploads_shares_and_event_at_once(stack: Stack) -> None:
    meeting_id = await book(stack)
    user = stack.user
    await stack.at_meeting_start(meeting_id)
    await user.act("meeting.start", {"conveningId": meeting_id})
    await mark_all_steps(user, meeting_id)
    next_date = await stack.date_after_meeting(meeting_id, 21)
    await admin(stack, "PUT", "/faults", {"latencyMs": LATENCY_MS})
    await admin(stack, "DELETE", "/requests")

    done = await user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                        **plan_inputs(nextDate=next_date, nextTime="16:30", recipients="0,2")},
                          take_offered_time=False)

    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    counts = await admin(stack, "GET", "/requests")
    # The responsible worker's calendar; then both uploads and the next contact; then every invite.
    assert counts["roundTrips"] <= 3, counts
    assert routes(counts, "getSchedule") == 1 and routes(counts, "/content") == 2, counts
    assert routes(counts, "/invite") == 4, "two recipients, two files: one invite each"
    assert routes(counts, "/events") == 1, counts


async def counted(stack: Stack, click: Any) -> int:
    """The round trips one click waits for (``click`` is awaited with answers slowed to LATENCY_MS).

    Outlook's change notification for an event the click wrote makes the bot read the answers on it (GET of
    the event) in the background; that read is not the click's, and at most one wait of the count is it.
    """
    await admin(stack, "PUT", "/faults", {"latencyMs": LATENCY_MS})
    await admin(stack, "DELETE", "/requests")
    try:
        await click
    finally:
        await admin(stack, "PUT", "/faults", {})
    counts = await admin(stack, "GET", "/requests")
    background = 1 if routes(counts, "GET /v1.0/users/{user}/events/{event}") else 0
    trips: int = counts["roundTrips"] - background
    return trips


async def test_each_convening_click_waits_for_at_most_one_round_trip(stack: Stack) -> None:
    """Search (the convener's and every invitee's calendar and the rooms: one getSchedule wave), show more (from
    what was read), book (the event, and the convener's calendar watched at the same time), move (a new search)
    and book the new time (the same event updated): one wait at most each."""
    user = stack.user
    await user.say("ohje")
    convening_id, values = await open_form(user)
    values.update({"familyRef": "Perhe K.", "consent": "true", "roles": "neuvola,koulukuraattori", "venue": "hybrid"})
    proposals: dict[str, Any] = {}

    async def search() -> None:
        proposals.update(await user.act("convening.search", {"conveningId": convening_id, **values}))

    trips = {"search": await counted(stack, search())}
    more = next(a for a in actions(proposals) if a["verb"] == "convening.more")
    trips["more"] = await counted(stack, user.act("convening.more", more["data"]))
    first = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    trips["book"] = await counted(stack, user.act("convening.book", first["data"]))
    moved: dict[str, Any] = {}

    async def reschedule() -> None:
        moved.update(await user.act("convening.reschedule", {"conveningId": convening_id}))

    trips["reschedule"] = await counted(stack, reschedule())
    again = [a for a in actions(moved) if a["verb"] == "convening.book"][1]
    trips["book again"] = await counted(stack, user.act("convening.book", again["data"]))
    assert trips == {"search": 1, "more": 0, "book": 1, "reschedule": 1, "book again": 1}, trips
