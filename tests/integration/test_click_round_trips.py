"""How many Graph round trips a worker's click waits for, counted by the sandbox with answers slowed down.

Each Graph answer takes 150 ms here, as a far-away Graph might: requests the bot sends at once overlap at the
sandbox and count as one wait (``roundTrips`` of ``/_admin/requests``). Counts, never times: what the click
needs is the test, how long a machine takes is not.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.integration.conftest import Stack
from tests.integration.test_meeting_journey import book, mark_all_steps, plan_inputs
from tests.support.teams_client import card_text

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
