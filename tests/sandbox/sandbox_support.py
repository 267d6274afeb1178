"""Constants and small helpers shared by the sandbox tests (imported by module name)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from msgraph import GraphServiceClient

from sandbox.runner import RunningSandbox

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
