"""Work leases on the document store: which bot instance is doing a piece of card work (booking, finalizing)
right now, so a double click, a Teams retry or another instance joins or waits instead of starting it again.

One document per work key in collection ``work``: the holder (the instance's stable name), the holder's
boot (this life of the process) and the time the lease runs until. The holder renews it while the work runs;
it expires after a crash, and a lease left by an earlier life of the same instance is taken over at once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "work"


class WorkLeases:
    """Leases of one bot instance (``instance``: stable across restarts, distinct between instances)."""

    def __init__(self, documents: DocumentStore, *, instance: str, lease_seconds: float,
                 clock: Callable[[], float]) -> None:
        self._docs = documents
        self._instance = instance
        self._lease = lease_seconds
        self._clock = clock
        self._boot = secrets.token_hex(8)  # this life of the instance

    @property
    def lease_seconds(self) -> float:
        """How long a lease lasts unless renewed."""
        return self._lease

    def _body(self) -> str:
        return json.dumps({"until": self._clock() + self._lease, "holder": self._instance, "boot": self._boot})

    async def claim(self, key: str) -> bool:
        """Takes the lease if free, expired, or left by an earlier life of this instance (a crash)."""
        try:
            current = await self._docs.get(_COLLECTION, key)
            if current is None:
                await self._docs.put(_COLLECTION, key, self._body(), if_match=None)
                return True
            lease = json.loads(current.body)
            crashed = lease.get("holder") == self._instance and lease.get("boot") != self._boot
            if float(lease.get("until", 0)) > self._clock() and not crashed:
                return False
            await self._docs.put(_COLLECTION, key, self._body(), if_match=current.etag)
        except ETagMismatchError:
            return False
        return True

    async def renew(self, key: str) -> None:
        """Extends the lease this instance holds."""
        await self._docs.put(_COLLECTION, key, self._body(), if_match="*")

    async def release(self, key: str) -> None:
        """Gives the lease up (the work is done)."""
        await self._docs.delete(_COLLECTION, key)
