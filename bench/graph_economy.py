"""Graph requests per convening (20 invitees + 3 rooms), counted at the sandbox: ``uusi`` → proposals → book."""

from __future__ import annotations

from bench.scenario import book_first_free, form_values, open_form, search
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS


async def measure(stack: Stack, bot_url: str) -> Row:
    """One warm-up convening (the near worker's change-notification subscription is made once, at the
    first booking), then the counted one."""
    user = stack.user(bot_url, 0, "a:economy")
    counts: dict[str, int] = {}
    booked = False
    for _ in range(2):
        await stack.admin("DELETE", "/requests")
        convening_id, defaults = await open_form(user)
        card = await search(user, convening_id, form_values(defaults, ",".join(ROLE_KEYS), "hybrid"))
        booked = await book_first_free(user, card)
        by_route = (await stack.admin("GET", "/requests"))["byRoute"]
        assert isinstance(by_route, dict)
        counts = {str(k): int(v) for k, v in by_route.items()}
    schedules = sum(n for route, n in counts.items() if "getSchedule" in route)
    creates = sum(n for route, n in counts.items() if route.startswith("POST") and route.endswith("/events"))
    others = {route: n for route, n in counts.items() if "getSchedule" not in route
              and not (route.startswith("POST") and route.endswith("/events"))}
    other_text = ", ".join(f"{n} {route}" for route, n in sorted(others.items()))
    ours = f"{schedules} getSchedule + {creates} event create" + (f" (+ {other_text})" if other_text else "")
    return Row("Graph requests per convening (20 invitees + 3 rooms)", "—", ours, "—",
               "1 getSchedule + 1 event create", booked and schedules == 1 and creates == 1)
