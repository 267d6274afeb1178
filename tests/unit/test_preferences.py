"""Users' language choices on the document store: kept per user, written with eTags."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from state.documents import SqliteDocuments
from state.preferences import DocumentPreferenceStore, UserPreferences

LIISA, NIKO = "liisa-aad-id", "niko-aad-id"


@pytest.fixture
def documents(tmp_path: Path) -> Iterator[SqliteDocuments]:
    docs = SqliteDocuments(tmp_path / "state.db")
    yield docs
    docs.close()


async def test_a_choice_is_kept_per_user_and_can_change(documents: SqliteDocuments) -> None:
    store = DocumentPreferenceStore(documents)
    assert await store.language(LIISA) is None
    await store.set_language(LIISA, "sv")
    assert await store.language(LIISA) == "sv"
    assert await store.language(NIKO) is None
    await store.set_language(LIISA, "en")
    assert await DocumentPreferenceStore(documents).language(LIISA) == "en"  # stored, not held in memory


async def test_a_write_in_between_is_not_lost(documents: SqliteDocuments) -> None:
    store = DocumentPreferenceStore(documents)
    await store.set_language(LIISA, "fi")

    class Racing(SqliteDocuments):
        """Another instance writes between this one's read and write, once."""

        raced = False

        async def put(self, collection: str, key: str, body: str, *, if_match: str | None,
                      owner: str | None = None, due: float | None = None) -> str:
            if not Racing.raced:
                Racing.raced = True
                await documents.put(collection, key, '{"language": "sv", "future": 1}', if_match="*")
            return await documents.put(collection, key, body, if_match=if_match, owner=owner, due=due)

    racing = Racing(":memory:")
    racing.get = documents.get  # type: ignore[method-assign]
    await DocumentPreferenceStore(racing).set_language(LIISA, "en")
    racing.close()
    assert Racing.raced
    assert await store.language(LIISA) == "en"


async def test_an_unreadable_document_means_no_choice(documents: SqliteDocuments) -> None:
    await documents.put("preference", LIISA, '{"language": "klingon"}', if_match=None)
    store = DocumentPreferenceStore(documents)
    assert await store.get(LIISA) == UserPreferences()
    await store.set_language(LIISA, "sv")
    assert await store.language(LIISA) == "sv"
