"""The SubscriptionStore port on the document store.

One document per organizer (key = organizer id) in collection ``subscription``. The document's
``due`` is the record's renewal time, so ``renew_due`` finds its work with ``due_before(now)``;
its ``owner`` is the Graph subscription id, so a notification's subscription is found by index.
Only the SHA-256 digest of the clientState secret is stored, and nothing of a record is logged.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from services.errors import StaleWriteError
from services.ports import StoredSubscription, SubscriptionRecord
from state.document_store import Document, DocumentStore, ETagMismatchError

_COLLECTION = "subscription"


class DocumentSubscriptionStore:
    """Subscription records as JSON documents with eTags."""

    def __init__(self, documents: DocumentStore) -> None:
        self._docs = documents
        self._codec: TypeAdapter[SubscriptionRecord] = TypeAdapter(SubscriptionRecord)

    async def get(self, organizer_id: str) -> StoredSubscription | None:
        """The organizer's record and its eTag."""
        doc = await self._docs.get(_COLLECTION, organizer_id)
        return self._decode(doc) if doc else None

    async def by_subscription(self, subscription_id: str) -> StoredSubscription | None:
        """The record currently holding ``subscription_id``."""
        for doc in reversed(await self._docs.by_owner(_COLLECTION, subscription_id)):
            stored = self._decode(doc)
            if stored.record.subscription_id == subscription_id:
                return stored
        return None

    async def add(self, record: SubscriptionRecord) -> str:
        """Stores the organizer's first record."""
        try:
            return await self._docs.put(_COLLECTION, record.organizer_id, self._encode(record), if_match=None,
                                        owner=record.subscription_id, due=record.renew_at.timestamp())
        except ETagMismatchError as err:
            raise StaleWriteError(record.organizer_id) from err

    async def replace(self, record: SubscriptionRecord, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        try:
            return await self._docs.put(_COLLECTION, record.organizer_id, self._encode(record), if_match=etag,
                                        owner=record.subscription_id, due=record.renew_at.timestamp())
        except ETagMismatchError as err:
            raise StaleWriteError(record.organizer_id) from err

    async def due(self, until: datetime) -> list[StoredSubscription]:
        """Records whose renewal time is at or before ``until``, soonest first."""
        rows = await self._docs.due_before(_COLLECTION, until.timestamp())
        return [self._decode(doc) for _, doc in rows]

    async def delete(self, organizer_id: str) -> None:
        """Removes the organizer's record."""
        await self._docs.delete(_COLLECTION, organizer_id)

    def _encode(self, record: SubscriptionRecord) -> str:
        return self._codec.dump_json(record).decode()

    def _decode(self, doc: Document) -> StoredSubscription:
        return StoredSubscription(self._codec.validate_json(doc.body), doc.etag)
