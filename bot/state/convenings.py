"""The ConveningStore port on the document store."""

from __future__ import annotations

from pydantic import TypeAdapter

from bot.state.documents import ETagMismatchError, SqliteDocuments
from domain.convening import Convening
from services.ports import StaleWriteError, Stored

_COLLECTION = "convening"


class DocumentConveningStore:
    """Convenings as JSON documents; the convener is the owner for listing."""

    def __init__(self, documents: SqliteDocuments) -> None:
        self._docs = documents
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
                                        owner=convening.convener_id)
        except ETagMismatchError as err:
            raise StaleWriteError(convening.id) from err

    async def replace(self, convening: Convening, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        try:
            return await self._docs.put(_COLLECTION, convening.id, self._encode(convening), if_match=etag)
        except ETagMismatchError as err:
            raise StaleWriteError(convening.id) from err

    async def by_convener(self, convener_id: str) -> list[Convening]:
        """Newest first."""
        docs = await self._docs.by_owner(_COLLECTION, convener_id)
        return [self._codec.validate_json(d.body) for d in reversed(docs)]

    def _encode(self, convening: Convening) -> str:
        return self._codec.dump_json(convening).decode()
