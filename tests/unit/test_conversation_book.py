"""The personal chat kept for each worker: read once, then taken as kept for a minute unless the turn differs."""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity

from bot.proactive import CONFIRMED_SECONDS, ConversationBook
from domain.convening import Person
from state.conversations import ConversationStore
from state.documents import Document, SqliteDocuments

USER = "0b1c2d3e-0000-4000-8000-000000000001"


class CountingDocuments(SqliteDocuments):
    """SQLite in memory, counting the reads of kept personal chats."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.reads = 0

    async def get(self, collection: str, key: str) -> Document | None:
        self.reads += 1
        return await super().get(collection, key)


class OneDirectory:
    async def person_by_id(self, user_id: str) -> Person | None:
        return None

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        return []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _turn(conversation: str = "a:personal-1", platform: str | None = None) -> Activity:
    body: dict[str, Any] = {
        "type": "message", "channelId": "msteams", "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": {"id": "29:liisa", "aadObjectId": USER}, "recipient": {"id": "28:bot"},
        "conversation": {"id": conversation, "conversationType": "personal", "tenantId": "t"}}
    if platform is not None:
        body["entities"] = [{"type": "clientInfo", "platform": platform}]
    return Activity.model_validate(body)


async def test_the_kept_chat_is_not_read_again_within_a_minute_and_is_after_it() -> None:
    documents, clock = CountingDocuments(), Clock()
    book = ConversationBook(ConversationStore(documents), OneDirectory(), monotonic=clock)
    await book.remember(_turn())
    reads = documents.reads
    await book.remember(_turn())
    await book.remember(_turn())
    assert documents.reads == reads, "the same chat within the minute: no read"
    clock.now += CONFIRMED_SECONDS + 1
    await book.remember(_turn())
    assert documents.reads == reads + 1


async def test_a_turn_from_a_phone_is_kept_even_within_the_minute() -> None:
    documents, clock = CountingDocuments(), Clock()
    store = ConversationStore(documents)
    book = ConversationBook(store, OneDirectory(), monotonic=clock)
    await book.remember(_turn(platform="web"))
    await book.remember(_turn(platform="ios"))
    assert (await store.personal_on_phone(USER))[1] is True
    await book.remember(_turn())  # no clientInfo: as it was
    assert (await store.personal_on_phone(USER))[1] is True
    await book.remember(_turn(platform="windows"))
    assert (await store.personal_on_phone(USER))[1] is False
