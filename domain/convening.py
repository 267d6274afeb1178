"""A convening (koolle kutsuminen): from the worker's form to a booked meeting."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.organisations import UnknownReason
from domain.sensitive_text import TextProblem, screen_outside_text
from domain.slots import Slot


class Venue(StrEnum):
    """Where the family chose to meet."""

    ROOM = "room"  # a team meeting room
    FAMILY_PLACE = "family_place"  # a place the family chooses (free text)
    REMOTE = "remote"  # Teams only
    HYBRID = "hybrid"  # room + Teams

    @property
    def needs_room(self) -> bool:
        """Whether a meeting room is booked."""
        return self in (Venue.ROOM, Venue.HYBRID)

    @property
    def online(self) -> bool:
        """Whether a Teams meeting link is created."""
        return self in (Venue.REMOTE, Venue.HYBRID)

    @property
    def in_person(self) -> bool:
        """Whether everyone must be in the same place (no Teams link to join from elsewhere)."""
        return self in (Venue.ROOM, Venue.FAMILY_PLACE)


class ConveningStatus(StrEnum):
    """Where the convening is in its journey."""

    DRAFT = "draft"  # the form card has been sent
    PROPOSED = "proposed"  # slots have been proposed
    BOOKING = "booking"  # a slot was chosen and the event is being created
    BOOKED = "booked"  # the Outlook invitation exists
    RESCHEDULING = "rescheduling"  # booked, and new times are being proposed for the same event
    CANCELLED = "cancelled"  # the invitation was cancelled


@dataclass(frozen=True)
class Person:
    """Someone invited: directory e-mail address and display name; role when invited by role."""

    email: str
    display_name: str
    role: str | None = None
    #: Named by e-mail address only: in no directory the bot can search (another employer, or none).
    external: bool = False


class Answer(StrEnum):
    """An invitee's answer as Graph's responseType names it."""

    NONE = "none"
    NOT_RESPONDED = "notResponded"
    ACCEPTED = "accepted"
    TENTATIVE = "tentativelyAccepted"
    DECLINED = "declined"
    ORGANIZER = "organizer"


@dataclass(frozen=True)
class Response:
    """An invitee's answer and, for a decline, the message they wrote (if any)."""

    answer: Answer = Answer.NONE
    comment: str = ""
    #: What was hidden from the message (it is outside text): the whole of it for an identity code or
    #: control characters, e-mail addresses or phone numbers only for those (see ``screened``).
    hidden: TextProblem | None = None

    @property
    def answered(self) -> bool:
        """Whether the invitee has answered at all."""
        return self.answer in (Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)

    def screened(self, before: Response) -> Response:
        """This answer as it may be kept: its message through the sensitive-text checks.

        The message comes from Outlook, typed by someone outside the bot, so it gets the checks every
        typed text gets (domain.sensitive_text.screen_outside_text). An answer read without a message
        (none sent, or the mailbox could not be read) keeps ``before``'s, screened too.
        """
        source, hidden = (before, before.hidden) if not self.comment and self.hidden is None else (self, self.hidden)
        kept = screen_outside_text(source.comment)
        return replace(self, comment=kept.text, hidden=kept.hidden or hidden)


@dataclass(frozen=True)
class AvailabilityAnswer:
    """What someone whose calendar the bot cannot read said about the proposed times (the e-mailed page).

    ``suits`` holds the starts of the proposed times they ticked; ``answered_at`` None: not answered yet.
    ``offered`` holds the starts of the times they were asked about (the proposals shown when asked): a time
    shown later ("Näytä lisää") was not asked about, so it neither suits nor fails to suit them.
    """

    asked_at: datetime
    answered_at: datetime | None = None
    suits: tuple[datetime, ...] = ()
    offered: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class ConveningRequest:
    """What the near worker asked for on the convening card, validated."""

    family_ref: str
    consent: bool
    existing_client: bool
    team_key: str
    roles: tuple[str, ...]
    network: tuple[Person, ...]  # the family's existing network, when existing_client
    venue: Venue
    family_place: str
    duration: timedelta
    earliest: date
    latest: date
    #: A wheelchair-accessible room is needed (only such rooms are proposed).
    accessible_room: bool = False


@dataclass(frozen=True)
class Booking:
    """What was booked in Outlook."""

    event_id: str
    start: datetime
    end: datetime
    room: str | None
    join_url: str | None
    room_declined: bool = False
    #: The bot's own short link to ``join_url`` for the family's text message (None: none was made).
    family_link: str | None = None


@dataclass(frozen=True)
class Convening:
    """One convening, owned by the near worker who started it.

    Stored server-side; a card carries only ``id``. ``convener_id`` is the
    worker's Entra object id (Teams ``aadObjectId``, Graph user id).
    """

    id: str
    convener_id: str
    convener_email: str
    convener_name: str
    team_key: str
    created_at: datetime
    status: ConveningStatus = ConveningStatus.DRAFT
    request: ConveningRequest | None = None
    invitees: tuple[Person, ...] = ()
    proposals: tuple[Slot, ...] = ()
    shown: int = 0
    unavailable: tuple[str, ...] = ()  # invitees with no free time in the last search
    chosen: Slot | None = None
    booking: Booking | None = None
    lang: str = "fi"
    followup_of: str | None = None  # the earlier meeting's id, for a follow-up meeting
    start_notified: bool = False  # the "meeting starts" card was sent to the near worker
    reminded: bool = False  # the day-before reminder was sent to the near worker
    responses: dict[str, Response] = field(default_factory=dict)  # invitee address → their answer in Outlook
    going_without: tuple[str, ...] = ()  # decliners the near worker chose to go on without
    status_activity_id: str | None = None  # the chat message whose card shows the answers (updated in place)
    proposals_activity_id: str | None = None  # the chat message showing the proposals (updated as answers come)
    proposed_at: datetime | None = None  # when the proposals were read from free/busy (their freshness)
    #: Invitees whose availability the last search could not read (they did not block a time), and why.
    unknown: dict[str, UnknownReason] = field(default_factory=dict)
    #: Invitees asked about the proposed times by e-mail (address → their answer so far).
    asked: dict[str, AvailabilityAnswer] = field(default_factory=dict)

    def response_of(self, email: str) -> Response:
        """The invitee's answer so far (not answered when unknown)."""
        return self.responses.get(email.lower()) or Response()

    def with_responses(self, responses: dict[str, Response]) -> Convening:
        """The convening with the answers read from the organizer's event."""
        return replace(self, responses={k.lower(): v for k, v in responses.items()})

    def transaction_id(self) -> str:
        """The Graph ``transactionId`` for this convening's event: the same on every retry,
        so a retried create can never produce a second event."""
        return f"yhdessa-aika-{self.id}"

    def with_proposals(self, request: ConveningRequest, invitees: tuple[Person, ...],
                       slots: tuple[Slot, ...], shown: int, unavailable: tuple[str, ...] = ()) -> Convening:
        """The convening after a slot search."""
        return replace(self, request=request, invitees=invitees, proposals=slots, shown=shown,
                       status=ConveningStatus.PROPOSED, chosen=None, unavailable=unavailable)

    def choosing(self, slot: Slot) -> Convening:
        """The convening once the worker has picked ``slot``; booking follows."""
        return replace(self, chosen=slot, status=ConveningStatus.BOOKING)

    def booked(self, booking: Booking) -> Convening:
        """The convening after the event exists in Outlook."""
        return replace(self, booking=booking, status=ConveningStatus.BOOKED)
