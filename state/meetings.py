"""The MeetingStore port on the document store."""

from __future__ import annotations

from datetime import datetime

from pydantic import TypeAdapter

from domain.meeting import Meeting
from services.errors import StaleWriteError
from services.meeting_settings import MeetingSettings
from services.ports import StoredMeeting
from services.schedule import meeting_due
from state.document_store import DocumentStore, ETagMismatchError

_COLLECTION = "meeting"


class DocumentMeetingStore:
    """Meetings as JSON documents, indexed by when the scheduler next needs them."""

    def __init__(self, documents: DocumentStore, settings: MeetingSettings) -> None:
        self._docs = documents
        self._settings = settings
        self._codec: TypeAdapter[Meeting] = TypeAdapter(Meeting)

    async def get(self, meeting_id: str) -> StoredMeeting | None:
        """The meeting and its eTag."""
        doc = await self._docs.get(_COLLECTION, meeting_id)
        return StoredMeeting(self._codec.validate_json(doc.body), doc.etag) if doc else None

    async def add(self, meeting: Meeting) -> str:
        """Stores a new meeting."""
        try:
            return await self._docs.put(_COLLECTION, meeting.id, self._encode(meeting), if_match=None,
                                        owner=meeting.convener_id, due=self._due(meeting))
        except ETagMismatchError as err:
            raise StaleWriteError(meeting.id) from err

    async def replace(self, meeting: Meeting, etag: str) -> str:
        """Saves if unchanged since ``etag``."""
        try:
            return await self._docs.put(_COLLECTION, meeting.id, self._encode(meeting), if_match=etag,
                                        due=self._due(meeting))
        except ETagMismatchError as err:
            raise StaleWriteError(meeting.id) from err

    async def due(self, until: datetime) -> list[StoredMeeting]:
        """Meetings whose next scheduled work is due by ``until``."""
        rows = await self._docs.due_before(_COLLECTION, until.timestamp())
        return [StoredMeeting(self._codec.validate_json(doc.body), doc.etag) for _, doc in rows]

    async def delete(self, meeting_id: str) -> None:
        """Removes the meeting."""
        await self._docs.delete(_COLLECTION, meeting_id)

    def _due(self, meeting: Meeting) -> float:
        return meeting_due(meeting, self._settings).timestamp()

    def _encode(self, meeting: Meeting) -> str:
        return self._codec.dump_json(meeting).decode()
