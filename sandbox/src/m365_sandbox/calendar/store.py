"""Persistent calendar state: every event of every mailbox, in SQLite with an in-memory index."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from m365_sandbox.core.database import NestedCommits, connect
from m365_sandbox.core.timezones import parse_date_time_time_zone

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY, mailbox_id TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_mailbox ON events (mailbox_id)",
    "CREATE TABLE IF NOT EXISTS seeded_weeks (monday TEXT PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # The weeks seeded for the data file's other tenants (the home tenant's are in seeded_weeks).
    "CREATE TABLE IF NOT EXISTS seeded_tenant_weeks (tenant_id TEXT NOT NULL, monday TEXT NOT NULL, "
    "PRIMARY KEY (tenant_id, monday))",
)


ChangeType = Literal["created", "updated", "deleted"]


class StateError(RuntimeError):
    """The database cannot be used with this tenant."""


@dataclass(frozen=True)
class EventChange:
    """One committed change to one event, as change notifications report it."""

    change_type: ChangeType
    mailbox_id: str
    event_id: str
    change_key: str


ChangeListener = Callable[[list[EventChange]], None]


@dataclass
class StoredEvent:
    """One event in one mailbox's calendar.

    ``data`` is the event in Graph's JSON shape with times kept canonical (UTC, or local
    midnight in the owner's zone for all-day events); ``start``/``end`` are the UTC bounds.
    """

    mailbox_id: str
    data: dict[str, Any]
    start: datetime
    end: datetime

    @classmethod
    def from_data(cls, mailbox_id: str, data: dict[str, Any]) -> StoredEvent:
        """Wrap Graph-shaped data, computing the UTC bounds."""
        return cls(
            mailbox_id=mailbox_id,
            data=data,
            start=parse_date_time_time_zone(data["start"], "start"),
            end=parse_date_time_time_zone(data["end"], "end"),
        )

    @property
    def id(self) -> str:
        """The event id (unique across mailboxes)."""
        return str(self.data["id"])

    @property
    def ical_uid(self) -> str:
        """The meeting's iCalUId, shared by the organizer's event and the attendees' copies."""
        return str(self.data.get("iCalUId", ""))

    @property
    def is_cancelled(self) -> bool:
        """Whether the organizer cancelled the meeting."""
        return bool(self.data.get("isCancelled", False))

    @property
    def is_organizer(self) -> bool:
        """Whether the mailbox owner organizes this event."""
        return bool(self.data.get("isOrganizer", False))

    @property
    def show_as(self) -> str:
        """The free/busy status the event shows."""
        return str(self.data.get("showAs", "busy"))

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether the event intersects [start, end)."""
        return self.start < end and start < self.end

    def refresh_bounds(self) -> None:
        """Recompute ``start``/``end`` after ``data`` changed."""
        self.start = parse_date_time_time_zone(self.data["start"], "start")
        self.end = parse_date_time_time_zone(self.data["end"], "end")


class CalendarStore:
    """All events, persisted in SQLite (``--db``) and indexed in memory for fast reads."""

    def __init__(self, path: str | Path, tenant_id: str) -> None:
        self._db = connect(path, _SCHEMA)
        self._check_tenant(tenant_id)
        self._events: dict[str, StoredEvent] = {}
        self._by_mailbox: dict[str, dict[str, StoredEvent]] = {}
        self._pending: dict[str, EventChange] = {}
        self._commits = NestedCommits(self._db, after_commit=self._publish, after_rollback=self._pending.clear)
        self._listeners: list[ChangeListener] = []
        for mailbox_id, raw in self._db.execute("SELECT mailbox_id, data FROM events"):
            self._index(StoredEvent.from_data(mailbox_id, json.loads(raw)))

    def _check_tenant(self, tenant_id: str) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'tenantId'").fetchone()
        if row is None:
            self._db.execute("INSERT INTO meta (key, value) VALUES ('tenantId', ?)", (tenant_id,))
            self._db.commit()
        elif row[0] != tenant_id:
            raise StateError(f"the database belongs to tenant {row[0]}, not {tenant_id}")

    def _index(self, event: StoredEvent) -> None:
        self._events[event.id] = event
        self._by_mailbox.setdefault(event.mailbox_id, {})[event.id] = event

    def add_listener(self, listener: ChangeListener) -> None:
        """Call ``listener`` with the changes of every committed write (after the commit)."""
        self._listeners.append(listener)

    def meta(self, key: str) -> str | None:
        """A value from the ``meta`` table (sandbox settings kept with the data)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store a value in the ``meta`` table."""
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        self._commit()

    def batch(self) -> AbstractContextManager[None]:
        """Group several writes into one transaction (nesting is allowed)."""
        return self._commits.transaction()

    def _commit(self) -> None:
        self._commits.commit()

    def _publish(self) -> None:
        """After a commit: tell the listeners what it changed."""
        changes = list(self._pending.values())
        self._pending.clear()
        if changes:
            for listener in self._listeners:
                listener(changes)

    def _record(self, change_type: ChangeType, event: StoredEvent) -> None:
        """Remember a change for the listeners, merged with earlier changes in the same batch."""
        key = event.id
        change = EventChange(change_type, event.mailbox_id, event.id, str(event.data.get("changeKey", "")))
        earlier = self._pending.pop(key, None)
        if earlier is not None:
            if earlier.change_type == "created" and change_type == "deleted":
                return
            if earlier.change_type == "created":
                change = EventChange("created", change.mailbox_id, change.event_id, change.change_key)
            elif earlier.change_type == "deleted" and change_type == "created":
                change = EventChange("updated", change.mailbox_id, change.event_id, change.change_key)
        self._pending[key] = change

    def get(self, event_id: str) -> StoredEvent | None:
        """The event with this id, in any mailbox."""
        return self._events.get(event_id)

    def events_of(self, mailbox_id: str) -> list[StoredEvent]:
        """Every event in a mailbox's calendar (unordered)."""
        return list(self._by_mailbox.get(mailbox_id, {}).values())

    def count(self) -> int:
        """How many events are stored."""
        return len(self._events)

    def put(self, event: StoredEvent) -> None:
        """Insert or replace an event."""
        event.refresh_bounds()
        self._record("updated" if event.id in self._events else "created", event)
        self._index(event)
        self._db.execute(
            "INSERT OR REPLACE INTO events (id, mailbox_id, data) VALUES (?, ?, ?)",
            (event.id, event.mailbox_id, json.dumps(event.data, ensure_ascii=False)),
        )
        self._commit()

    def remove(self, event_id: str) -> None:
        """Delete an event (no error if it is already gone)."""
        event = self._events.pop(event_id, None)
        if event is not None:
            self._by_mailbox.get(event.mailbox_id, {}).pop(event_id, None)
            self._record("deleted", event)
        self._db.execute("DELETE FROM events WHERE id = ?", (event_id,))
        self._commit()

    def seeded_weeks(self, tenant_id: str | None = None) -> set[date]:
        """The Mondays of the weeks whose rule-based events have already been created.

        ``tenant_id``: of another tenant than the home one (None: the home tenant).
        """
        if tenant_id is None:
            rows = self._db.execute("SELECT monday FROM seeded_weeks").fetchall()
        else:
            rows = self._db.execute(
                "SELECT monday FROM seeded_tenant_weeks WHERE tenant_id = ?", (tenant_id,)
            ).fetchall()
        return {date.fromisoformat(row[0]) for row in rows}

    def add_seeded_week(self, monday: date, events: Iterable[StoredEvent], tenant_id: str | None = None) -> None:
        """Store a week's rule-based events and remember that the week is seeded (for ``tenant_id``, if given)."""
        with self.batch():
            for event in events:
                self.put(event)
            if tenant_id is None:
                self._db.execute("INSERT OR IGNORE INTO seeded_weeks (monday) VALUES (?)", (monday.isoformat(),))
            else:
                self._db.execute(
                    "INSERT OR IGNORE INTO seeded_tenant_weeks (tenant_id, monday) VALUES (?, ?)",
                    (tenant_id, monday.isoformat()),
                )

    def close(self) -> None:
        """Close the database."""
        self._db.close()
