"""The meeting itself (Yhdessä aika): its steps, the star, the joint plan, feedback, finalizing.

A Meeting is created from a booked convening when the near worker starts it. After
finalizing, only what the follow-up needs is kept (see ``Meeting.pruned``): the plan's
text lives in the responsible worker's OneDrive, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.organisations import HOME_KEY
from domain.plan import JointPlan
from domain.star import StarReading


class Who(StrEnum):
    """Who carries a step out."""

    FAMILY = "family"
    NEAR_WORKER = "near_worker"
    PROFESSIONALS = "professionals"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class MeetingStep:
    """One step of the model's fixed structure; texts are i18n keys ``step.<key>``."""

    key: str
    who: Who


#: Yhdessä ajan rakenne, in the model's order (DOMAIN.md, process step 3).
MEETING_STEPS: tuple[MeetingStep, ...] = (
    MeetingStep("seating", Who.FAMILY),
    MeetingStep("welcome", Who.NEAR_WORKER),
    MeetingStep("family_intro", Who.FAMILY),
    MeetingStep("professionals_intro", Who.PROFESSIONALS),
    MeetingStep("discussion", Who.EVERYONE),
    MeetingStep("timekeeping", Who.NEAR_WORKER),
    MeetingStep("plan", Who.EVERYONE),
    MeetingStep("feedback", Who.EVERYONE),
    MeetingStep("thanks", Who.EVERYONE),
)
STEP_KEYS = frozenset(s.key for s in MEETING_STEPS)


class MeetingStatus(StrEnum):
    """Where the meeting is."""

    RUNNING = "running"
    FINALIZING = "finalizing"
    FINALIZED = "finalized"


@dataclass(frozen=True)
class Attendee:
    """A professional invited to the meeting (the convener first)."""

    email: str
    name: str
    role: str  # the role's name as shown in the plan (e.g. "Koulukuraattori")
    external: bool = False  # named by e-mail only, in no directory of ours (domain.convening.Person)


#: Feedback questions: (key, audience). Texts are i18n keys ``feedback.<key>``.
FEEDBACK_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("family_heard", "family"),
    ("family_useful", "family"),
    ("pros_useful", "professionals"),
    ("pros_structure", "professionals"),
)
FEEDBACK_KEYS = frozenset(k for k, _ in FEEDBACK_QUESTIONS)
#: The scores a feedback question may be given (anything else is refused, never clamped).
FEEDBACK_SCALE = range(1, 6)


@dataclass(frozen=True)
class FeedbackTally:
    """Only aggregates: per question, how many gave each score 1–5; plus how many answered."""

    counts: dict[str, tuple[int, int, int, int, int]] = field(default_factory=dict)
    responses: int = 0

    def add(self, scores: dict[str, int]) -> FeedbackTally:
        """The tally with one more response (each score in ``FEEDBACK_SCALE``, else ValueError)."""
        if any(score not in FEEDBACK_SCALE for score in scores.values()):
            raise ValueError("a feedback score is 1–5")
        counts = dict(self.counts)
        for key, score in scores.items():
            row = list(counts.get(key, (0, 0, 0, 0, 0)))
            row[score - 1] += 1
            counts[key] = (row[0], row[1], row[2], row[3], row[4])
        return FeedbackTally(counts, self.responses + 1)

    def average(self, key: str) -> float | None:
        """The mean score of one question, if anyone answered it."""
        row = self.counts.get(key)
        total = sum(row) if row else 0
        if not row or not total:
            return None
        return sum((i + 1) * n for i, n in enumerate(row)) / total


@dataclass(frozen=True)
class FinalizeRecord:
    """What finalizing produced: ids and links only, never the plan's text."""

    drive_owner: str  # the responsible worker's address, whose OneDrive holds the files
    docx_item_id: str
    pdf_item_id: str
    docx_url: str
    pdf_url: str
    shared_with: tuple[str, ...]
    next_contact_event_id: str | None
    next_contact: datetime | None
    share_failed: tuple[str, ...] = ()  # consented recipients the files could not be shared with (yet)
    #: The responsible worker's address ("": ``drive_owner``, as before organisations): the files are in
    #: their own OneDrive only when their organisation lets the bot write there; otherwise in the near
    #: worker's, shared with them by address.
    responsible: str = ""
    drive_organisation: str = HOME_KEY  # whose tenant holds the files (an organisation's key)
    next_contact_invited: bool = False  # the next contact went as an invitation, not into their calendar

    @property
    def responsible_email(self) -> str:
        """Who follows the plan up (whoever's OneDrive holds the files)."""
        return self.responsible or self.drive_owner

    @property
    def kept_for_responsible(self) -> bool:
        """Whether the files are in the responsible worker's own OneDrive."""
        return self.responsible_email.lower() == self.drive_owner.lower()


@dataclass(frozen=True)
class Meeting:
    """A running or finalized Yhdessä aika, keyed by its convening's id."""

    id: str
    convener_id: str
    convener_email: str
    team_key: str
    family_ref: str
    lang: str
    attendees: tuple[Attendee, ...]
    scheduled_start: datetime
    scheduled_end: datetime
    place: str
    started_at: datetime
    star_key: str
    status: MeetingStatus = MeetingStatus.RUNNING
    checked: tuple[str, ...] = ()
    time_warning_sent: bool = False
    family_present: str = ""  # as the family wishes to be written, e.g. "Äiti, Lapsi 8 v"
    reading: StarReading | None = None
    earlier_reading: StarReading | None = None
    plan: JointPlan | None = None
    feedback: FeedbackTally = field(default_factory=FeedbackTally)
    finalized: FinalizeRecord | None = None
    finalized_at: datetime | None = None
    followup_of: str | None = None
    reminder_sent: bool = False
    chat_conversation_id: str | None = None  # the meeting chat where the shared card was posted
    chat_activity_id: str | None = None  # that shared card's message, updated in place

    @property
    def duration(self) -> timedelta:
        """The reserved duration."""
        return self.scheduled_end - self.scheduled_start

    def time_used(self, now: datetime) -> timedelta:
        """Time since the meeting was started."""
        return max(now - self.started_at, timedelta(0))

    def time_left(self, now: datetime) -> timedelta:
        """Reserved time left (negative when over)."""
        return self.duration - self.time_used(now)

    def toggled(self, step: str) -> Meeting:
        """The meeting with ``step`` checked, or unchecked if it was."""
        if step in self.checked:
            return replace(self, checked=tuple(s for s in self.checked if s != step))
        order = [s.key for s in MEETING_STEPS]
        return replace(self, checked=tuple(sorted((*self.checked, step), key=order.index)))

    def pruned(self) -> Meeting:
        """After finalizing: keep only reference, dates and ids (the plan lives in OneDrive).

        The star reading is kept for a follow-up meeting's comparison only as ratings:
        its free texts are dropped.
        """
        reading = None
        if self.reading is not None:
            reading = StarReading(self.reading.star_key, {
                k: replace(p, strengths="", to_work_on="") for k, p in self.reading.points.items()},
                self.reading.taken_on)
        return replace(self, plan=None, family_present="", reading=reading, earlier_reading=None)

    def delete_after(self, retention_days: int) -> date:
        """The day after which nothing of this meeting is kept."""
        anchor = self.finalized_at or self.started_at
        return (anchor + timedelta(days=retention_days)).date()
