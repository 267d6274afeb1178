"""The QuestionStore port in memory, with eTags as the document store keeps them; it yields to the event loop
on every read and write, so two answers posted at once really interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.errors import StaleWriteError
from services.ports import AvailabilityQuestion, StoredQuestion


@dataclass
class InMemoryQuestionStore:
    """Questions by token hash; ``reads`` counts lookups, ``stale_writes`` the writes refused on eTags."""

    clock: Callable[[], datetime] | None = None  # for purge; None: purge forgets nothing
    rows: dict[str, tuple[AvailabilityQuestion, str]] = field(default_factory=dict)
    reads: int = 0
    writes: int = 0
    stale_writes: int = 0

    def all(self) -> list[AvailabilityQuestion]:
        """Every question kept (a test's look at the state)."""
        return [question for question, _ in self.rows.values()]

    def _etag(self) -> str:
        self.writes += 1
        return f'"q{self.writes}"'

    async def get(self, token_sha256: str) -> StoredQuestion | None:
        """The question and its eTag."""
        self.reads += 1
        await asyncio.sleep(0)
        found = self.rows.get(token_sha256)
        return StoredQuestion(*found) if found else None

    async def add(self, question: AvailabilityQuestion) -> str:
        """Stores a new question."""
        await asyncio.sleep(0)
        if question.token_sha256 in self.rows:
            self.stale_writes += 1
            raise StaleWriteError(question.token_sha256)
        etag = self._etag()
        self.rows[question.token_sha256] = (question, etag)
        return etag

    async def replace(self, question: AvailabilityQuestion, etag: str) -> str:
        """Saves if still at ``etag``."""
        await asyncio.sleep(0)
        current = self.rows.get(question.token_sha256)
        if current is None or current[1] != etag:
            self.stale_writes += 1
            raise StaleWriteError(question.token_sha256)
        new = self._etag()
        self.rows[question.token_sha256] = (question, new)
        return new

    async def delete(self, token_sha256: str) -> None:
        """Removes the question."""
        self.rows.pop(token_sha256, None)

    async def purge(self) -> int:
        """Forgets questions expired by the clock's now."""
        if self.clock is None:
            return 0
        now = self.clock()
        expired = [key for key, (q, _) in self.rows.items() if q.expires <= now]
        for key in expired:
            del self.rows[key]
        return len(expired)
