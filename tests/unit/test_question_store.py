"""The question store on the SQLite documents: kept under the token's hash with eTags (an answer claims its
question once), round-tripped whole, and purged when it expires."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.slots import Slot
from services.availability_questions import token_sha256
from services.errors import StaleWriteError
from services.ports import AvailabilityQuestion
from state.documents import SqliteDocuments
from state.questions import DocumentQuestionStore
from tests.fakes.clock import FakeClock

HEL = ZoneInfo("Europe/Helsinki")
NOW = datetime(2027, 5, 3, 9, 0, tzinfo=HEL)
SLOTS = (Slot(datetime(2027, 5, 11, 12, 0, tzinfo=HEL), datetime(2027, 5, 11, 13, 30, tzinfo=HEL), "kaste@x.example"),
         Slot(datetime(2027, 5, 13, 8, 0, tzinfo=HEL), datetime(2027, 5, 13, 9, 30, tzinfo=HEL)))


def question(token: str = "t" * 43) -> AvailabilityQuestion:
    return AvailabilityQuestion(token_sha256(token), "0123456789abcdef", "eeva@ensikoti.example", NOW,
                                NOW + timedelta(days=7), SLOTS)


async def test_a_question_round_trips_and_is_claimed_once(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    store = DocumentQuestionStore(docs, FakeClock(NOW))
    try:
        etag = await store.add(question())
        stored = await store.get(question().token_sha256)
        assert stored is not None and stored.question == question() and stored.etag == etag
        with pytest.raises(StaleWriteError):
            await store.add(question())
        await store.replace(replace(question(), answered_at=NOW), etag)
        with pytest.raises(StaleWriteError):
            await store.replace(replace(question(), answered_at=NOW + timedelta(seconds=1)), etag)
        again = await store.get(question().token_sha256)
        assert again is not None and again.question.answered_at == NOW
        assert "t" * 43 not in (await docs.get("question", question().token_sha256)).body  # type: ignore[union-attr]
    finally:
        docs.close()


async def test_expired_questions_are_purged(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    clock = FakeClock(NOW)
    store = DocumentQuestionStore(docs, clock)
    try:
        await store.add(question("a" * 43))
        await store.add(replace(question("b" * 43), expires=NOW + timedelta(days=1)))
        assert await store.purge() == 0
        clock.advance(timedelta(days=2))
        assert await store.purge() == 1
        assert await store.get(token_sha256("b" * 43)) is None
        assert await store.get(token_sha256("a" * 43)) is not None
    finally:
        docs.close()
