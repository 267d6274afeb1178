"""Work that happens at a time rather than on a click: start notices, time warnings, reminders, retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import timedelta

from microsoft_teams.cards import AdaptiveCard

from bot.media import MediaStore
from bot.proactive import Messenger
from bot.safe_logging import log_failure, new_reference
from domain.convening import Convening
from domain.meeting import Meeting
from services.convening_service import ConveningService
from services.meeting_service import MeetingService

log = logging.getLogger(__name__)


class CardsForSchedule:
    """The cards the scheduler sends (built by the bot's card modules)."""

    def __init__(self, start_notice: Callable[[Convening], AdaptiveCard],
                 time_warning: Callable[[Meeting], AdaptiveCard],
                 reminder: Callable[[Meeting], AdaptiveCard],
                 day_before: Callable[[Convening], AdaptiveCard]) -> None:
        self.start_notice = start_notice
        self.time_warning = time_warning
        self.reminder = reminder
        self.day_before = day_before


class Scheduler:
    """One ``tick`` does everything due; ``run`` ticks periodically until cancelled."""

    def __init__(self, convenings: ConveningService, meetings: MeetingService, messenger: Messenger,
                 media: MediaStore, cards: CardsForSchedule, interval_seconds: float = 30.0,
                 extra_jobs: Sequence[Callable[[], Awaitable[object]]] = ()) -> None:
        self._convenings = convenings
        self._meetings = meetings
        self._messenger = messenger
        self._media = media
        self._cards = cards
        self._interval = interval_seconds
        self._extra_jobs = tuple(extra_jobs)

    async def tick(self) -> None:
        """Sends what is due and deletes what has expired. Each item is independent of the others."""
        reminder_ahead = timedelta(hours=self._meetings.settings.reminder_hours)
        for convening in await self._convenings.due_reminders(reminder_ahead):
            await self._once(self._remind_day_before(convening))
        for convening in await self._convenings.due_start_notices():
            await self._once(self._notify_start(convening))
        for meeting in await self._meetings.due_time_warnings():
            await self._once(self._warn(meeting))
        for meeting in await self._meetings.due_reminders():
            await self._once(self._remind(meeting))
        await self._once(self._meetings.purge_expired())
        retention = timedelta(days=self._meetings.settings.retention_days)
        await self._once(self._convenings.purge_stale(retention))
        await self._once(self._media.purge())
        for job in self._extra_jobs:
            await self._once(job())

    async def run(self) -> None:
        """Ticks every ``interval_seconds`` (started with the web app, cancelled on shutdown)."""
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)

    # Each job claims its item first (an eTag-guarded flag), so with several instances exactly one sends;
    # a failed send gives the claim back for the next tick.

    async def _remind_day_before(self, convening: Convening) -> None:
        if await self._convenings.mark_reminded(convening.id) and not await self._messenger.send(
                convening.convener_id, self._cards.day_before(convening)):
            await self._convenings.mark_reminded(convening.id, done=False)

    async def _notify_start(self, convening: Convening) -> None:
        if await self._convenings.mark_start_notified(convening.id) and not await self._messenger.send(
                convening.convener_id, self._cards.start_notice(convening)):
            await self._convenings.mark_start_notified(convening.id, done=False)

    async def _warn(self, meeting: Meeting) -> None:
        if await self._meetings.mark_warned(meeting.id) and not await self._messenger.send(
                meeting.convener_id, self._cards.time_warning(meeting)):
            await self._meetings.mark_warned(meeting.id, done=False)

    async def _remind(self, meeting: Meeting) -> None:
        record = meeting.finalized
        if record is None:
            return
        if await self._meetings.mark_reminded(meeting.id) and not await self._messenger.send(
                record.drive_owner, self._cards.reminder(meeting)):
            await self._meetings.mark_reminded(meeting.id, done=False)

    @staticmethod
    async def _once(job: Awaitable[object]) -> None:
        try:
            await job
        except Exception as err:  # noqa: BLE001 - one failing item must not stop the others; retried next tick
            log_failure(log, "scheduled job", err, new_reference())


@contextlib.asynccontextmanager
async def running(scheduler: Scheduler) -> AsyncIterator[None]:
    """Runs the scheduler in the background for the context's lifetime."""
    task = asyncio.create_task(scheduler.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
