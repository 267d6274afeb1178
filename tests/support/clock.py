"""The test stack's one clock: the machine's time (a real date, or the one Debian's ``faketime`` gives)
plus an offset that a test moves.

A stack passes it to the sandbox as the base of the sandbox clock, and the bot takes the sandbox clock
through ``bootstrap``: the bot, the sandbox and the test all read the same "now". A test never asks the
wall clock for today; it asks the stack.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")


def machine_now() -> datetime:
    """The machine's time: the one place tests read it (faketime moves it for a whole run)."""
    return datetime.now(UTC)


class StackClock:
    """``now()`` = the machine's time + an offset; ``set``/``advance`` move every part of the stack at once."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.now()

    def now(self) -> datetime:
        """The stack's current time (aware, UTC)."""
        return machine_now() + self._offset

    def today(self) -> date:
        """The stack's date in Finland."""
        return self.now().astimezone(HELSINKI).date()

    def set(self, moment: datetime) -> None:
        """Makes ``now()`` return ``moment``; time runs on from there."""
        self._offset = moment - machine_now()

    def advance(self, delta: timedelta) -> None:
        """Moves the clock by ``delta``."""
        self._offset += delta
