"""Opening the ``--db`` SQLite file: every store keeps its own connection to the same file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
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


class NestedCommits:
    """Commits a connection's writes at once, or once at the end of the outermost ``transaction``.

    ``after_commit`` runs after each real commit and ``after_rollback`` after a rolled-back transaction,
    so a store can publish (or forget) what the writes changed.
    """

    def __init__(self, db: sqlite3.Connection, *, after_commit: Callable[[], None] = lambda: None,
                 after_rollback: Callable[[], None] = lambda: None) -> None:
        self._db = db
        self._depth = 0
        self._after_commit = after_commit
        self._after_rollback = after_rollback

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one commit (nesting is allowed)."""
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._db.rollback()
                self._after_rollback()
            raise
        self._depth -= 1
        self.commit()

    def commit(self) -> None:
        """Commit now, unless inside a transaction (its end commits)."""
        if self._depth == 0:
            self._db.commit()
            self._after_commit()
