"""Persistent mailbox state in the ``--db`` file: each mailbox's Inbox, and the outside outbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from m365_sandbox.core.database import connect
from m365_sandbox.mail.model import MessageRecord

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, "
    "mailbox_id TEXT NOT NULL, event_id TEXT, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS messages_mailbox ON messages (mailbox_id, seq)",
    # Mail to addresses outside every tenant (nobody's mailbox): kept for tests and the demo to read.
    "CREATE TABLE IF NOT EXISTS outside_mail (seq INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL)",
)


def _record(row: tuple[str, str, str | None, str]) -> MessageRecord:
    return MessageRecord(id=row[0], mailbox_id=row[1], event_id=row[2], data=json.loads(row[3]))


class MailStore:
    """Messages by mailbox, in delivery order; every write is committed at once."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, _SCHEMA)

    def add(self, record: MessageRecord) -> None:
        """Deliver a message (it becomes the mailbox's newest)."""
        self._db.execute(
            "INSERT INTO messages (id, mailbox_id, event_id, data) VALUES (?, ?, ?, ?)",
            (record.id, record.mailbox_id, record.event_id, json.dumps(record.data, ensure_ascii=False)),
        )
        self._db.commit()

    def messages_of(self, mailbox_id: str) -> list[MessageRecord]:
        """Every message in a mailbox, newest first."""
        rows = self._db.execute(
            "SELECT id, mailbox_id, event_id, data FROM messages WHERE mailbox_id = ? ORDER BY seq DESC",
            (mailbox_id,),
        ).fetchall()
        return [_record(row) for row in rows]

    def get(self, message_id: str) -> MessageRecord | None:
        """The message with this id, in any mailbox."""
        row = self._db.execute(
            "SELECT id, mailbox_id, event_id, data FROM messages WHERE id = ?", (message_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def count(self) -> int:
        """How many messages are stored."""
        row = self._db.execute("SELECT COUNT(*) FROM messages").fetchone()
        return int(row[0])

    def add_outside(self, data: dict[str, Any]) -> None:
        """Put a mail into the outside outbox (it becomes the newest)."""
        self._db.execute("INSERT INTO outside_mail (data) VALUES (?)", (json.dumps(data, ensure_ascii=False),))
        self._db.commit()

    def outside(self) -> list[dict[str, Any]]:
        """The outside outbox, oldest first."""
        rows = self._db.execute("SELECT data FROM outside_mail ORDER BY seq").fetchall()
        return [json.loads(row[0]) for row in rows]

    def close(self) -> None:
        """Close the database."""
        self._db.close()
