"""The sandbox's controllable clock: real time (or the ``clock`` given to create_app) plus an offset.

Everything that reads the time (createdDateTime, lastModifiedDateTime, subscription and upload
session expirations, download links, error dates) asks this clock, so tests can move time
with ``PUT /_admin/clock`` instead of sleeping. The offset is kept in the ``--db`` file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from m365_sandbox.core.timezones import format_offset

OffsetSaver = Callable[[timedelta], None]


class ClockError(ValueError):
    """A clock change that cannot be applied (bad type or format)."""


class SandboxClock:
    """``now()`` = the base clock + an offset that the admin API can move (forwards or back)."""

    def __init__(
        self,
        base: Callable[[], datetime] | None = None,
        offset: timedelta = timedelta(0),
        save: OffsetSaver | None = None,
    ) -> None:
        self._base = base or (lambda: datetime.now(UTC))
        self._offset = offset
        self._save = save

    @property
    def offset(self) -> timedelta:
        """How far the sandbox clock is from the base clock."""
        return self._offset

    def now(self) -> datetime:
        """The sandbox's current time (aware, UTC)."""
        return (self._base() + self._offset).astimezone(UTC)

    def set_now(self, moment: datetime) -> None:
        """Make ``now()`` return ``moment`` (time keeps running from there)."""
        if moment.tzinfo is None:
            raise ClockError("'now' must include a time zone offset, e.g. 2031-03-04T09:00:00Z")
        self._set_offset(moment - self._base())

    def advance(self, delta: timedelta) -> None:
        """Move the clock by ``delta`` (negative moves it back)."""
        self._set_offset(self._offset + delta)

    def reset(self) -> None:
        """Follow the base clock again."""
        self._set_offset(timedelta(0))

    def apply(self, change: dict[str, object]) -> None:
        """Apply the admin API's JSON: ``{"now": "…Z"}``, ``{"advanceMinutes": N}`` or ``{"reset": true}``."""
        unknown = set(change) - {"now", "advanceMinutes", "reset"}
        if unknown or not change:
            raise ClockError("give 'now', 'advanceMinutes' or 'reset'")
        if change.get("reset") is True:
            self.reset()
        if "now" in change:
            raw = change["now"]
            if not isinstance(raw, str):
                raise ClockError("'now' must be an ISO 8601 date-time string")
            try:
                self.set_now(datetime.fromisoformat(raw.replace("Z", "+00:00")))
            except ValueError as exc:
                raise ClockError(f"'now' is not an ISO 8601 date-time: {raw}") from exc
        if "advanceMinutes" in change:
            minutes = change["advanceMinutes"]
            if not isinstance(minutes, int | float) or isinstance(minutes, bool):
                raise ClockError("'advanceMinutes' must be a number")
            self.advance(timedelta(minutes=minutes))

    def to_json(self) -> dict[str, object]:
        """The admin API's view of the clock."""
        return {"now": format_offset(self.now()), "offsetSeconds": self._offset.total_seconds()}

    def _set_offset(self, offset: timedelta) -> None:
        self._offset = offset
        if self._save is not None:
            self._save(offset)
