"""What the service layer needs from the outside world, declared once: each port here is implemented by
graph/ (Outlook, OneDrive, directory, mail, subscriptions), state/ (the stores), documents/ (rendering) or
bot/ (what is shown or sent in Teams). Their failures are services.errors' (ServiceUnavailableError,
StaleWriteError)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.availability import Schedule
from domain.convening import Convening, Person, Response
from domain.meeting import Meeting
from domain.plan import PlanDocumentData
from domain.slots import Slot
from domain.statistics import TeamYear


@dataclass(frozen=True)
class EventDraft:
    """An Outlook invitation to create. Carries no family data by construction:
    the subject is neutral and the body states time, place, duration and invitees."""

    subject: str
    body_html: str
    start: datetime
    end: datetime
    timezone: str
    attendees: tuple[Person, ...]
    room_email: str | None
    room_name: str | None
    location: str
    online: bool
    transaction_id: str


@dataclass(frozen=True)
class CreatedEvent:
    """The organizer's copy of a created event."""

    id: str
    join_url: str | None
    room_response: str | None  # Graph responseType of the room attendee, if any


class Directory(Protocol):
    """Looking people up in the organisation's directory."""

    async def person_by_id(self, user_id: str) -> Person | None:
        """The user with this Entra object id (or UPN), if any."""
        ...

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        """Users whose e-mail is ``text`` or whose name or e-mail starts with it."""
        ...


class Calendar(Protocol):
    """Free/busy and events in Outlook."""

    async def schedules(self, organizer_id: str, addresses: Sequence[str], start: datetime,
                        end: datetime, timezone: str) -> Mapping[str, Schedule]:
        """Free/busy of people and rooms, keyed by lower-case address."""
        ...

    async def create_event(self, organizer_id: str, draft: EventDraft) -> CreatedEvent:
        """Creates the event in the organizer's calendar (idempotent on transaction id)."""
        ...

    async def event_responses(self, organizer_id: str, event_id: str) -> dict[str, Response] | None:
        """Each attendee's answer on the organizer's event (None when the event is gone)."""
        ...

    async def update_event(self, organizer_id: str, event_id: str, draft: EventDraft) -> CreatedEvent:
        """Changes time, place, attendees and body of the same event (invitees get Outlook's update)."""
        ...

    async def cancel_event(self, organizer_id: str, event_id: str, comment: str) -> None:
        """Cancels the event with a short message to the invitees."""
        ...


class AnswerMail(Protocol):
    """The messages invitees wrote with their answers: they come by mail to the organizer, not on the event."""

    async def answer_messages(self, organizer_id: str, event_id: str, since: datetime) -> dict[str, str]:
        """Latest comment per attendee address (lower case)."""
        ...


class SlotReservations(Protocol):
    """Slots the bot is booking or has just booked, checked without asking Graph (shared by instances)."""

    async def reserve(self, owner: str, addresses: Sequence[str], start: datetime, end: datetime) -> bool:
        """Reserves the slot for ``owner`` (a convening id); False when another owner holds any of the
        addresses at an overlapping time."""
        ...

    async def release(self, owner: str, start: datetime, end: datetime) -> None:
        """Gives ``owner``'s reservation of this slot back."""
        ...


class ShortLinks(Protocol):
    """The bot's own short links (a family's text message cannot carry a 330-character Teams URL)."""

    async def publish(self, url: str, expires: datetime, *, reuse: str | None = None) -> str:
        """A short link to ``url`` until ``expires``; ``reuse``: extend a link made before (the same link)."""
        ...

    async def withdraw(self, link: str) -> None:
        """``link`` no longer leads to its meeting (the meeting was cancelled)."""
        ...


@dataclass(frozen=True)
class Stored:
    """A convening with the eTag it was read at."""

    convening: Convening
    etag: str

    @property
    def record(self) -> Convening:
        """The convening (the name services.unit_of_work reads any versioned record by)."""
        return self.convening


class ConveningStore(Protocol):
    """Where convenings live between turns (SQLite by default)."""

    async def get(self, convening_id: str) -> Stored | None:
        """The convening and its eTag, or None."""
        ...

    async def add(self, convening: Convening) -> str:
        """Stores a new convening; returns its eTag."""
        ...

    async def replace(self, convening: Convening, etag: str) -> str:
        """Saves ``convening`` if still at ``etag``; raises StaleWriteError otherwise."""
        ...

    async def by_convener(self, convener_id: str) -> list[Convening]:
        """The convener's convenings, newest first."""
        ...

    async def due(self, until: datetime) -> list[Stored]:
        """Convenings with scheduled work (the start notice) due by ``until``."""
        ...

    async def delete(self, convening_id: str) -> None:
        """Removes the convening."""
        ...


@dataclass(frozen=True)
class StoredFile:
    """A file in someone's OneDrive."""

    id: str
    name: str
    web_url: str


class Drive(Protocol):
    """OneDrive of a user (the responsible worker)."""

    async def upload(self, owner: str, folder: str, file_name: str, content: bytes) -> StoredFile:
        """Uploads a new file into ``folder`` under the owner's drive root, made when missing (large files
        through an upload session). A file of that name with the same bytes is that file (a retry finds its own
        upload); another file of that name is kept and this one renamed."""
        ...

    async def share(self, owner: str, item_id: str, emails: Sequence[str], message: str) -> tuple[str, ...]:
        """Grants read access to the named people only (``invite`` with ``requireSignIn``), one invite each;
        returns those it failed for (the others have access)."""
        ...


@dataclass(frozen=True)
class RenderedPlan:
    """The plan's documents and the star picture."""

    docx: bytes
    pdf: bytes


class PlanRenderer(Protocol):
    """Turns plan data into documents (documents/ implements it)."""

    def render(self, data: PlanDocumentData) -> RenderedPlan:
        """DOCX and PDF bytes."""
        ...


@dataclass(frozen=True)
class StoredMeeting:
    """A meeting with the eTag it was read at."""

    meeting: Meeting
    etag: str

    @property
    def record(self) -> Meeting:
        """The meeting (the name services.unit_of_work reads any versioned record by)."""
        return self.meeting


class MeetingStore(Protocol):
    """Where meetings live (SQLite by default)."""

    async def get(self, meeting_id: str) -> StoredMeeting | None:
        """The meeting and its eTag, or None."""
        ...

    async def add(self, meeting: Meeting) -> str:
        """Stores a new meeting; raises StaleWriteError if it exists."""
        ...

    async def replace(self, meeting: Meeting, etag: str) -> str:
        """Saves if still at ``etag``; raises StaleWriteError otherwise."""
        ...

    async def due(self, until: datetime) -> list[StoredMeeting]:
        """Meetings with a scheduled action (warning, reminder, deletion) due by ``until``."""
        ...

    async def delete(self, meeting_id: str) -> None:
        """Removes the meeting."""
        ...


class StatisticsRecorder(Protocol):
    """Counts what happened for the statistics (services.statistics_service implements it).

    Each call counts its event at most once, however often it is repeated (a retried turn, a replayed
    card action), and never raises: a failed count must not fail the worker's booking or meeting.
    """

    async def convened(self, convening: Convening) -> None:
        """A meeting was booked."""
        ...

    async def held(self, meeting: Meeting) -> None:
        """A meeting was finalized."""
        ...

    async def feedback_given(self, meeting: Meeting, scores: Mapping[str, int]) -> None:
        """One feedback response was added to ``meeting`` (its ``feedback.responses`` counts it)."""
        ...


class NoStatistics:
    """A StatisticsRecorder that counts nothing (services built without statistics, e.g. in tests)."""

    async def convened(self, convening: Convening) -> None:
        """Nothing."""

    async def held(self, meeting: Meeting) -> None:
        """Nothing."""

    async def feedback_given(self, meeting: Meeting, scores: Mapping[str, int]) -> None:
        """Nothing."""


class StatisticsStore(Protocol):
    """Where the statistics' counters live (state.statistics on the document store)."""

    async def apply_once(self, once: str, team_key: str, year: int,
                         change: Callable[[TeamYear], TeamYear]) -> bool:
        """Applies ``change`` to the team's year unless event ``once`` (a digest) was counted already.

        True when counted now. Concurrent writers are retried on eTags, so no count is lost.
        """
        ...

    async def year(self, team_key: str, year: int) -> TeamYear:
        """The team's counters for ``year`` (empty when nothing was counted)."""
        ...

    async def purge(self) -> int:
        """Forgets expired bookkeeping of what was counted; returns how many."""
        ...


class StatusCards(Protocol):
    """The near worker's status card of a booked convening (the bot shows it in the personal chat)."""

    async def show(self, convening: Convening) -> None:
        """Updates the card in place, or sends it anew when there is none to update."""
        ...


class Notices(Protocol):
    """Messages sent at a time rather than on a click (the bot sends a card to the person's personal chat).

    Each returns True when delivered; False when the person cannot be reached now (tried again later).
    """

    async def day_before(self, user: str, convening: Convening) -> bool:
        """The meeting is tomorrow: the family's invitation text and "start the meeting"."""
        ...

    async def meeting_starts(self, user: str, convening: Convening) -> bool:
        """The meeting starts in a few minutes."""
        ...

    async def time_running_out(self, user: str, meeting: Meeting) -> bool:
        """The meeting's time left reached the warning threshold: move on to the summary and the plan."""
        ...

    async def next_contact_soon(self, user: str, meeting: Meeting) -> bool:
        """The responsible worker's next contact with the family is near."""
        ...


@dataclass(frozen=True)
class SubscriptionRecord:
    """What is kept per organizer. ``subscription_id`` None: a creation is claimed or failed."""

    organizer_id: str
    subscription_id: str | None
    client_state_sha256: str
    expires: datetime | None
    renew_at: datetime  # when renew_due next looks at it (the store's ``due``)
    creating_since: datetime | None = None


@dataclass(frozen=True)
class StoredSubscription:
    """A record with the eTag it was read at."""

    record: SubscriptionRecord
    etag: str


class SubscriptionGateway(Protocol):
    """Graph's ``/subscriptions`` (graph.subscriptions.GraphSubscriptions).

    Failures raise services.errors.ServiceUnavailableError (status 404: Graph no longer has it).
    """

    async def create(self, resource: str, change_type: str, notification_url: str, lifecycle_url: str,
                     client_state: str, expires: datetime) -> tuple[str, datetime]:
        """Creates a subscription; returns its id and expiry."""
        ...

    async def renew(self, subscription_id: str, expires: datetime) -> datetime:
        """Extends it; ServiceUnavailableError with status 404 when Graph no longer has it."""
        ...

    async def delete(self, subscription_id: str) -> None:
        """Deletes it (gone already counts as deleted)."""
        ...


class SubscriptionStore(Protocol):
    """Where subscription records live, keyed by organizer id, with eTags."""

    async def get(self, organizer_id: str) -> StoredSubscription | None:
        """The organizer's record, or None."""
        ...

    async def by_subscription(self, subscription_id: str) -> StoredSubscription | None:
        """The record that holds ``subscription_id``, or None."""
        ...

    async def add(self, record: SubscriptionRecord) -> str:
        """Stores a new record; raises StaleWriteError if the organizer has one."""
        ...

    async def replace(self, record: SubscriptionRecord, etag: str) -> str:
        """Saves if still at ``etag``; raises StaleWriteError otherwise."""
        ...

    async def due(self, until: datetime) -> list[StoredSubscription]:
        """Records whose ``renew_at`` is at or before ``until``."""
        ...

    async def delete(self, organizer_id: str) -> None:
        """Removes the organizer's record."""
        ...


@dataclass(frozen=True)
class AvailabilityQuestion:
    """One e-mailed question "which of these times suit you?" to someone whose calendar the bot cannot read.

    Kept under the SHA-256 of its token (the token itself is only in the mail). ``offered`` are the proposals
    shown when it was asked; ``asked_at`` ties it to the convening's ``asked`` entry (a new search forgets that
    entry, and with it the question). Holds no family data: ids, a staff address, times.
    """

    token_sha256: str
    convening_id: str
    email: str
    asked_at: datetime
    expires: datetime
    offered: tuple[Slot, ...]
    answered_at: datetime | None = None


@dataclass(frozen=True)
class StoredQuestion:
    """A question with the eTag it was read at."""

    question: AvailabilityQuestion
    etag: str

    @property
    def record(self) -> AvailabilityQuestion:
        """The question (the name services.unit_of_work reads any versioned record by)."""
        return self.question


class QuestionStore(Protocol):
    """Where e-mailed availability questions live until they expire (state.questions on the document store)."""

    async def get(self, token_sha256: str) -> StoredQuestion | None:
        """The question and its eTag, or None."""
        ...

    async def add(self, question: AvailabilityQuestion) -> str:
        """Stores a new question; raises StaleWriteError if one with its hash exists."""
        ...

    async def replace(self, question: AvailabilityQuestion, etag: str) -> str:
        """Saves if still at ``etag``; raises StaleWriteError otherwise (two answers cannot both win)."""
        ...

    async def delete(self, token_sha256: str) -> None:
        """Removes the question (a mail that could not be sent)."""
        ...

    async def purge(self) -> int:
        """Forgets expired questions; returns how many."""
        ...


class QuestionMail(Protocol):
    """Sending a short mail from a worker's mailbox (graph.mail.GraphOutbox: ``sendMail``)."""

    async def send(self, sender_id: str, to: str, subject: str, html_body: str) -> None:
        """Sends one mail to ``to`` (kept in the sender's Sent Items); ServiceUnavailableError on failure."""
        ...


class ProposalCards(Protocol):
    """The near worker's proposals card (the bot shows it in the personal chat)."""

    async def show(self, convening: Convening) -> None:
        """Updates the card in place (answers to the e-mailed questions), or sends it anew when there is none."""
        ...


class ReadinessProbe(Protocol):
    """Harmless Graph calls that show what the bot can do in each organisation's tenant (``valmius``).

    Read-only: nothing is created, changed or sent. ``partner`` is the key of the partner organisation whose
    own token the call uses, None for the home tenant's. A refusal or fault raises ServiceUnavailableError
    (``status`` 401/403: no consent or permission; 404: no such mailbox or OneDrive).
    """

    def reaches(self, partner: str) -> bool:
        """Whether the bot has a way to get a token in this partner organisation's tenant at all."""
        ...

    async def free_busy(self, partner: str | None, organizer: str, address: str, start: datetime,
                        end: datetime) -> bool:
        """getSchedule for ``address`` as ``organizer``: True when a schedule came back, False for an error
        in the item (5009: not shared with us, or an address Graph cannot resolve)."""
        ...

    async def calendar(self, partner: str | None, user: str) -> None:
        """Reads ``user``'s default calendar (the bot may then write events there)."""
        ...

    async def drive(self, partner: str | None, user: str) -> None:
        """Reads ``user``'s OneDrive (the bot may then save the plan there)."""
        ...
