"""Graph's change and lifecycle notifications: ``POST /api/graph/notifications`` and ``/api/graph/lifecycle``.

What Graph asks of a receiver, and how this one answers:

- **Validation handshake** (on subscription create and when the URL changes): a POST with
  ``?validationToken=…`` is answered at once with 200, ``text/plain`` and exactly the URL-decoded
  token (Graph allows 10 s).
- **Notifications**: answered with 202 Accepted as soon as every item's ``clientState`` has been
  checked against the stored secret; the work (re-reading the event, updating the near worker's
  card) happens after the response, in tasks this object owns (Graph allows 3 s, then retries).
  Items that fail the check are dropped and counted, and the answer is still 202: a forger learns
  nothing, and a stale genuine notification (from a subscription replaced meanwhile) is not worth
  Graph's retries. A body that is not JSON, has no ``value`` list or is too big gets 400.
- Graph retries and may repeat a delivery: an item seen within ``dedup_seconds`` (same subscription,
  event, change type and event change key) is processed once.
- Lifecycle notifications (also accepted on the notification URL, as Graph allows the same URL for
  both) go to ``SubscriptionService.on_lifecycle``; a resync it asks for calls ``on_missed``.

Logs carry subscription ids and counts only: never clientState, event data or exception text.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

from aiohttp import web

from bot.paths import LIFECYCLE, NOTIFICATIONS
from bot.safe_logging import log_failure, new_reference
from services.subscription_service import (
    ChangeCallback,
    LifecycleEvent,
    LifecycleOutcome,
    MissedCallback,
    RenewalReport,
)

log = logging.getLogger(__name__)

NOTIFICATIONS_PATH = NOTIFICATIONS
LIFECYCLE_PATH = LIFECYCLE
#: Larger bodies are refused (Graph batches basic notifications of well under 1 KB each).
MAX_BODY_BYTES = 256 * 1024
MAX_ITEMS = 1000
#: Graph's tokens are short; a long one is not Graph's.
MAX_TOKEN_CHARS = 2048
CHANGE_TYPES = frozenset({"created", "updated", "deleted"})
_LIFECYCLE_EVENTS = frozenset(event.value for event in LifecycleEvent)
_EVENT_IN_RESOURCE = re.compile(r"(?:^|/)events(?:\('(?P<quoted>[^']+)'\)|/(?P<plain>.+?))/?$", re.IGNORECASE)
_PLAIN_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"))


class SubscriptionHandler(Protocol):
    """What the webhook needs of services.subscription_service.SubscriptionService."""

    async def verify(self, subscription_id: str, client_state: str | None) -> str | None:
        """The organizer of a genuine notification, else None."""
        ...

    async def on_lifecycle(self, subscription_id: str, event: str, client_state: str | None
                           ) -> LifecycleOutcome | None:
        """Acts on a lifecycle notification."""
        ...

    async def renew_due(self) -> RenewalReport:
        """Renews what is due."""
        ...


@dataclass(frozen=True)
class _Change:
    organizer_id: str
    event_id: str
    change_type: str


@dataclass(frozen=True)
class _Lifecycle:
    subscription_id: str
    event: str
    client_state: str


def event_id_from_resource(resource: object) -> str | None:
    """The event id in a notification's ``resource``: ``Users/{id}/Events/{id}``, ``users('…')/events('…')``,
    ``…/calendars/{id}/events/{id}``; None when there is none."""
    if not isinstance(resource, str) or not resource:
        return None
    match = _EVENT_IN_RESOURCE.search(unquote(resource.strip()))
    if match is None:
        return None
    return match.group("quoted") or match.group("plain") or None


def _event_id(item: dict[str, Any]) -> str | None:
    found = event_id_from_resource(item.get("resource"))
    if found:
        return found
    data = item.get("resourceData")
    if isinstance(data, dict):
        ident = data.get("id")
        if isinstance(ident, str) and ident:
            return ident
        return event_id_from_resource(data.get("@odata.id"))
    return None


def _change_key(item: dict[str, Any]) -> str:
    data = item.get("resourceData")
    etag = data.get("@odata.etag") if isinstance(data, dict) else None
    return etag if isinstance(etag, str) else ""


class GraphWebhook:
    """The two notification endpoints; owns the background tasks that process accepted notifications."""

    def __init__(self, service: SubscriptionHandler, on_change: ChangeCallback, on_missed: MissedCallback, *,
                 dedup_seconds: float = 600.0, dedup_max_entries: int = 10_000, drain_seconds: float = 5.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._service = service
        self._on_change = on_change
        self._on_missed = on_missed
        self._dedup_seconds = dedup_seconds
        self._dedup_max = dedup_max_entries
        self._drain_seconds = drain_seconds
        self._monotonic = monotonic
        self._seen: OrderedDict[tuple[str, str, str, str], float] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def routes(self) -> list[web.RouteDef]:
        """``POST /api/graph/notifications`` and ``POST /api/graph/lifecycle`` (no Bot Framework auth: Graph
        authenticates itself through each subscription's clientState)."""
        return [web.post(NOTIFICATIONS_PATH, self._receive), web.post(LIFECYCLE_PATH, self._receive)]

    @property
    def pending(self) -> int:
        """How many accepted batches are still being processed."""
        return len(self._tasks)

    async def drain(self) -> None:
        """Waits until every accepted batch has been processed (tests, graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        """Stops accepting notifications (503: Graph retries later), lets running work finish for up to
        ``drain_seconds`` and cancels the rest."""
        self._closed = True
        tasks = list(self._tasks)
        if not tasks:
            return
        _, still_running = await asyncio.wait(tasks, timeout=self._drain_seconds)
        for task in still_running:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def renew_subscriptions(self) -> RenewalReport:
        """The scheduler's job: renews what is due and resyncs organizers whose subscription was recreated."""
        report = await self._service.renew_due()
        for organizer_id in report.resync:
            await self._guarded("graph resync", self._on_missed(organizer_id))
        if report.renewed or report.recreated or report.failed:
            log.info("graph subscriptions renewed=%d recreated=%d skipped=%d failed=%d",
                     report.renewed, report.recreated, report.skipped, report.failed)
        return report

    # --- HTTP ------------------------------------------------------------------------------

    async def _receive(self, request: web.Request) -> web.Response:
        token = request.query.get("validationToken")
        if token is not None:
            return self._handshake(token)
        if self._closed:
            return web.Response(status=503, headers={"Retry-After": "30"})
        body = await _read_limited(request)
        if body is None:
            return _bad_request("body too large")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # ValueError covers UnicodeDecodeError
            return _bad_request("body is not JSON")
        items = payload.get("value") if isinstance(payload, dict) else None
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            return _bad_request("no value list")
        try:
            changes, lifecycle, dropped, duplicates = await self._accept(items)
        except Exception as err:  # noqa: BLE001 - the store failed: Graph retries on 5xx
            log_failure(log, "graph notification check", err, new_reference())
            return web.Response(status=503, headers={"Retry-After": "10"})
        if dropped:
            log.warning("graph notifications dropped unverified=%d of %d", dropped, len(items))
        if changes or lifecycle:
            self._spawn(self._process(changes, lifecycle))
        log.info("graph notifications accepted changes=%d lifecycle=%d duplicates=%d",
                 len(changes), len(lifecycle), duplicates)
        return web.Response(status=202)

    @staticmethod
    def _handshake(token: str) -> web.Response:
        if not token or len(token) > MAX_TOKEN_CHARS:
            return _bad_request("bad validationToken")
        return web.Response(status=200, text=token, content_type="text/plain", headers=_PLAIN_HEADERS)

    async def _accept(self, items: list[object]) -> tuple[list[_Change], list[_Lifecycle], int, int]:
        """Verifies each item; returns the changes and lifecycle events to process and the counts left out."""
        changes: list[_Change] = []
        lifecycle: list[_Lifecycle] = []
        dropped = duplicates = 0
        verified: dict[tuple[str, str], str | None] = {}
        for item in items:
            if not isinstance(item, dict):
                dropped += 1
                continue
            subscription_id, client_state = item.get("subscriptionId"), item.get("clientState")
            if not isinstance(subscription_id, str) or not isinstance(client_state, str):
                dropped += 1
                continue
            key = (subscription_id, client_state)
            if key not in verified:
                verified[key] = await self._service.verify(subscription_id, client_state)
            organizer_id = verified[key]
            if organizer_id is None:
                dropped += 1
                continue
            event = item.get("lifecycleEvent")
            if isinstance(event, str):
                lifecycle.append(_Lifecycle(subscription_id, event, client_state))
                continue
            change_type, event_id = item.get("changeType"), _event_id(item)
            if change_type not in CHANGE_TYPES or event_id is None:
                dropped += 1
                continue
            if self._seen_before((subscription_id, event_id, str(change_type), _change_key(item))):
                duplicates += 1
                continue
            changes.append(_Change(organizer_id, event_id, str(change_type)))
        return changes, lifecycle, dropped, duplicates

    def _seen_before(self, key: tuple[str, str, str, str]) -> bool:
        now = self._monotonic()
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now and len(self._seen) < self._dedup_max:
                break
            del self._seen[oldest]
        if key in self._seen:
            return True
        self._seen[key] = now + self._dedup_seconds
        return False

    # --- after the response --------------------------------------------------------------

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, changes: list[_Change], lifecycle: list[_Lifecycle]) -> None:
        for item in lifecycle:
            await self._guarded("graph lifecycle notification", self._lifecycle(item))
        for change in changes:
            await self._guarded("graph change notification",
                                self._on_change(change.organizer_id, change.event_id, change.change_type))

    async def _lifecycle(self, item: _Lifecycle) -> None:
        outcome = await self._service.on_lifecycle(item.subscription_id, item.event, item.client_state)
        event = item.event if item.event in _LIFECYCLE_EVENTS else "unknown"
        if outcome is None:
            log.warning("graph lifecycle %s ignored subscription=%s", event, item.subscription_id)
            return
        log.info("graph lifecycle %s subscription=%s outcome=%s", event, item.subscription_id, outcome.outcome)
        if outcome.resync:
            await self._on_missed(outcome.organizer_id)

    @staticmethod
    async def _guarded(what: str, job: Coroutine[Any, Any, object]) -> None:
        try:
            await job
        except Exception as err:  # noqa: BLE001 - notification work must never escape; logged without its text
            log_failure(log, what, err, new_reference())


async def _read_limited(request: web.Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (read no further than that)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)


def _bad_request(reason: str) -> web.Response:
    return web.Response(status=400, text=reason, content_type="text/plain", headers=_PLAIN_HEADERS)
