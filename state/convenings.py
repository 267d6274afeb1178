"""The ConveningStore port on the document store."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import TypeAdapter

from domain.convening import Convening
from services.errors import StaleWriteError
from services.ports import Stored
from services.schedule import convening_due
from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "convening"


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
        """When housekeeping next looks at the convening (services.schedule)."""
        return convening_due(convening, self._retention).timestamp()
