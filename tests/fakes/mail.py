"""FakeMail: the messages invitees wrote with their answers (they reach the organizer by mail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.errors import ServiceUnavailableError


@dataclass
class FakeMail:
    """Messages by event and address; ``unavailable`` makes the mailbox fail (as a throttled Graph does)."""

    messages: dict[str, dict[str, str]] = field(default_factory=dict)  # event id → address → message
    unavailable: bool = False

    def write(self, event_id: str, address: str, message: str) -> None:
        """An invitee's message with their answer."""
        self.messages.setdefault(event_id, {})[address.lower()] = message

    async def answer_messages(self, organizer_id: str, event_id: str, since: datetime) -> dict[str, str]:
        """Latest message per attendee address."""
        if self.unavailable:
            raise ServiceUnavailableError(429, "TooManyRequests", retry_after=120)
        return dict(self.messages.get(event_id, {}))


@dataclass(frozen=True)
class SentMail:
    """One mail as the QuestionMail port sent it."""

    sender_id: str
    to: str
    subject: str
    html_body: str


@dataclass
class FakeOutbox:
    """The QuestionMail port: what was sent, in order; mail to an address in ``failing`` fails as Graph does."""

    sent: list[SentMail] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    async def send(self, sender_id: str, to: str, subject: str, html_body: str) -> None:
        """Keeps the mail (or fails for ``failing`` addresses)."""
        if to.lower() in self.failing:
            raise ServiceUnavailableError(503, "serviceNotAvailable")
        self.sent.append(SentMail(sender_id, to, subject, html_body))

    def to(self, address: str) -> list[SentMail]:
        """The mails sent to ``address``."""
        return [m for m in self.sent if m.to.lower() == address.lower()]
