"""The StatisticsStore port on the document store.

Two collections:

* ``statistics``: one document per team and year (key ``"<team>:<year>"``), counters only
  (domain.statistics.TeamYear): no family reference, worker or record id;
* ``statistics_once``: one empty document per counted event, keyed by the event's SHA-256 digest
  (domain.statistics.once_key), due for deletion after ``remember_for``; it only says "counted".

Counting first claims the digest (create-if-absent: with several instances exactly one wins), then
updates the counters with eTag retries; if that fails the claim is given back, so a retry counts it.
A crash between the two loses that one count rather than counting it twice (at most once).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import TypeAdapter

from domain.statistics import TeamYear
from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "statistics"
_ONCE = "statistics_once"
#: Concurrent writers of the same team's year: how many times to re-read and re-apply.
_ATTEMPTS = 25


class DocumentStatisticsStore:
    """Counters per team and year, and which events were counted, on the document store."""

    def __init__(self, documents: DocumentStore, clock: Callable[[], datetime],
                 remember_for: timedelta = timedelta(days=400)) -> None:
        self._docs = documents
        self._clock = clock
        self._remember_for = remember_for
        self._codec: TypeAdapter[TeamYear] = TypeAdapter(TeamYear)

    async def apply_once(self, once: str, team_key: str, year: int,
                         change: Callable[[TeamYear], TeamYear]) -> bool:
        """Applies ``change`` unless ``once`` was counted already; True when counted now."""
        expires = (self._clock() + self._remember_for).timestamp()
        try:
            await self._docs.put(_ONCE, once, json.dumps({"expires": expires}), if_match=None, due=expires)
        except ETagMismatchError:
            return False  # counted before (or being counted right now by another turn)
        try:
            await self._update(team_key, year, change)
        except BaseException:
            await self._docs.delete(_ONCE, once)  # give the claim back: a retry counts it
            raise
        return True

    async def _update(self, team_key: str, year: int, change: Callable[[TeamYear], TeamYear]) -> None:
        key = _key(team_key, year)
        for attempt in range(_ATTEMPTS):
            doc = await self._docs.get(_COLLECTION, key)
            current = self._codec.validate_json(doc.body) if doc else TeamYear(team_key, year)
            body = self._codec.dump_json(change(current)).decode()
            try:
                await self._docs.put(_COLLECTION, key, body, if_match=doc.etag if doc else None)
            except ETagMismatchError:
                await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))  # noqa: S311 - jitter, not secrecy
                continue
            return
        raise ETagMismatchError(key)

    async def year(self, team_key: str, year: int) -> TeamYear:
        """The team's counters of ``year`` (empty when nothing was counted)."""
        doc = await self._docs.get(_COLLECTION, _key(team_key, year))
        return self._codec.validate_json(doc.body) if doc else TeamYear(team_key, year)

    async def purge(self) -> int:
        """Deletes the expired "counted" marks; returns how many."""
        expired = await self._docs.due_before(_ONCE, self._clock().timestamp())
        for key, _ in expired:
            await self._docs.delete(_ONCE, key)
        return len(expired)


def _key(team_key: str, year: int) -> str:
    return f"{team_key}:{year:04d}"
