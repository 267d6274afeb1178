"""Card work within a time budget: past it the invoke is answered "in progress", the work goes on in the
background and the same card is updated in place when it is done.

Teams waits about 15 s for an ``Action.Execute`` answer. Booking and finalizing call Graph several times
(with retries), so they may take longer under throttling. The work is claimed in state (a lease with an
expiry) so a double click, a retry from Teams or another instance never starts it twice; after a crash the
lease expires and the next click resumes the work (booking and finalizing are resumable and idempotent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Protocol

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext
from bot.safe_logging import log_failure, new_reference
from cards.status import notice_card
from i18n.messages import t
from services.errors import ServiceUnavailableError, UserFacingError
from state.leases import WorkLeases

log = logging.getLogger(__name__)
#: How often a click waits for work another instance holds.
_POLL_SECONDS = 0.25


class CardUpdater(Protocol):
    """Updating a card in a worker's personal chat (bot.proactive.Messenger)."""

    async def update(self, user: str, activity_id: str, card: AdaptiveCard) -> bool:
        """Replaces the card of an earlier message in place."""
        ...

    async def send(self, user: str, card: AdaptiveCard) -> bool:
        """Sends a new message with the card."""
        ...


@dataclass
class _Follower:
    """A click answered "in progress": whose card to update, and when the answer left."""

    user: str
    activity_id: str | None
    answered_at: float


@dataclass
class _Running:
    task: asyncio.Task[AdaptiveCard] | None = None
    followers: list[_Follower] = field(default_factory=list)


class BackgroundWork:
    """Runs card work under a time budget, once per key across clicks, retries and instances."""

    def __init__(self, leases: WorkLeases, cards: CardUpdater, budget_seconds: float, *,
                 settle_seconds: float = 1.0) -> None:
        """``leases`` are this instance's (state.leases); the work is claimed there before it starts."""
        self._leases = leases
        self._cards = cards
        self._budget = budget_seconds
        self._settle = settle_seconds
        self._running: dict[str, _Running] = {}
        self._tasks: set[asyncio.Task[AdaptiveCard]] = set()  # until each has updated its cards too

    async def run(self, key: str, ctx: ActionContext, work: Callable[[], Awaitable[AdaptiveCard]],
                  pending: AdaptiveCard, *, record_id: str | None = None) -> AdaptiveCard:
        """The work's card if it is done within the budget; else ``pending``, and the card follows later.

        ``key`` names the work (kind, record and caller): the same key joins work already under way.
        """
        deadline = time.monotonic() + self._budget
        running = await self._join_or_start(key, deadline, lambda r: self._work(key, r, work, ctx.lang, record_id))
        if running is None:
            return pending  # another instance holds the work; its card update follows
        assert running.task is not None
        task = running.task
        await asyncio.wait({task}, timeout=max(0.0, deadline - time.monotonic()))
        if task.done():
            return task.result()
        running.followers.append(_Follower(ctx.caller.user_id, ctx.message_id, time.monotonic()))
        log.info("card work continues in the background", extra={"work": key.split(":", 1)[0]})
        return pending

    async def wait_idle(self) -> None:
        """Waits for every background work of this process (tests and shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _work(self, key: str, running: _Running, work: Callable[[], Awaitable[AdaptiveCard]], lang: str,
                    record_id: str | None) -> AdaptiveCard:
        renewing = asyncio.create_task(self._renew(key))
        try:
            card = await _guarded(work, lang, record_id)
        finally:
            renewing.cancel()
            self._running.pop(key, None)
            await self._release(key)
        while running.followers:
            follower = running.followers.pop(0)
            # Teams shows the "in progress" answer when the invoke returns: update only after that.
            wait = follower.answered_at + self._settle - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if follower.activity_id and await self._cards.update(follower.user, follower.activity_id, card):
                continue
            await self._cards.send(follower.user, card)
        return card

    async def _join_or_start(self, key: str, deadline: float,
                             start: Callable[[_Running], Coroutine[Any, Any, AdaptiveCard]]) -> _Running | None:
        """Joins the work under way in this process, or claims and starts it; while another instance
        holds it, waits until ``deadline`` (None: still held elsewhere)."""
        while True:
            running = self._running.get(key)
            if running is not None:
                return running
            if await self._leases.claim(key):
                running = self._running.get(key)
                if running is None:
                    running = _Running()
                    self._running[key] = running
                    running.task = asyncio.create_task(start(running))
                    self._tasks.add(running.task)
                    running.task.add_done_callback(self._tasks.discard)
                return running
            if time.monotonic() + _POLL_SECONDS > deadline:
                return None
            await asyncio.sleep(_POLL_SECONDS)

    async def _renew(self, key: str) -> None:
        """Keeps the lease while the work runs (it expires a while after a crash)."""
        while True:
            await asyncio.sleep(self._leases.lease_seconds / 3)
            try:
                await self._leases.renew(key)
            except Exception as err:  # noqa: BLE001 - tried again on the next round
                log_failure(log, "renew work lease", err, new_reference())

    async def _release(self, key: str) -> None:
        try:
            await self._leases.release(key)
        except Exception as err:  # noqa: BLE001 - the lease expires by itself
            log_failure(log, "release work lease", err, new_reference())


async def _guarded(work: Callable[[], Awaitable[AdaptiveCard]], lang: str, record_id: str | None) -> AdaptiveCard:
    """Like the router's guard: the work's card, or a polite notice (never the exception text)."""
    try:
        return await work()
    except UserFacingError as err:
        return notice_card(t(err.key, lang, **err.params), lang, convening_id=record_id)
    except ServiceUnavailableError as err:
        ref = new_reference()
        log_failure(log, "graph call", err, ref)
        return notice_card(t("error.graph_unavailable", lang, ref=ref), lang, convening_id=record_id)
    except Exception as err:  # noqa: BLE001 - the user gets a reference, the log gets the type and place
        ref = new_reference()
        log_failure(log, "card work", err, ref)
        return notice_card(t("error.unexpected", lang, ref=ref), lang)
