"""When a record next has scheduled work: the stores index convenings and meetings by it, so housekeeping
finds what is due without reading everything (services.housekeeping does the work)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from domain.convening import Convening, ConveningStatus
from domain.meeting import Meeting, MeetingStatus
from services.meeting_settings import MeetingSettings

#: How long before the meeting the near worker gets the "meeting starts" card.
START_NOTICE_AHEAD = timedelta(minutes=10)
#: The earliest a day-before reminder can be due (the reminder period is at most a week).
REMINDER_WINDOW = timedelta(days=7)
#: A cancelled convening is deleted after this: it holds a family reference for nothing.
STALE_DRAFT = timedelta(days=30)
#: A draft (the form sent or times proposed, never booked) is deleted this long after it last changed.
DRAFT_EXPIRY = timedelta(days=14)


def is_draft(convening: Convening) -> bool:
    """Whether ``convening`` is an unfinished draft: never booked, and no time being booked."""
    return convening.booking is None and convening.status in (ConveningStatus.DRAFT, ConveningStatus.PROPOSED)


def draft_expires_at(convening: Convening) -> datetime:
    """When an untouched draft is deleted: :data:`DRAFT_EXPIRY` after it last changed (its creation, or
    its latest search for times, whichever is later)."""
    changed = max(convening.created_at, convening.proposed_at or convening.created_at)
    return changed + DRAFT_EXPIRY


def convening_due(convening: Convening, retention: timedelta) -> datetime:
    """When housekeeping next looks at the convening: reminders before a booked meeting, else deletion."""
    booking = convening.booking
    if convening.status is ConveningStatus.BOOKED and booking is not None:
        if not convening.reminded:
            return booking.start - REMINDER_WINDOW
        if not convening.start_notified:
            return booking.start - START_NOTICE_AHEAD
        return booking.end + retention
    if is_draft(convening):
        return draft_expires_at(convening)
    if convening.status in (ConveningStatus.DRAFT, ConveningStatus.PROPOSED, ConveningStatus.CANCELLED):
        return convening.created_at + STALE_DRAFT
    return convening.created_at + retention


def meeting_due(meeting: Meeting, settings: MeetingSettings) -> datetime:
    """When housekeeping next looks at ``meeting`` (warning, reminder or deletion)."""
    if meeting.status is not MeetingStatus.FINALIZED:
        if meeting.time_warning_sent:
            return meeting.scheduled_end + timedelta(days=settings.retention_days)
        return meeting.started_at + meeting.duration - timedelta(minutes=settings.warn_minutes)
    record = meeting.finalized
    if record and record.next_contact and not meeting.reminder_sent:
        return record.next_contact - timedelta(hours=settings.reminder_hours)
    anchor = meeting.finalized_at or meeting.started_at
    return datetime.combine(meeting.delete_after(settings.retention_days) + timedelta(days=1), time(0),
                            tzinfo=anchor.tzinfo)
