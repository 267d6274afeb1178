"""Reading convenings: a worker's own, and a mailbox's booked ones (for Outlook's answers and meeting chats)."""

from __future__ import annotations

from domain.convening import Convening, ConveningStatus
from services.caller import Caller
from services.ports import ConveningStore
from services.unit_of_work import ConveningRecords


class ConveningQueries:
    """Read-only views of the convening store."""

    def __init__(self, store: ConveningStore) -> None:
        self._store = store

    async def own(self, convening_id: str, caller: Caller) -> Convening:
        """The caller's convening; others' convenings look the same as missing ones (a polite refusal)."""
        return await ConveningRecords(self._store).own(convening_id, caller)

    async def mine(self, caller: Caller) -> list[Convening]:
        """The caller's convenings, newest first."""
        return await self._store.by_convener(caller.user_id)

    async def booked_by(self, organizer_id: str) -> list[Convening]:
        """The organizer's booked (or being moved) convenings."""
        return [c for c in await self._store.by_convener(organizer_id) if c.booking is not None
                and c.status in (ConveningStatus.BOOKED, ConveningStatus.RESCHEDULING)]

    async def by_event(self, organizer_id: str, event_id: str) -> Convening | None:
        """The organizer's convening whose event this is."""
        for convening in await self._store.by_convener(organizer_id):
            if convening.booking is not None and convening.booking.event_id == event_id:
                return convening
        return None
