"""Graph requests per convening (20 invitees + 3 rooms), counted at the sandbox: ``uusi`` → proposals → book."""

from __future__ import annotations

from bench.scenario import book_first_free, form_values, open_form, search
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS

#: getSchedule answers this much later while measuring, so that concurrent requests overlap at the sandbox
#: and count as one round trip (without it, the sandbox may answer the first before the second arrives).
LATENCY_MS = 50


async def measure(stack: Stack, bot_url: str) -> Row:
    """One warm-up convening (the near worker's change-notification subscription is made once, at the
    first booking), then the counted one.

    24 schedules (20 invitees, the convener, 3 rooms) exceed getSchedule's 20 per request: the bot sends
    them as concurrent requests, so the search still waits for one getSchedule round trip; that is the
    target, and the requests are reported beside it.
    """
    user = stack.user(bot_url, 0, "a:economy")
    counts: dict[str, int] = {}
    trips: dict[str, int] = {}
    booked = False
    await stack.admin("PUT", "/faults", {"latencyMs": LATENCY_MS, "pathContains": "getSchedule"})
    try:
        for _ in range(2):
            await stack.admin("DELETE", "/requests")
            convening_id, defaults = await open_form(user)
            card = await search(user, convening_id, form_values(defaults, ",".join(ROLE_KEYS), "hybrid"))
            booked = await book_first_free(user, card)
            snapshot = await stack.admin("GET", "/requests")
            by_route, by_trip = snapshot["byRoute"], snapshot["roundTripsByRoute"]
            assert isinstance(by_route, dict) and isinstance(by_trip, dict)
            counts = {str(k): int(v) for k, v in by_route.items()}
            trips = {str(k): int(v) for k, v in by_trip.items()}
    finally:
        await stack.admin("PUT", "/faults", {"latencyMs": 0, "pathContains": None})
    schedules = sum(n for route, n in counts.items() if "getSchedule" in route)
    schedule_trips = sum(n for route, n in trips.items() if "getSchedule" in route)
    creates = sum(n for route, n in counts.items() if route.startswith("POST") and route.endswith("/events"))
    others = {route: n for route, n in counts.items() if "getSchedule" not in route
              and not (route.startswith("POST") and route.endswith("/events"))}
    other_text = ", ".join(f"{n} {route}" for route, n in sorted(others.items()))
    ours = (f"{schedule_trips} getSchedule round trip ({schedules} concurrent requests of ≤ 20 schedules) "
            f"+ {creates} event create" + (f" (+ {other_text})" if other_text else ""))
    return Row("Graph requests per convening (20 invitees + 3 rooms)", "—", ours, "—",
               "1 getSchedule round trip + 1 event create", booked and schedule_trips == 1 and creates == 1)
