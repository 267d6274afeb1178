"""Constants and small helpers shared by the sandbox tests (imported by module name)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from msgraph import GraphServiceClient

from m365_sandbox.runner import RunningSandbox

StartSandbox = Callable[..., Awaitable[RunningSandbox]]
GraphFactory = Callable[..., GraphServiceClient]

# A fixed Monday: seeded calendars (including the pseudo-random sprinkle) are the same on every run.
TODAY = date(2031, 3, 3)
DOMAIN = "esimerkkila.onmicrosoft.com"
HELSINKI = ZoneInfo("Europe/Helsinki")
MIKKO_ID = "84c1071e-7551-543b-b8b7-ffa8726c437c"
LIISA_ID = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"


def mail(local: str) -> str:
    """The demo tenant address for a local part, e.g. ``mail("kaste")``."""
    return f"{local}@{DOMAIN}"


def week_day(week: int, weekday: int) -> date:
    """The date of ``weekday`` (0 = Monday) in week ``week`` after TODAY's week."""
    return TODAY + timedelta(weeks=week, days=weekday)


def local(day: date, hour: int, minute: int = 0) -> str:
    """Graph ``dateTime`` text for a Helsinki wall-clock time."""
    return datetime.combine(day, time(hour, minute)).isoformat()


def helsinki(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware Helsinki datetime."""
    return datetime.combine(day, time(hour, minute), HELSINKI)
HANNA_ID = "854654b9-400f-58a0-bba5-ed3132d5ee57"
TENANT_ID = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"


async def settle(http: httpx.AsyncClient, seconds: float = 5.0) -> dict[str, Any]:
    """Wait until the sandbox has no notification under way; returns GET /_admin/notifications."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        log = (await http.get("/_admin/notifications")).json()
        if log["pending"] == 0 or asyncio.get_running_loop().time() > deadline:
            return dict(log)
        await asyncio.sleep(0.02)
