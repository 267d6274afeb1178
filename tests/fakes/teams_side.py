"""What the bot shows and sends in Teams, as the services see it: the status card and timed notices."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.convening import Convening
from domain.meeting import Meeting


@dataclass
class FakeStatusCards:
    """The StatusCards port: the status card each convening shows now (the last one shown)."""

    cards: dict[str, Convening] = field(default_factory=dict)

    async def show(self, convening: Convening) -> None:
        """The near worker's card now shows ``convening``."""
        self.cards[convening.id] = convening


@dataclass
class FakeNotices:
    """The Notices port: each person's inbox of (kind, record id); people in ``unreachable`` get nothing."""

    inbox: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)

    def received(self, user: str) -> list[tuple[str, str]]:
        """What ``user`` received, in order."""
        return self.inbox.get(user, [])

    def _deliver(self, user: str, kind: str, record_id: str) -> bool:
        if user in self.unreachable:
            return False
        self.inbox.setdefault(user, []).append((kind, record_id))
        return True

    async def day_before(self, user: str, convening: Convening) -> bool:
        """The day-before reminder."""
        return self._deliver(user, "day_before", convening.id)

    async def meeting_starts(self, user: str, convening: Convening) -> bool:
        """The start notice."""
        return self._deliver(user, "meeting_starts", convening.id)

    async def time_running_out(self, user: str, meeting: Meeting) -> bool:
        """The time warning."""
        return self._deliver(user, "time_running_out", meeting.id)

    async def next_contact_soon(self, user: str, meeting: Meeting) -> bool:
        """The next-contact reminder."""
        return self._deliver(user, "next_contact_soon", meeting.id)


@dataclass
class FakeProposalCards:
    """The ProposalCards port: every proposals card shown, in order (the last one is what the chat shows)."""

    shown: list[Convening] = field(default_factory=list)

    async def show(self, convening: Convening) -> None:
        """The near worker's proposals card now shows ``convening``."""
        self.shown.append(convening)
