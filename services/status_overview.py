"""The worker's own convenings at a glance ("tilanne"): where each one is, in the order that matters, and
deleting a draft that was never booked.

A draft (the form sent, or times proposed, never booked) holds a family reference for nothing once it is
left: it expires :data:`services.schedule.DRAFT_EXPIRY` after it last changed (housekeeping deletes it), and
its own convener may delete it sooner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.convening import Convening, ConveningStatus
from domain.meeting import Meeting, MeetingStatus
from services.caller import Caller
from services.errors import UserFacingError
from services.ports import ConveningStore, MeetingStore
from services.schedule import draft_expires_at, is_draft
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords

#: The refusal when someone other than the draft's convener, or a booked convening, is to be deleted.
DELETE_REFUSED = "status.delete_refused"
_DEFAULT_ZONE = "Europe/Helsinki"


class StatusKind(StrEnum):
    """A row's status as the worker reads it (catalog ``status.row.<value>``)."""

    TODAY = "today"  # booked for today (or its meeting is running today)
    BOOKED = "booked"  # booked for a later day
    STARTED = "started"  # the meeting was started, its plan not finalized yet
    BOOKING = "booking"  # a time was chosen and the invitation is being made
    DRAFT = "draft"  # the form sent or times proposed, never booked
    PAST = "past"  # booked for a day gone by, never started
    PLAN_DONE = "plan_done"  # the plan was finalized
    CANCELLED = "cancelled"  # the invitation was cancelled


#: Upcoming first, then what is under way, then what is over.
_ORDER = {kind: i for i, kind in enumerate(StatusKind)}


@dataclass(frozen=True)
class StatusRow:
    """One convening on the status card: its status, its meeting (if started) and, for a draft, when it
    expires."""

    convening: Convening
    kind: StatusKind
    meeting: Meeting | None = None
    expires_at: datetime | None = None

    @property
    def deletable(self) -> bool:
        """Whether the card offers "Poista luonnos"."""
        return self.kind is StatusKind.DRAFT


def classify(convening: Convening, meeting: Meeting | None, now: datetime, zone: ZoneInfo) -> StatusKind:
    """The status of ``convening`` (with its meeting, if one was started) at ``now`` in ``zone``."""
    if convening.status is ConveningStatus.CANCELLED:
        return StatusKind.CANCELLED
    if meeting is not None and meeting.status is MeetingStatus.FINALIZED:
        return StatusKind.PLAN_DONE
    booking = convening.booking
    today = now.astimezone(zone).date()
    if meeting is not None:
        return StatusKind.TODAY if meeting.started_at.astimezone(zone).date() == today else StatusKind.STARTED
    if booking is not None:
        day = booking.start.astimezone(zone).date()
        if day == today:
            return StatusKind.TODAY
        return StatusKind.BOOKED if day > today else StatusKind.PAST
    if convening.status is ConveningStatus.BOOKING:
        return StatusKind.BOOKING
    return StatusKind.DRAFT


def _sort_key(row: StatusRow) -> tuple[int, float]:
    """Within a group: upcoming meetings soonest first, everything else the most recent first."""
    booking = row.convening.booking
    if row.kind in (StatusKind.TODAY, StatusKind.BOOKED) and booking is not None:
        return _ORDER[row.kind], booking.start.timestamp()
    if row.meeting is not None:
        moment = row.meeting.finalized_at or row.meeting.started_at
    elif booking is not None:
        moment = booking.start
    else:
        moment = row.convening.proposed_at or row.convening.created_at
    return _ORDER[row.kind], -moment.timestamp()


class StatusOverview:
    """The "tilanne" rows and draft deletion over the convening and meeting stores."""

    def __init__(self, *, convenings: ConveningStore, meetings: MeetingStore, teams: TeamRegistry,
                 clock: Callable[[], datetime]) -> None:
        self._convenings = convenings
        self._meetings = meetings
        self._teams = teams
        self._clock = clock

    def now(self) -> datetime:
        """The injected clock's "now" (the card shows a draft's age from it)."""
        return self._clock()

    async def rows(self, caller: Caller) -> list[StatusRow]:
        """The caller's convenings with their statuses: today's and upcoming first, then drafts, then past,
        finalized and cancelled ones."""
        now = self._clock()
        rows = []
        for convening in await self._convenings.by_convener(caller.user_id):
            meeting = await self.meeting_of(convening)
            kind = classify(convening, meeting, now, self._zone(convening))
            expires = draft_expires_at(convening) if kind is StatusKind.DRAFT else None
            rows.append(StatusRow(convening, kind, meeting, expires))
        return sorted(rows, key=_sort_key)

    async def meeting_of(self, convening: Convening) -> Meeting | None:
        """The meeting started from ``convening`` (a meeting is keyed by its convening's id), or None."""
        if convening.booking is None:
            return None
        stored = await self._meetings.get(convening.id)
        if stored is None or stored.meeting.convener_id != convening.convener_id:
            return None
        return stored.meeting

    async def delete_draft(self, convening_id: str, caller: Caller) -> Convening:
        """Deletes the caller's own unbooked draft and nothing else; returns it as it was.

        Who may delete is decided from the stored record and the caller's verified identity, never from the
        card's payload: someone else's convening, a missing one or one already being booked is refused
        politely (``status.delete_refused``) and nothing changes.
        """
        records = ConveningRecords(self._convenings)
        convening = await records.get(convening_id)
        if convening is None or convening.convener_id != caller.user_id or not is_draft(convening):
            raise UserFacingError(DELETE_REFUSED)
        # The store deletes unconditionally: an unchanged save first refuses a draft changed meanwhile (a
        # search or a booking begun in another card), so only the draft as read is deleted.
        await records.save_or_refuse(convening)
        await self._convenings.delete(convening.id)
        return convening

    def _zone(self, convening: Convening) -> ZoneInfo:
        team = self._teams.teams.get(convening.team_key)
        return ZoneInfo(team.timezone if team is not None else _DEFAULT_ZONE)
