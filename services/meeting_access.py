"""Who may see a meeting in a shared chat, and which meeting a chat is about.

The shared card in a meeting chat refreshes per person: the near worker who runs the meeting sees it and
acts; the meeting's other participants see its progress; anyone else sees nothing of it. That is decided
from the stored meeting and the caller's directory identity, never from anything the card sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import unquote

from domain.convening import Convening
from domain.meeting import Meeting
from services.caller import Caller
from services.convenings import ConveningQueries
from services.errors import UserFacingError
from services.ports import Directory, MeetingStore
from services.unit_of_work import MeetingRecords

#: How long after its end a meeting still counts as "this meeting" in a chat that is not its own.
NEAR = timedelta(hours=12)


class Viewer(StrEnum):
    """How someone sees a meeting's shared card."""

    RUNNER = "runner"  # the near worker who convened it: sees everything and acts
    PARTICIPANT = "participant"  # an attendee: sees the progress
    OUTSIDER = "outsider"  # anyone else: sees nothing of the meeting


def thread_of(join_url: str | None) -> str | None:
    """The meeting chat's thread id inside a Teams join URL (``19:meeting_…@thread.v2``)."""
    if not join_url or "/meetup-join/" not in join_url:
        return None
    part = unquote(join_url.split("/meetup-join/", 1)[1].split("/", 1)[0])
    return part if part.startswith("19:") else None


class MeetingAccess:
    """The rules of the shared card: whose view, and which meeting."""

    def __init__(self, *, meetings: MeetingStore, convenings: ConveningQueries, directory: Directory,
                 clock: Callable[[], datetime]) -> None:
        self._meetings = meetings
        self._convenings = convenings
        self._directory = directory
        self._clock = clock

    async def viewer(self, meeting_id: str, caller: Caller) -> tuple[Meeting, Viewer]:
        """The meeting and how the caller sees it; a missing meeting is a polite refusal."""
        meeting = await MeetingRecords(self._meetings).get(meeting_id)
        if meeting is None:
            raise UserFacingError("meeting.not_found")
        if caller.user_id == meeting.convener_id:
            return meeting, Viewer.RUNNER
        person = await self._directory.person_by_id(caller.user_id)
        attendees = {a.email.lower() for a in meeting.attendees}
        if person is None or person.email.lower() not in attendees:
            return meeting, Viewer.OUTSIDER
        return meeting, Viewer.PARTICIPANT

    async def meeting_for_chat(self, caller: Caller, conversation_id: str) -> Convening | None:
        """This chat's own meeting (its Teams thread), else the caller's booked meeting nearest now."""
        booked = [c for c in await self._convenings.booked_by(caller.user_id) if c.booking is not None]
        own = [c for c in booked if thread_of(c.booking.join_url if c.booking else None) == conversation_id]
        if own:
            return own[0]
        # A chat that is not a Teams meeting's own (e.g. a group chat): the caller's next meeting,
        # or one that started within the last hours.
        now = self._clock()
        coming = [c for c in booked if c.booking is not None and c.booking.end >= now - NEAR]
        return min(coming, key=lambda c: c.booking.start if c.booking else now, default=None)
