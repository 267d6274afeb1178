"""Exchange's transport between mailboxes: deliveries now (the default) or later, shuffled and doubled.

Real Exchange is asynchronous: an invitation reaches an attendee's calendar and Inbox a moment after the
organizer's request returned, answers and change notifications can arrive out of order, and a message is
sometimes delivered twice. With ``delay_seconds > 0`` the sandbox plays that: deliveries wait (real
seconds; their timestamps still come from the sandbox clock), each batch is shuffled with a seeded
:class:`random.Random` when ``reorder``, and every delivery runs twice when ``duplicate``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_log = logging.getLogger("sandbox.transport")


@dataclass(frozen=True)
class TransportConfig:
    """How deliveries between mailboxes travel (all off: synchronous, as inside one request)."""

    delay_seconds: float = 0.0
    reorder: bool = False
    duplicate: bool = False
    seed: int = 0

    def __post_init__(self) -> None:
        if self.delay_seconds < 0:
            raise ValueError("delivery delay_seconds must not be negative")

    @property
    def synchronous(self) -> bool:
        """Whether every delivery happens at once, inside the request that caused it."""
        return self.delay_seconds <= 0 and not self.reorder and not self.duplicate

    def to_json(self) -> dict[str, Any]:
        """The admin API's view."""
        return {
            "delay_seconds": self.delay_seconds, "reorder": self.reorder, "duplicate": self.duplicate,
            "seed": self.seed,
        }


class Transport:
    """Runs deliveries (callables) now, or later in batches on the running event loop."""

    def __init__(self, config: TransportConfig | None = None) -> None:
        self.config = config or TransportConfig()
        self._random = random.Random(self.config.seed)  # noqa: S311 - a reproducible order, not security
        self._pending: list[tuple[str, Callable[[], object]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self.delivered = 0
        self.labels: list[str] = []  # what was delivered, in order (for the admin API and tests)

    def send(self, label: str, action: Callable[[], object]) -> None:
        """Deliver ``action`` (described by ``label``): now when synchronous, else after the delay."""
        if self.config.synchronous:
            self._run(label, action)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script using the services directly): deliver now
            self._run(label, action)
            return
        copies = 2 if self.config.duplicate else 1
        self._pending.extend([(label, action)] * copies)
        if self._timer is None:
            self._timer = loop.call_later(self.config.delay_seconds, self._flush)

    @property
    def pending(self) -> int:
        """How many deliveries are waiting."""
        return len(self._pending)

    def _flush(self) -> None:
        self._timer = None
        batch, self._pending = self._pending, []
        if self.config.reorder:
            self._random.shuffle(batch)
        for label, action in batch:
            self._run(label, action)

    def _run(self, label: str, action: Callable[[], object]) -> None:
        try:
            action()
        except Exception:  # noqa: BLE001 - a failed delivery is logged; it must not stop the others
            _log.exception("delivery %r failed", label)
            return
        self.delivered += 1
        self.labels.append(label)
        del self.labels[:-1000]

    def close(self) -> None:
        """Drop deliveries still waiting (the sandbox is stopping)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()

    def snapshot(self) -> dict[str, Any]:
        """The admin API's view: configuration, waiting and delivered counts, recent labels."""
        return {
            "config": self.config.to_json(), "pending": self.pending, "delivered": self.delivered,
            "recent": self.labels[-50:],
        }
