"""In-memory stores with eTags: ConveningStore, MeetingStore and SubscriptionStore as the document store
keeps them (conditional writes, a due index for housekeeping), and a way to make a write stale on purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from domain.convening import Convening
from domain.meeting import Meeting
from services.errors import StaleWriteError
from services.meeting_settings import MeetingSettings
from services.ports import Stored, StoredMeeting, StoredSubscription, SubscriptionRecord
from services.schedule import convening_due, meeting_due

R = TypeVar("R")


@dataclass
class _Row(Generic[R]):
    record: R
    etag: str
    order: int  # creation order


@dataclass
class _Rows(Generic[R]):
    """Records by key with a version counter; ``meanwhile`` changes a record just before its next write."""

    rows: dict[str, _Row[R]] = field(default_factory=dict)
    meanwhile: dict[str, Callable[[R], R]] = field(default_factory=dict)
    writes: int = 0
    stale_writes: int = 0

    def _etag(self) -> str:
        self.writes += 1
        return f'"{self.writes}"'

    def get(self, key: str) -> tuple[R, str] | None:
        row = self.rows.get(key)
        return (row.record, row.etag) if row else None

    def add(self, key: str, record: R) -> str:
        if key in self.rows:
            self.stale_writes += 1
            raise StaleWriteError(key)
        etag = self._etag()
        self.rows[key] = _Row(record, etag, len(self.rows))
        return etag

    def replace(self, key: str, record: R, etag: str) -> str:
        change = self.meanwhile.pop(key, None)
        if change is not None and key in self.rows:  # another instance saved first
            row = self.rows[key]
            row.record, row.etag = change(row.record), self._etag()
        current = self.rows.get(key)
        if current is None or current.etag != etag:
            self.stale_writes += 1
            raise StaleWriteError(key)
        current.record, current.etag = record, self._etag()
        return current.etag

    def delete(self, key: str) -> None:
        self.rows.pop(key, None)


class InMemoryConveningStore:
    """The ConveningStore port in memory (indexed by when housekeeping next needs each convening)."""

    def __init__(self, retention: timedelta = timedelta(days=365)) -> None:
        self._rows: _Rows[Convening] = _Rows()
        self._retention = retention

    @property
    def stale_writes(self) -> int:
        """Writes refused because the record had changed since it was read."""
        return self._rows.stale_writes

    def record(self, convening_id: str) -> Convening:
        """The stored convening (a test's look at the state)."""
        return self._rows.rows[convening_id].record

    def all(self) -> list[Convening]:
        """Every stored convening, oldest first."""
        return [r.record for r in sorted(self._rows.rows.values(), key=lambda r: r.order)]

    def change_meanwhile(self, convening_id: str, change: Callable[[Convening], Convening]) -> None:
        """Another instance saves ``change`` of the convening just before this process's next write of it."""
        self._rows.meanwhile[convening_id] = change

    def overwrite(self, convening: Convening) -> None:
        """Puts the convening in as some earlier process left it (a crash between two steps); a new eTag."""
        row = self._rows.rows[convening.id]
        row.record, row.etag = convening, self._rows._etag()

    async def get(self, convening_id: str) -> Stored | None:
        """The convening and its eTag."""
        found = self._rows.get(convening_id)
        return Stored(*found) if found else None

    async def add(self, convening: Convening) -> str:
        """Stores a new convening."""
        return self._rows.add(convening.id, convening)

    async def replace(self, convening: Convening, etag: str) -> str:
        """Saves if still at ``etag``."""
        return self._rows.replace(convening.id, convening, etag)

    async def by_convener(self, convener_id: str) -> list[Convening]:
        """Newest first."""
        return [c for c in reversed(self.all()) if c.convener_id == convener_id]

    async def due(self, until: datetime) -> list[Stored]:
        """Convenings whose next scheduled work is due by ``until``, soonest first."""
        rows = [(convening_due(r.record, self._retention), r) for r in self._rows.rows.values()]
        return [Stored(r.record, r.etag) for due, r in sorted(rows, key=lambda x: x[0]) if due <= until]

    async def delete(self, convening_id: str) -> None:
        """Removes the convening."""
        self._rows.delete(convening_id)


class InMemoryMeetingStore:
    """The MeetingStore port in memory."""

    def __init__(self, settings: MeetingSettings) -> None:
        self._rows: _Rows[Meeting] = _Rows()
        self._settings = settings

    def record(self, meeting_id: str) -> Meeting:
        """The stored meeting (a test's look at the state)."""
        return self._rows.rows[meeting_id].record

    def has(self, meeting_id: str) -> bool:
        """Whether the meeting is stored."""
        return meeting_id in self._rows.rows

    def change_meanwhile(self, meeting_id: str, change: Callable[[Meeting], Meeting]) -> None:
        """Another instance saves ``change`` of the meeting just before this process's next write of it."""
        self._rows.meanwhile[meeting_id] = change

    async def get(self, meeting_id: str) -> StoredMeeting | None:
        """The meeting and its eTag."""
        found = self._rows.get(meeting_id)
        return StoredMeeting(*found) if found else None

    async def add(self, meeting: Meeting) -> str:
        """Stores a new meeting."""
        return self._rows.add(meeting.id, meeting)

    async def replace(self, meeting: Meeting, etag: str) -> str:
        """Saves if still at ``etag``."""
        return self._rows.replace(meeting.id, meeting, etag)

    async def due(self, until: datetime) -> list[StoredMeeting]:
        """Meetings whose next scheduled work is due by ``until``, soonest first."""
        rows = [(meeting_due(r.record, self._settings), r) for r in self._rows.rows.values()]
        return [StoredMeeting(r.record, r.etag) for due, r in sorted(rows, key=lambda x: x[0]) if due <= until]

    async def delete(self, meeting_id: str) -> None:
        """Removes the meeting."""
        self._rows.delete(meeting_id)


class InMemorySubscriptionStore:
    """The SubscriptionStore port in memory (keyed by organizer, found by subscription id too)."""

    def __init__(self) -> None:
        self._rows: _Rows[SubscriptionRecord] = _Rows()

    async def get(self, organizer_id: str) -> StoredSubscription | None:
        """The organizer's record and its eTag."""
        found = self._rows.get(organizer_id)
        return StoredSubscription(*found) if found else None

    async def by_subscription(self, subscription_id: str) -> StoredSubscription | None:
        """The record holding ``subscription_id``."""
        for row in self._rows.rows.values():
            if row.record.subscription_id == subscription_id:
                return StoredSubscription(row.record, row.etag)
        return None

    async def add(self, record: SubscriptionRecord) -> str:
        """Stores the organizer's first record."""
        return self._rows.add(record.organizer_id, record)

    async def replace(self, record: SubscriptionRecord, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        return self._rows.replace(record.organizer_id, record, etag)

    async def due(self, until: datetime) -> list[StoredSubscription]:
        """Records to renew by ``until``, soonest first."""
        rows = sorted(self._rows.rows.values(), key=lambda r: r.record.renew_at)
        return [StoredSubscription(r.record, r.etag) for r in rows if r.record.renew_at <= until]

    async def delete(self, organizer_id: str) -> None:
        """Removes the organizer's record."""
        self._rows.delete(organizer_id)
