"""Counting Graph requests per method and route template (read by benchmarks via /_admin/requests)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any


class RequestCounter:
    """Counts /v1.0 requests by ``"METHOD /route/{template}"`` and injected faults by kind."""

    def __init__(self) -> None:
        self._routes: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._statuses: Counter[str] = Counter()
        self._since = datetime.now(UTC)

    def record(self, key: str) -> None:
        """Count one request."""
        self._routes[key] += 1

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
            "byStatus": dict(sorted(self._statuses.items())),
            "faults": dict(sorted(self._faults.items())),
            "since": self._since.isoformat().replace("+00:00", "Z"),
        }

    def reset(self) -> None:
        """Start counting from zero."""
        self._routes.clear()
        self._faults.clear()
        self._statuses.clear()
        self._since = datetime.now(UTC)
