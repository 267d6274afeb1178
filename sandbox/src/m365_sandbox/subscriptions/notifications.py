"""Sending to subscribers: the validation handshake, change and lifecycle notifications, retries, a log.

Notifications leave in background tasks shortly after the request that caused them (``delay``),
are retried with a growing pause when the receiver does not answer 2xx within ``timeout``, and
every attempt is visible in ``GET /_admin/notifications``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import quote

import aiohttp

_log = logging.getLogger("sandbox.notifications")
DeliveryKind = Literal["validation", "change", "lifecycle"]
_FAILED = "Subscription validation request failed."


@dataclass(frozen=True)
class DeliveryConfig:
    """How the sandbox delivers (Graph: 10 s for the handshake, 3 s per notification, retries for hours)."""

    delay_seconds: float = 0.05
    timeout_seconds: float = 3.0
    validation_timeout_seconds: float = 10.0
    attempts: int = 4
    backoff_seconds: float = 0.2


@dataclass
class Delivery:
    """One message to a subscriber and what became of it."""

    id: int
    kind: DeliveryKind
    url: str
    subscription_id: str | None
    payload: dict[str, Any] | None
    created: str
    status: Literal["pending", "delivered", "failed"] = "pending"
    attempts: int = 0
    responses: list[int | str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The admin API's view."""
        return {
            "id": self.id,
            "kind": self.kind,
            "subscriptionId": self.subscription_id,
            "url": self.url,
            "status": self.status,
            "attempts": self.attempts,
            "responses": list(self.responses),
            "created": self.created,
            "payload": self.payload,
        }


def _status_name(status: int) -> str:
    """The .NET-style status name Graph quotes, e.g. ``InternalServerError``."""
    try:
        return HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return str(status)


class Notifier:
    """Talks to notification endpoints with one shared HTTP client session."""

    def __init__(self, config: DeliveryConfig | None = None, log_size: int = 1000,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.config = config or DeliveryConfig()
        self._clock = clock  # the sandbox clock: the log's stamps move with it
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._log: deque[Delivery] = deque(maxlen=log_size)
        self._ids = itertools.count(1)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Stop pending deliveries and close the HTTP session."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    # --- the validation handshake --------------------------------------------------------

    async def validate(self, url: str, subscription_id: str | None = None) -> str | None:
        """POST ``url?validationToken=…``; None when the endpoint echoed the token, else Graph's message."""
        token = f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"
        target = f"{url}{'&' if '?' in url else '?'}validationToken={quote(token, safe='')}"
        delivery = self._record("validation", url, subscription_id, None)
        delivery.attempts = 1
        timeout = aiohttp.ClientTimeout(total=self.config.validation_timeout_seconds)
        try:
            async with self._client().post(
                target, data=b"", headers={"Content-Type": "text/plain; charset=utf-8"}, timeout=timeout
            ) as response:
                body = await response.text()
                status, content_type = response.status, response.content_type
        except TimeoutError:
            return self._finish_validation(delivery, "timeout", "Subscription validation request timed out.")
        except aiohttp.ClientError as exc:
            message = f"{_FAILED} Notification endpoint must respond with 200 OK to validation request."
            return self._finish_validation(delivery, type(exc).__name__, message)
        if status != HTTPStatus.OK:
            phrase = _status_name(status)
            message = (
                f"{_FAILED} HTTP status code is '{phrase}'. "
                "Notification endpoint must respond with 200 OK to validation request."
            )
            return self._finish_validation(delivery, status, message)
        if content_type != "text/plain" or body != token:
            message = f"{_FAILED} Response must exactly match validationToken query parameter."
            return self._finish_validation(delivery, status, message)
        return self._finish_validation(delivery, status, None)

    @staticmethod
    def _finish_validation(delivery: Delivery, response: int | str, message: str | None) -> str | None:
        delivery.responses.append(response)
        delivery.status = "failed" if message else "delivered"
        return message

    # --- notifications -------------------------------------------------------------------

    def send(self, kind: DeliveryKind, url: str, subscription_id: str, entries: list[dict[str, Any]]) -> Delivery:
        """Queue ``{"value": entries}`` for ``url``; it is sent from a background task."""
        delivery = self._record(kind, url, subscription_id, {"value": entries})
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            _log.warning("no event loop: %s notification to %s not sent", kind, url)
            delivery.status = "failed"
            return delivery
        task = loop.create_task(self._deliver(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return delivery

    async def _deliver(self, delivery: Delivery) -> None:
        await asyncio.sleep(self.config.delay_seconds)
        body = json.dumps(delivery.payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        timeout = aiohttp.ClientTimeout(total=self.config.timeout_seconds)
        for attempt in range(1, self.config.attempts + 1):
            delivery.attempts = attempt
            try:
                async with self._client().post(delivery.url, data=body, headers=headers, timeout=timeout) as response:
                    await response.read()
                    delivery.responses.append(response.status)
                    if 200 <= response.status < 300:
                        delivery.status = "delivered"
                        return
            except (TimeoutError, aiohttp.ClientError) as exc:
                delivery.responses.append(type(exc).__name__)
            if attempt < self.config.attempts:
                await asyncio.sleep(self.config.backoff_seconds * 2 ** (attempt - 1))
        delivery.status = "failed"
        _log.info("gave up on %s notification %s to %s", delivery.kind, delivery.id, delivery.url)

    # --- the log -------------------------------------------------------------------------

    def _record(
        self, kind: DeliveryKind, url: str, subscription_id: str | None, payload: dict[str, Any] | None
    ) -> Delivery:
        stamp = self._clock().isoformat().replace("+00:00", "Z")
        delivery = Delivery(next(self._ids), kind, url, subscription_id, payload, stamp)
        self._log.append(delivery)
        return delivery

    def snapshot(self) -> dict[str, Any]:
        """Every logged delivery (oldest first) with counts by kind and status."""
        entries = list(self._log)
        counts: dict[str, int] = {}
        for entry in entries:
            for key in (entry.kind, entry.status):
                counts[key] = counts.get(key, 0) + 1
        return {
            "pending": sum(1 for e in entries if e.status == "pending"),
            "counts": dict(sorted(counts.items())),
            "deliveries": [entry.to_json() for entry in entries],
        }

    def reset(self) -> None:
        """Forget the log (deliveries still under way finish)."""
        self._log.clear()
