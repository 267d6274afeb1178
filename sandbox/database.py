"""Opening the ``--db`` SQLite file: every store keeps its own connection to the same file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path


def connect(path: str | Path, schema: Iterable[str] = ()) -> sqlite3.Connection:
    """A connection in WAL mode with ``schema`` (CREATE … IF NOT EXISTS statements) applied."""
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    for statement in schema:
        db.execute(statement)
    db.commit()
    return db
