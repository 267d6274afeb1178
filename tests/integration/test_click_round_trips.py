"""How many Graph round trips a worker's click waits for, counted by the sandbox with answers slowed down.

Each Graph answer takes 150 ms here, as a far-away Graph might: requests the bot sends at once overlap at the
sandbox and count as one wait (the request log of ``/_admin/requests``). Counts, never times: what the click
needs is the test, how long a machine takes is not.
"""

from __future__ import annotations

from typing import Any

from bench.clicks import sequential_waits
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_convening_journey import open_form
from tests.integration.test_meeting_journey import plan_inputs, ready_to_finalize
from tests.support.teams_client import actions, card_text

LATENCY_MS = 150


def routes(counts: dict[str, Any], text: str) -> int:
    """How many requests went to routes containing ``text``."""
    return sum(n for route, n in counts["byRoute"].items() if text in route)


async def test_finalizing_waits_for_three_round_trips_uploads_shares_and_event_at_once(stack: Stack) -> None:
    meeting_id, next_date = await ready_to_finalize(stack)
    user = stack.user
    await stack.admin("PUT", "/faults", {"latencyMs": LATENCY_MS})
    await stack.admin("DELETE", "/requests")

    done = await user.act("plan.save", {"conveningId": meeting_id, "then": "finalize",
                                        **plan_inputs(nextDate=next_date, nextTime="16:30", recipients="0,2")},
                          take_offered_time=False)

    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    counts = await stack.admin("GET", "/requests")
    # The responsible worker's calendar; then both uploads and the next contact; then every invite.
    assert sequential_waits(counts["requests"]) <= 3 and counts["roundTrips"] <= 3, counts
    assert routes(counts, "getSchedule") == 1 and routes(counts, "/content") == 2, counts
    assert routes(counts, "/invite") == 4, "two recipients, two files: one invite each"
    assert routes(counts, "/events") == 1, counts


async def counted(stack: Stack, click: Any) -> int:
    """The round trips one click waits for (``click`` is awaited with answers slowed to LATENCY_MS).

    Outlook's change notification for an event the click wrote makes the bot read the answers on it (GET of
    the event) in the background: that read is not the click's, and is left out of the count.
    """
    await stack.admin("PUT", "/faults", {"latencyMs": LATENCY_MS})
    await stack.admin("DELETE", "/requests")
    try:
        await click
    finally:
        await stack.admin("PUT", "/faults", {})
    counts = await stack.admin("GET", "/requests")
    return sequential_waits(counts["requests"])


async def test_each_convening_click_waits_for_at_most_one_round_trip(stack: Stack) -> None:
    """Search (the convener's and every invitee's calendar and the rooms: one getSchedule wave), show more (from
    what was read), book (the event), move (a new search) and book the new time (the same event updated): one
    wait at most each."""
    user = stack.user
    await user.say("ohje")
    # Liisa's calendar is watched already, as from her first booking of the week on (that booking also sets
    # up the watch, after the event: a second round trip, once).
    await stack.bot.subscriptions.ensure(LIISA)
    convening_id, values = await open_form(user)
    values.update({"familyRef": "Perhe K.", "consent": "true", "roles": "neuvola,koulukuraattori", "venue": "hybrid"})
    proposals: dict[str, Any] = {}

    async def search() -> None:
        proposals.update(await user.act("convening.search", {"conveningId": convening_id, **values}))

    trips = {"search": await counted(stack, search())}
    assert [a for a in actions(proposals) if a["verb"] == "convening.book"], card_text(proposals)
    more = [a for a in actions(proposals) if a["verb"] == "convening.more"]
    if more:  # only when more times were found than the card shows
        trips["more"] = await counted(stack, user.act("convening.more", more[0]["data"]))
    first = next(a for a in actions(proposals) if a["verb"] == "convening.book")
    trips["book"] = await counted(stack, user.act("convening.book", first["data"]))
    moved: dict[str, Any] = {}

    async def reschedule() -> None:
        moved.update(await user.act("convening.reschedule", {"conveningId": convening_id}))

    trips["reschedule"] = await counted(stack, reschedule())
    again = [a for a in actions(moved) if a["verb"] == "convening.book"][1]
    trips["book again"] = await counted(stack, user.act("convening.book", again["data"]))
    floors = {"search": 1, "more": 0, "book": 1, "reschedule": 1, "book again": 1}
    assert {k: v for k, v in floors.items() if k in trips} == trips and len(trips) >= 4, trips
