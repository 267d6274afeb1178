"""The document store port: what the state stores (convenings, meetings, subscriptions, …) need.

Two implementations satisfy it: :class:`state.documents.SqliteDocuments` (one process, a local file)
and :class:`state.blob_documents.BlobDocuments` (Azure Blob Storage, any number of bot instances).

The contract, shared by both:

* ``put(..., if_match=None)`` creates the document and fails with :class:`ETagMismatchError` if it exists;
  ``if_match="*"`` writes unconditionally (create or overwrite); ``if_match=<eTag>`` overwrites only if the
  document is still at that eTag, else (changed, or deleted) :class:`ETagMismatchError`.
  Every successful write returns a new eTag; eTags are opaque strings.
* ``owner`` is kept when a write passes None (``COALESCE``); ``due`` is replaced by every write (None clears it).
* ``by_owner`` lists an owner's documents in one collection in the order they were created;
  ``due_before`` lists ``(key, document)`` pairs whose due time is at or before ``until``, soonest first.
* ``delete`` removes the document if present (no error when missing).
* ``close`` releases the store. SQLite's is synchronous and returns None, the blob store's is a coroutine:
  call :func:`close_documents` (or await the result when it is awaitable).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Protocol

from state.documents import Document, ETagMismatchError

if TYPE_CHECKING:
    from state.blob_documents import BlobDocuments
    from state.documents import SqliteDocuments

__all__ = ["Document", "DocumentStore", "ETagMismatchError", "close_documents"]


class DocumentStore(Protocol):
    """JSON documents keyed by (collection, key) with eTags, an optional owner and an optional due time."""

    async def get(self, collection: str, key: str) -> Document | None:
        """The document, or None."""
        ...

    async def put(self, collection: str, key: str, body: str, *, if_match: str | None,
                  owner: str | None = None, due: float | None = None) -> str:
        """Writes the document; returns the new eTag.

        ``if_match``: an eTag to require, ``"*"`` for unconditional, None to require
        that the document does not exist yet. Raises ETagMismatchError when the condition fails.
        """
        ...

    async def delete(self, collection: str, key: str) -> None:
        """Removes the document if present."""
        ...

    async def due_before(self, collection: str, until: float) -> list[tuple[str, Document]]:
        """(key, document) pairs whose due time is at or before ``until`` (a POSIX timestamp), soonest first."""
        ...

    async def by_owner(self, collection: str, owner: str) -> list[Document]:
        """Documents of ``owner``, in the order they were created (the newest last)."""
        ...

    def close(self) -> Awaitable[None] | None:
        """Releases the store (files, HTTP sessions, credentials)."""
        ...


async def close_documents(documents: DocumentStore) -> None:
    """Closes either implementation: awaits the result of ``close`` when there is one to await."""
    result = documents.close()
    if inspect.isawaitable(result):
        await result


if TYPE_CHECKING:
    def _both_satisfy(sqlite: SqliteDocuments, blob: BlobDocuments) -> tuple[DocumentStore, DocumentStore]:
        """Checked by mypy only: both implementations are DocumentStores."""
        return sqlite, blob
