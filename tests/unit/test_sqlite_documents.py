"""The SQLite document store under a steady stream of writes: they are written on the event loop, the WAL's
checkpoint on the store's own thread, and neither loses an update or lets the WAL grow without bound."""

from __future__ import annotations

import asyncio
from pathlib import Path

from state.documents import ETagMismatchError, SqliteDocuments

#: A convening's stored size in the benchmark's load (make bench), so that every write spills into overflow pages.
BODY_PADDING = "x" * 6000


async def _increment(docs: SqliteDocuments, key: str, times: int) -> int:
    """Adds one to the counter ``times`` times, reading it again whenever another writer came first."""
    refused = 0
    for _ in range(times):
        while True:
            doc = await docs.get("counter", key)
            assert doc is not None
            count = int(doc.body.split(" ", 1)[0])
            try:
                await docs.put("counter", key, f"{count + 1} {BODY_PADDING}", if_match=doc.etag)
                break
            except ETagMismatchError:
                refused += 1
    return refused


async def test_no_update_is_lost_while_checkpoints_come_and_go(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    try:
        await docs.put("counter", "shared", f"0 {BODY_PADDING}", if_match=None)
        # 20 writers on one document, ~60 MB through the WAL: a dozen checkpoints, with writes queued behind
        # each on the store's thread while others are written on the loop.
        refused = await asyncio.gather(*(_increment(docs, "shared", 200) for _ in range(20)))
        final = await docs.get("counter", "shared")
        assert final is not None and final.body.split(" ", 1)[0] == "4000"
        assert sum(refused) > 0, "the writers raced (otherwise the test shows nothing)"
    finally:
        docs.close()


async def test_the_write_ahead_log_stays_small_under_continuous_writes(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    try:
        for key in range(50):
            await docs.put("counter", str(key), f"0 {BODY_PADDING}", if_match=None)
        # 50 users, 100 writes each: ~80 MB would go into a WAL that is never checkpointed.
        await asyncio.gather(*(_increment(docs, str(key), 100) for key in range(50)))
        wal = tmp_path / "state.db-wal"
        assert wal.stat().st_size < 12_000_000, "checkpointed every ~4 MB"
        for key in range(50):
            doc = await docs.get("counter", str(key))
            assert doc is not None and doc.body.startswith("100 ")
    finally:
        docs.close()


async def test_what_was_written_is_there_after_reopening(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "state.db")
    await docs.put("counter", "kept", f"0 {BODY_PADDING}", if_match=None)
    await _increment(docs, "kept", 700)  # past a checkpoint, and some frames after it only in the WAL
    docs.close()
    again = SqliteDocuments(tmp_path / "state.db")
    try:
        doc = await again.get("counter", "kept")
        assert doc is not None and doc.body.startswith("700 ")
    finally:
        again.close()
