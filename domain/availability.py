"""Free/busy information as the slot search needs it (read from Graph getSchedule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum


class BusyStatus(StrEnum):
    """Graph's freeBusyStatus values."""

    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OOF = "oof"
    WORKING_ELSEWHERE = "workingElsewhere"
    UNKNOWN = "unknown"

    @property
    def blocks(self) -> bool:
        """Whether the person is not free to attend. Tentative counts as not free:
        the invitation practice asks for everyone's attendance, so we only propose
        times that nobody has tentatively given away."""
        return self in (BusyStatus.TENTATIVE, BusyStatus.BUSY, BusyStatus.OOF, BusyStatus.UNKNOWN)

    def blocks_meeting(self, *, in_person: bool) -> bool:
        """Whether the person cannot attend: also when working elsewhere (another site) and everyone must be
        in the same room; such a person can still join a Teams or hybrid meeting."""
        return self.blocks or (in_person and self is BusyStatus.WORKING_ELSEWHERE)


@dataclass(frozen=True)
class BusyInterval:
    """One scheduleItem: [start, end) with timezone-aware datetimes."""

    start: datetime
    end: datetime
    status: BusyStatus


@dataclass(frozen=True)
class WorkingHours:
    """A person's working hours (Graph workingHours), in their own time zone."""

    weekdays: frozenset[int]  # 0 = Monday
    start: time
    end: time
    timezone: str = "Europe/Helsinki"


@dataclass(frozen=True)
class Schedule:
    """One person's or room's availability in the searched window.

    ``error`` is set when Graph could not return the schedule (e.g. unknown
    mailbox); such a schedule is treated as never free.
    """

    email: str
    intervals: tuple[BusyInterval, ...]
    working_hours: WorkingHours | None = None
    error: str | None = None


def free_during(schedule: Schedule | None, start: datetime, end: datetime, *, in_person: bool = False) -> bool:
    """Whether nothing blocking overlaps [start, end) in ``schedule`` (a missing or failed schedule is not free);
    ``in_person``: everyone meets in one place, so working elsewhere blocks too."""
    if schedule is None or schedule.error:
        return False
    return not any(i.status.blocks_meeting(in_person=in_person) and i.start < end and start < i.end
                   for i in schedule.intervals)
