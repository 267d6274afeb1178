"""The fake clock, and the fixed moments the service tests run at."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")

#: An ordinary Monday morning in May: nothing special about the weeks ahead.
ORDINARY = datetime(2027, 5, 3, 9, 0, tzinfo=HELSINKI)
#: Monday before Easter 2027: Good Friday 26.3., the clocks go forward on Easter Sunday 28.3., Easter Monday 29.3.
DST_WEEK = datetime(2027, 3, 15, 9, 0, tzinfo=HELSINKI)
#: Monday a week before Christmas 2026: Christmas Eve is a Thursday (a practice day), then Christmas and New Year.
CHRISTMAS = datetime(2026, 12, 14, 9, 0, tzinfo=HELSINKI)


class FakeClock:
    """``now()`` is whatever the test set; it never moves by itself."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("the clock's moments are timezone-aware")
        self._now = moment

    def __call__(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        """Moves the clock to ``moment``."""
        self._now = moment

    def advance(self, delta: timedelta) -> None:
        """Moves the clock by ``delta``."""
        self._now += delta
