"""The Agents SDK's Storage on SQLite, honouring eTags (the SDK's own storages ignore them)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from microsoft_agents.hosting.core import Storage, StoreItem

from state.document_store import DocumentStore

_COLLECTION = "agent"
T = TypeVar("T", bound=StoreItem)


class SqliteAgentStorage(Storage):
    """SDK storage: an item whose JSON carries ``eTag`` is written only if unchanged."""

    def __init__(self, documents: DocumentStore) -> None:
        self._docs = documents

    async def read(self, keys: list[str], *, target_cls: type[T], **kwargs: Any) -> dict[str, T]:
        """Reads the items that exist, with their current eTag."""
        if not keys:
            raise ValueError("keys are required")
        result: dict[str, T] = {}
        for key in keys:
            doc = await self._docs.get(_COLLECTION, key)
            if doc is not None:
                data = json.loads(doc.body)
                if isinstance(data, dict):
                    data["eTag"] = doc.etag
                result[key] = target_cls.from_json_to_store_item(data)  # type: ignore[assignment]
        return result

    async def write(self, changes: dict[str, StoreItem]) -> None:
        """Writes each item; a stale ``eTag`` raises ETagMismatchError."""
        if not changes:
            raise ValueError("changes are required")
        for key, item in changes.items():
            data = item.store_item_to_json()
            etag = data.pop("eTag", None) if isinstance(data, dict) else None
            current = await self._docs.get(_COLLECTION, key)
            if_match = "*" if etag in (None, "*") else str(etag)
            if current is None and if_match != "*":
                if_match = "*"  # first write of an item read as new
            await self._docs.put(_COLLECTION, key, json.dumps(data), if_match=if_match)

    async def delete(self, keys: list[str]) -> None:
        """Deletes the items."""
        for key in keys:
            await self._docs.delete(_COLLECTION, key)
