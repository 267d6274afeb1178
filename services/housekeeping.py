"""Work that falls due at a time rather than on a click: the day-before reminder and the start notice of a
booked meeting, the time warning of a running one, the next-contact reminder of a finalized one, and
retention (stale drafts, finalized meetings past the keeping time).

Each notice is claimed first (an eTag-guarded flag on the record), so with several bot instances exactly
one sends it; a send that fails gives the claim back, and the next round tries again. The rounds themselves
are the bot's (bot.scheduler): it runs each job :meth:`Housekeeping.due_jobs` yields on its own, so one
failing item does not stop the others.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from domain.convening import Convening, ConveningStatus
from domain.meeting import Meeting, MeetingStatus
from services.meeting_settings import MeetingSettings
from services.ports import ConveningStore, MeetingStore, Notices
from services.schedule import START_NOTICE_AHEAD, draft_expires_at, is_draft
from services.unit_of_work import ConveningRecords, MeetingRecords

#: One piece of due work, run by the scheduler on its own.
Job = Callable[[], Awaitable[object]]


class Housekeeping:
    """What is due now, claiming it, and deleting what may no longer be kept."""

    def __init__(self, *, convenings: ConveningStore, meetings: MeetingStore, settings: MeetingSettings,
                 clock: Callable[[], datetime]) -> None:
        self._convenings = convenings
        self._meetings = meetings
        self._settings = settings
        self._clock = clock

    async def due_jobs(self, notices: Notices) -> AsyncIterator[Job]:
        """Everything due now, one job at a time, in this order: day-before reminders, start notices, time
        warnings, next-contact reminders, then retention. Each kind is listed when its turn comes (after the
        previous kind's jobs ran)."""
        for convening in await self.due_day_before():
            yield partial(self.send_day_before, convening, notices)
        for convening in await self.due_start_notices():
            yield partial(self.send_start_notice, convening, notices)
        for meeting in await self.due_time_warnings():
            yield partial(self.send_time_warning, meeting, notices)
        for meeting in await self.due_next_contact_reminders():
            yield partial(self.send_next_contact_reminder, meeting, notices)
        yield self.purge_expired_meetings
        yield self.purge_stale_convenings

    # --- what is due -----------------------------------------------------------------------------------

    async def due_day_before(self) -> list[Convening]:
        """Booked convenings starting within the reminder period whose near worker was not reminded yet."""
        now = self._clock()
        ahead = timedelta(hours=self._settings.reminder_hours)
        return [s.convening for s in await self._convenings.due(now + ahead)
                if s.convening.status is ConveningStatus.BOOKED and not s.convening.reminded
                and s.convening.booking is not None and now <= s.convening.booking.start <= now + ahead]

    async def due_start_notices(self) -> list[Convening]:
        """Booked convenings whose meeting starts soon and whose near worker was not told yet."""
        now = self._clock()
        return [s.convening for s in await self._convenings.due(now)
                if s.convening.status is ConveningStatus.BOOKED and not s.convening.start_notified
                and s.convening.booking is not None and s.convening.booking.start - START_NOTICE_AHEAD <= now]

    async def due_time_warnings(self) -> list[Meeting]:
        """Running meetings whose time left has reached the warning threshold and were not warned yet."""
        now = self._clock()
        threshold = timedelta(minutes=self._settings.warn_minutes)
        return [s.meeting for s in await self._meetings.due(now)
                if s.meeting.status is MeetingStatus.RUNNING and not s.meeting.time_warning_sent
                and s.meeting.time_left(now) <= threshold]

    async def due_next_contact_reminders(self) -> list[Meeting]:
        """Finalized meetings whose next contact is within the reminder period, not reminded yet."""
        now = self._clock()
        ahead = timedelta(hours=self._settings.reminder_hours)
        due = []
        for s in await self._meetings.due(now):
            record = s.meeting.finalized
            if (s.meeting.status is MeetingStatus.FINALIZED and not s.meeting.reminder_sent and record
                    and record.next_contact and now <= record.next_contact <= now + ahead):
                due.append(s.meeting)
        return due

    # --- claims (True: this caller sends it; done=False gives it back) ----------------------------------

    async def claim_day_before(self, convening_id: str, *, done: bool = True) -> bool:
        """Claims the day-before reminder of a convening."""
        return await ConveningRecords(self._convenings).claim(
            convening_id, lambda c: c.reminded == done, lambda c: replace(c, reminded=done))

    async def claim_start_notice(self, convening_id: str, *, done: bool = True) -> bool:
        """Claims the start notice of a convening."""
        return await ConveningRecords(self._convenings).claim(
            convening_id, lambda c: c.start_notified == done, lambda c: replace(c, start_notified=done))

    async def claim_time_warning(self, meeting_id: str, *, done: bool = True) -> bool:
        """Claims the time warning of a running meeting."""
        return await MeetingRecords(self._meetings).claim(
            meeting_id, lambda m: m.time_warning_sent == done, lambda m: replace(m, time_warning_sent=done))

    async def claim_next_contact_reminder(self, meeting_id: str, *, done: bool = True) -> bool:
        """Claims the next-contact reminder of a finalized meeting."""
        return await MeetingRecords(self._meetings).claim(
            meeting_id, lambda m: m.reminder_sent == done, lambda m: replace(m, reminder_sent=done))

    # --- claim and send ---------------------------------------------------------------------------------

    async def send_day_before(self, convening: Convening, notices: Notices) -> None:
        """The near worker's day-before reminder, sent once."""
        if await self.claim_day_before(convening.id) and not await notices.day_before(convening.convener_id,
                                                                                       convening):
            await self.claim_day_before(convening.id, done=False)

    async def send_start_notice(self, convening: Convening, notices: Notices) -> None:
        """The near worker's "meeting starts" card, sent once."""
        if await self.claim_start_notice(convening.id) and not await notices.meeting_starts(convening.convener_id,
                                                                                            convening):
            await self.claim_start_notice(convening.id, done=False)

    async def send_time_warning(self, meeting: Meeting, notices: Notices) -> None:
        """The near worker's "move on to the plan" message, sent once."""
        if await self.claim_time_warning(meeting.id) and not await notices.time_running_out(meeting.convener_id,
                                                                                            meeting):
            await self.claim_time_warning(meeting.id, done=False)

    async def send_next_contact_reminder(self, meeting: Meeting, notices: Notices) -> None:
        """The responsible worker's reminder of the next contact (they own the plan's files), sent once."""
        record = meeting.finalized
        if record is None:
            return
        if await self.claim_next_contact_reminder(meeting.id) and not await notices.next_contact_soon(
                record.responsible_email, meeting):
            await self.claim_next_contact_reminder(meeting.id, done=False)

    # --- retention --------------------------------------------------------------------------------------

    async def purge_expired_meetings(self) -> int:
        """Deletes meetings (and their convenings) past the retention period; returns how many."""
        today = self._clock().date()
        purged = 0
        for s in await self._meetings.due(self._clock()):
            if s.meeting.status is MeetingStatus.FINALIZED and s.meeting.delete_after(
                    self._settings.retention_days) < today:
                await self._meetings.delete(s.meeting.id)
                await self._convenings.delete(s.meeting.id)
                purged += 1
        return purged

    async def purge_stale_convenings(self) -> int:
        """Deletes convenings past their keeping time (a draft left untouched for DRAFT_EXPIRY, cancelled,
        or over for the retention period); returns how many."""
        now = self._clock()
        retention = timedelta(days=self._settings.retention_days)
        purged = 0
        for stored in await self._convenings.due(now):
            c = stored.convening
            over = c.booking is not None and c.booking.end + retention < now
            if is_draft(c) and draft_expires_at(c) > now:
                continue  # changed since it was indexed: a draft expires only when left untouched
            if c.status is not ConveningStatus.BOOKED or over:
                await self._convenings.delete(c.id)
                purged += 1
        return purged
