"""Each user's own preferences (for now: the language) on the document store.

One document per user in collection ``preference``, keyed by the user's aadObjectId. Writes read the
document first and name its eTag, so two concurrent changes (or a later preference beside the language)
never overwrite each other silently. Nothing of a family is ever stored here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, ValidationError

from i18n.catalog import Language
from state.document_store import Document, DocumentStore, ETagMismatchError

_COLLECTION = "preference"
_ATTEMPTS = 5


class UserPreferences(BaseModel):
    """What a user chose for themselves."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    language: Language | None = None


class DocumentPreferenceStore:
    """User preferences as JSON documents with eTags."""

    def __init__(self, documents: DocumentStore) -> None:
        self._docs = documents

    async def get(self, user_id: str) -> UserPreferences:
        """The user's preferences (all unset when the user has chosen nothing, or the document is unreadable)."""
        return _decode(await self._docs.get(_COLLECTION, user_id))

    async def language(self, user_id: str) -> str | None:
        """The language the user chose, or None."""
        return (await self.get(user_id)).language

    async def set_language(self, user_id: str, language: Language) -> None:
        """Remembers the user's language; keeps any other preference a concurrent write stored."""
        for _ in range(_ATTEMPTS):
            doc = await self._docs.get(_COLLECTION, user_id)
            updated = _decode(doc).model_copy(update={"language": language})
            try:
                await self._docs.put(_COLLECTION, user_id, updated.model_dump_json(),
                                     if_match=doc.etag if doc is not None else None)
                return
            except ETagMismatchError:
                continue  # someone wrote in between: read again and reapply
        raise ETagMismatchError(f"{_COLLECTION}: too many concurrent writes")


def _decode(doc: Document | None) -> UserPreferences:
    """The stored preferences; none set for a missing or unreadable document (never fails the user's turn)."""
    if doc is None:
        return UserPreferences()
    try:
        return UserPreferences.model_validate_json(doc.body)
    except ValidationError:
        return UserPreferences()
