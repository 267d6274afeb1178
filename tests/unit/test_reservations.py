"""The reservation index: two convenings never hold the same people at the same time, across instances."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from state.documents import SqliteDocuments
from state.reservations import ReservationIndex

START = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)
HANNA, MIKKO, ROOM = "hanna@example.fi", "mikko@example.fi", "kaste@example.fi"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_overlapping_slot_of_the_same_person_is_refused_and_released_slot_is_free(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    clock = Clock()
    index = ReservationIndex(docs, timedelta(minutes=20), clock)
    assert await index.reserve("a", [HANNA, ROOM], START, END)
    assert await index.reserve("a", [HANNA, ROOM], START, END), "the same convening again (a retry) is fine"
    assert not await index.reserve("b", ["Hanna@Example.fi"], START + timedelta(minutes=30), END)
    assert await index.reserve("b", [MIKKO], START, END), "other people at the same time"
    assert await index.reserve("c", [HANNA], END, END + timedelta(minutes=60)), "right after is fine"
    await index.release("a", START, END)
    assert await index.reserve("d", [HANNA, ROOM], START, START + timedelta(minutes=30))
    docs.close()


async def test_a_reservation_expires(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    clock = Clock()
    index = ReservationIndex(docs, timedelta(minutes=20), clock)
    assert await index.reserve("a", [HANNA], START, END)
    clock.now += timedelta(minutes=21)
    assert await index.reserve("b", [HANNA], START, END)
    docs.close()


async def test_of_many_concurrent_bookings_on_two_instances_exactly_one_wins(tmp_path: Path) -> None:
    first, second = SqliteDocuments(tmp_path / "state.db"), SqliteDocuments(tmp_path / "state.db")
    clock = Clock()
    instances = [ReservationIndex(first, timedelta(minutes=20), clock),
                 ReservationIndex(second, timedelta(minutes=20), clock)]
    results = await asyncio.gather(*(instances[n % 2].reserve(f"c{n}", [ROOM, f"p{n}@example.fi"], START, END)
                                     for n in range(20)))
    assert sum(results) == 1
    first.close()
    second.close()
