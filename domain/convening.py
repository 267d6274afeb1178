"""A convening (koolle kutsuminen): from the worker's form to a booked meeting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

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


class ConveningStatus(StrEnum):
    """Where the convening is in its journey."""

    DRAFT = "draft"  # the form card has been sent
    PROPOSED = "proposed"  # slots have been proposed
    BOOKING = "booking"  # a slot was chosen and the event is being created
    BOOKED = "booked"  # the Outlook invitation exists


@dataclass(frozen=True)
class Person:
    """Someone invited: directory e-mail address and display name; role when invited by role."""

    email: str
    display_name: str
    role: str | None = None


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


@dataclass(frozen=True)
class Booking:
    """What was booked in Outlook."""

    event_id: str
    start: datetime
    end: datetime
    room: str | None
    join_url: str | None
    room_declined: bool = False


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
