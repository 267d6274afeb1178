"""Slots the bot has just booked, so two convenings never book the same people at once (no Graph call).

One document per UTC day (collection ``reservation``, key ``YYYY-MM-DD``) lists the live reservations of
that day: owner (the convening id), start, end, the attendees' and room's addresses and when it expires.
A reservation is added with a conditional write (eTag): of two concurrent bookings that share an address
and overlap in time exactly one succeeds, in one process or across instances on the same store.
Reservations live only as long as proposals are trusted without asking Graph again (the freshness window,
doubled); after that Graph's free/busy shows the booked event itself. Expired entries are dropped on the
next write of their day. Nothing of a family is stored: only staff and room addresses and times.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from state.document_store import Document, DocumentStore, ETagMismatchError

_COLLECTION = "reservation"


class _Entry(TypedDict):
    owner: str
    start: float
    end: float
    addresses: list[str]
    expires: float


def _days(start: datetime, end: datetime) -> list[str]:
    """The UTC days [start, end) touches, in order (one document each)."""
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _entries(doc: Document | None, now: float) -> list[_Entry]:
    if doc is None:
        return []
    entries: list[_Entry] = json.loads(doc.body)
    return [e for e in entries if e["expires"] > now and e["end"] > now]


class ReservationIndex:
    """The SlotReservations port on the document store."""

    def __init__(self, documents: DocumentStore, lifetime: timedelta, clock: Callable[[], datetime]) -> None:
        self._docs = documents
        self._lifetime = lifetime
        self._clock = clock

    async def reserve(self, owner: str, addresses: Sequence[str], start: datetime, end: datetime) -> bool:
        """Reserves the slot for ``owner``; False (and nothing kept) when another owner holds an overlapping
        reservation for any of ``addresses``. Reserving the same slot again for the same owner is a no-op."""
        wanted = sorted({a.lower() for a in addresses})
        entry: _Entry = {"owner": owner, "start": start.timestamp(), "end": end.timestamp(), "addresses": wanted,
                         "expires": (self._clock() + self._lifetime).timestamp()}
        done: list[str] = []
        for day in _days(start, end):
            if not await self._add(day, entry):
                for undo in done:
                    await self._remove(undo, owner, entry["start"], entry["end"])
                return False
            done.append(day)
        return True

    async def release(self, owner: str, start: datetime, end: datetime) -> None:
        """Gives ``owner``'s reservation of this slot back (a cancelled or moved meeting)."""
        for day in _days(start, end):
            await self._remove(day, owner, start.timestamp(), end.timestamp())

    async def _add(self, day: str, entry: _Entry) -> bool:
        wanted = set(entry["addresses"])
        while True:
            doc = await self._docs.get(_COLLECTION, day)
            live = _entries(doc, self._clock().timestamp())
            if any(e["owner"] != entry["owner"] and e["start"] < entry["end"] and entry["start"] < e["end"]
                   and wanted.intersection(e["addresses"]) for e in live):
                return False
            kept = [e for e in live if not (e["owner"] == entry["owner"] and e["start"] == entry["start"]
                                            and e["end"] == entry["end"])]
            if await self._write(day, doc, [*kept, entry]):
                return True

    async def _remove(self, day: str, owner: str, start: float, end: float) -> None:
        while True:
            doc = await self._docs.get(_COLLECTION, day)
            if doc is None:
                return
            live = _entries(doc, self._clock().timestamp())
            kept = [e for e in live if not (e["owner"] == owner and e["start"] == start and e["end"] == end)]
            if await self._write(day, doc, kept):
                return

    async def _write(self, day: str, doc: Document | None, entries: list[_Entry]) -> bool:
        """Conditional write of the day's entries; False when someone wrote in between (read again)."""
        due = max((e["expires"] for e in entries), default=self._clock().timestamp())
        try:
            await self._docs.put(_COLLECTION, day, json.dumps(entries), if_match=doc.etag if doc else None,
                                 due=due)
        except ETagMismatchError:
            return False
        return True
