"""Counting Graph requests per method and route template (read by benchmarks via /_admin/requests)."""

from __future__ import annotations

import time
from collections import Counter, deque
from datetime import UTC, datetime
from typing import Any

#: How many requests ``requests`` of the snapshot keeps (the latest).
LOG_SIZE = 2000


class RequestCounter:
    """Counts /v1.0 requests by ``"METHOD /route/{template}"`` and injected faults by kind.

    Round trips per route count the waits a client sees: a request that arrives while another of the same
    route is still being answered joins that one's round trip (concurrent requests, e.g. getSchedule
    split into batches of 20 schedules). Meaningful when answers take a while (inject latency).

    ``roundTrips`` counts the same over every route: the waits a client doing one thing sees one after another
    (a request that starts while none is being answered begins a new wait; the finalize click's uploads and
    event together are one). ``requests`` lists each request's route, start and end (seconds since the count
    began), for a reader who must leave out requests that were not the client's (e.g. a webhook's reads).
    """

    def __init__(self) -> None:
        self._routes: Counter[str] = Counter()
        self._round_trips: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._busy = 0  # requests being answered, all routes
        self._waits = 0
        self._log: deque[list[Any]] = deque(maxlen=LOG_SIZE)  # [route, start, end or None]
        self._started = time.monotonic()
        self._faults: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()
        self._since = datetime.now(UTC)

    def record(self, key: str) -> list[Any]:
        """Count one request (``finished`` must follow when it has been answered, with what this returned)."""
        self._routes[key] += 1
        if self._in_flight[key] <= 0:
            self._round_trips[key] += 1
        self._in_flight[key] += 1
        if self._busy <= 0:
            self._waits += 1
        self._busy += 1
        entry = [key, round(time.monotonic() - self._started, 4), None]
        self._log.append(entry)
        return entry

    def finished(self, key: str, entry: list[Any] | None = None) -> None:
        """The request counted by ``record`` (which returned ``entry``) has been answered."""
        self._in_flight[key] -= 1
        self._busy -= 1
        if entry is not None:
            entry[2] = round(time.monotonic() - self._started, 4)

    def record_fault(self, kind: str) -> None:
        """Count one injected fault ("429", "503" or "drop")."""
        self._faults[kind] += 1

    def record_status(self, status: int) -> None:
        """Count one response status."""
        self._statuses[str(status)] += 1

    def snapshot(self) -> dict[str, Any]:
        """The counters as JSON."""
        return {
            "total": sum(self._routes.values()),
            "byRoute": dict(sorted(self._routes.items())),
            "roundTripsByRoute": dict(sorted(self._round_trips.items())),
            "roundTrips": self._waits,
            "requests": [{"route": r, "start": s, "end": e} for r, s, e in self._log],
            "byStatus": dict(sorted(self._statuses.items())),
            "faults": dict(sorted(self._faults.items())),
            "since": self._since.isoformat().replace("+00:00", "Z"),
        }

    def reset(self) -> None:
        """Start counting from zero."""
        self._routes.clear()
        self._round_trips.clear()  # requests still in flight finish into the new count harmlessly
        self._waits = 0
        self._log.clear()
        self._started = time.monotonic()
        self._faults.clear()
        self._statuses.clear()
        self._since = datetime.now(UTC)
