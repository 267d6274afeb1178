"""The ConveningStore port on the document store."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import TypeAdapter

from domain.convening import Convening, ConveningStatus
from services.convening_service import START_NOTICE_AHEAD
from services.ports import StaleWriteError, Stored
from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "convening"
#: The earliest a day-before reminder can be due (the reminder period is at most a week).
REMINDER_WINDOW = timedelta(days=7)
#: A convening never booked (or cancelled) is deleted after this: it holds a family reference for nothing.
STALE_DRAFT = timedelta(days=30)


class DocumentConveningStore:
    """Convenings as JSON documents; the convener is the owner for listing."""

    def __init__(self, documents: DocumentStore, retention: timedelta = timedelta(days=365)) -> None:
        self._docs = documents
        self._retention = retention
        self._codec: TypeAdapter[Convening] = TypeAdapter(Convening)

    async def get(self, convening_id: str) -> Stored | None:
        """The convening and its eTag."""
        doc = await self._docs.get(_COLLECTION, convening_id)
        if doc is None:
            return None
        return Stored(self._codec.validate_json(doc.body), doc.etag)

    async def add(self, convening: Convening) -> str:
        """Stores a new convening."""
        try:
            return await self._docs.put(_COLLECTION, convening.id, self._encode(convening), if_match=None,
                                        owner=convening.convener_id, due=self._due(convening))
        except ETagMismatchError as err:
            raise StaleWriteError(convening.id) from err

    async def replace(self, convening: Convening, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        try:
            return await self._docs.put(_COLLECTION, convening.id, self._encode(convening), if_match=etag,
                                        due=self._due(convening))
        except ETagMismatchError as err:
            raise StaleWriteError(convening.id) from err

    async def by_convener(self, convener_id: str) -> list[Convening]:
        """Newest first."""
        docs = await self._docs.by_owner(_COLLECTION, convener_id)
        return [self._codec.validate_json(d.body) for d in reversed(docs)]

    async def due(self, until: datetime) -> list[Stored]:
        """Convenings with scheduled work (the start notice) due by ``until``."""
        rows = await self._docs.due_before(_COLLECTION, until.timestamp())
        return [Stored(self._codec.validate_json(doc.body), doc.etag) for _, doc in rows]

    async def delete(self, convening_id: str) -> None:
        """Removes the convening."""
        await self._docs.delete(_COLLECTION, convening_id)

    def _encode(self, convening: Convening) -> str:
        return self._codec.dump_json(convening).decode()

    def _due(self, convening: Convening) -> float:
        """When the scheduler next looks at the convening: reminders before a booked meeting, else deletion."""
        booking = convening.booking
        if convening.status is ConveningStatus.BOOKED and booking is not None:
            if not convening.reminded:
                return (booking.start - REMINDER_WINDOW).timestamp()
            if not convening.start_notified:
                return (booking.start - START_NOTICE_AHEAD).timestamp()
            return (booking.end + self._retention).timestamp()
        if convening.status in (ConveningStatus.DRAFT, ConveningStatus.PROPOSED, ConveningStatus.CANCELLED):
            return (convening.created_at + STALE_DRAFT).timestamp()
        return (convening.created_at + self._retention).timestamp()
