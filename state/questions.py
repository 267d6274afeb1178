"""The QuestionStore port on the document store: e-mailed availability questions until they expire.

One document per question in collection ``question``, keyed by the SHA-256 of its token (the token itself
is only in the mail, so reading the state answers nothing). The document's ``due`` is its expiry: ``purge``
(the scheduler's round) deletes what has expired, and after that a link is simply unknown. A question holds
a convening id, a staff address and times: nothing of a family.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import TypeAdapter

from services.errors import StaleWriteError
from services.ports import AvailabilityQuestion, StoredQuestion
from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "question"


class DocumentQuestionStore:
    """Questions as JSON documents with eTags (the one-time answer is a conditional write)."""

    def __init__(self, documents: DocumentStore, clock: Callable[[], datetime]) -> None:
        self._docs = documents
        self._clock = clock
        self._codec: TypeAdapter[AvailabilityQuestion] = TypeAdapter(AvailabilityQuestion)

    async def get(self, token_sha256: str) -> StoredQuestion | None:
        """The question and its eTag, or None."""
        doc = await self._docs.get(_COLLECTION, token_sha256)
        return StoredQuestion(self._codec.validate_json(doc.body), doc.etag) if doc else None

    async def add(self, question: AvailabilityQuestion) -> str:
        """Stores a new question."""
        try:
            return await self._docs.put(_COLLECTION, question.token_sha256, self._encode(question), if_match=None,
                                        due=question.expires.timestamp())
        except ETagMismatchError as err:
            raise StaleWriteError(question.token_sha256) from err

    async def replace(self, question: AvailabilityQuestion, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        try:
            return await self._docs.put(_COLLECTION, question.token_sha256, self._encode(question), if_match=etag,
                                        due=question.expires.timestamp())
        except ETagMismatchError as err:
            raise StaleWriteError(question.token_sha256) from err

    async def delete(self, token_sha256: str) -> None:
        """Removes the question."""
        await self._docs.delete(_COLLECTION, token_sha256)

    async def purge(self) -> int:
        """Deletes expired questions; returns how many."""
        expired = await self._docs.due_before(_COLLECTION, self._clock().timestamp())
        for key, _ in expired:
            await self._docs.delete(_COLLECTION, key)
        return len(expired)

    def _encode(self, question: AvailabilityQuestion) -> str:
        return self._codec.dump_json(question).decode()
