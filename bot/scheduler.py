"""The rounds of work that happens at a time rather than on a click (services.housekeeping decides what is
due and claims it), and the cards those notices are (the services' Notices port)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime

from bot.proactive import Messenger
from bot.safe_logging import log_failure, new_reference
from cards.meeting_steps import time_warning_card
from cards.reminders import day_before_card, next_contact_reminder_card, start_notice_card
from domain.convening import Convening
from domain.meeting import Meeting
from services.housekeeping import Housekeeping
from services.ports import Notices
from services.teams import TeamRegistry
from state.media import MediaStore

log = logging.getLogger(__name__)


class CardNotices:
    """The Notices port: each notice is a card in the person's personal chat."""

    def __init__(self, messenger: Messenger, teams: TeamRegistry, clock: Callable[[], datetime]) -> None:
        self._messenger = messenger
        self._teams = teams
        self._clock = clock

    async def day_before(self, user: str, convening: Convening) -> bool:
        """The day-before card, with the family's invitation text and "Aloita Yhdessä aika"."""
        return await self._messenger.send(user, day_before_card(convening, self._teams.team(convening.team_key),
                                                                convening.lang))

    async def meeting_starts(self, user: str, convening: Convening) -> bool:
        """The "meeting starts" card."""
        return await self._messenger.send(user, start_notice_card(convening, self._teams.team(convening.team_key),
                                                                  convening.lang))

    async def time_running_out(self, user: str, meeting: Meeting) -> bool:
        """The time warning."""
        return await self._messenger.send(user, time_warning_card(meeting, self._clock(), meeting.lang))

    async def next_contact_soon(self, user: str, meeting: Meeting) -> bool:
        """The next-contact reminder."""
        return await self._messenger.send(user, next_contact_reminder_card(meeting, meeting.lang))


class Scheduler:
    """One ``tick`` does everything due; ``run`` ticks periodically until cancelled."""

    def __init__(self, housekeeping: Housekeeping, notices: Notices, media: MediaStore,
                 interval_seconds: float = 30.0, extra_jobs: Sequence[Callable[[], Awaitable[object]]] = ()) -> None:
        self._housekeeping = housekeeping
        self._notices = notices
        self._media = media
        self._interval = interval_seconds
        self._extra_jobs = tuple(extra_jobs)

    async def tick(self) -> None:
        """Sends what is due and deletes what has expired. Each item is independent of the others."""
        async for job in self._housekeeping.due_jobs(self._notices):
            await self._once(job())
        await self._once(self._media.purge())
        for job in self._extra_jobs:
            await self._once(job())

    async def run(self) -> None:
        """Ticks every ``interval_seconds`` (started with the web app, cancelled on shutdown)."""
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)

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
