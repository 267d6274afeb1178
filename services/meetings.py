"""Running the meeting: start it from a booked convening, check steps off, the star, the plan, feedback.

Finalizing (documents, sharing, the next contact) is services.finalizing; reminders and retention are
services.housekeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.convening import Convening, ConveningStatus
from domain.meeting import FEEDBACK_KEYS, FEEDBACK_SCALE, STEP_KEYS, Attendee, Meeting, MeetingStatus
from domain.plan import Actions, ContactArrangement, JointPlan, Participant, plan_problems
from domain.sensitive_text import TextProblem, text_problem
from domain.star import PointReading, StarDefinition, StarReading, reading_problems
from domain.team import Team
from i18n.messages import t
from services.caller import Caller
from services.errors import StaleWriteError, UserFacingError, refusals_carry
from services.invitation_text import event_location
from services.meeting_settings import MeetingSettings
from services.ports import ConveningStore, MeetingStore, NoStatistics, StatisticsRecorder
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords, MeetingRecords

#: How many times a step click is applied on fresh state when it meets a concurrent change.
TOGGLE_ATTEMPTS = 5


@dataclass(frozen=True)
class PlanForm:
    """The plan card's inputs after type checks; people are attendee indices."""

    things_to_change: str
    at_home: str
    everyday_environment: str
    elsewhere: str
    elsewhere_where: str
    workers_reach_family: str
    family_reaches_worker: str
    responsible: tuple[int, ...]
    recipients: tuple[int, ...]
    next_date: date | None
    next_time: time | None
    lang: str
    family_present: str


class MeetingService:
    """The meeting journey up to finalizing, independent of Teams and Graph."""

    def __init__(self, *, teams: TeamRegistry, convenings: ConveningStore, store: MeetingStore,
                 stars: Mapping[str, StarDefinition], settings: MeetingSettings, clock: Callable[[], datetime],
                 statistics: StatisticsRecorder | None = None) -> None:
        self._teams = teams
        self._convenings = convenings
        self._store = store
        self._stars = stars
        self._settings = settings
        self._clock = clock
        self._statistics: StatisticsRecorder = statistics or NoStatistics()

    @property
    def settings(self) -> MeetingSettings:
        """The meeting practice."""
        return self._settings

    def now(self) -> datetime:
        """The service's clock."""
        return self._clock()

    def star(self, meeting: Meeting) -> StarDefinition:
        """The star definition the meeting uses."""
        return self._stars.get(meeting.star_key) or self._stars[self._settings.default_star]

    def team(self, meeting: Meeting) -> Team:
        """The meeting's team."""
        return self._teams.team(meeting.team_key)

    async def start(self, convening_id: str, caller: Caller) -> Meeting:
        """Starts (or reopens) the meeting of a booked convening; only its convener may."""
        convening = await ConveningRecords(self._convenings).own(convening_id, caller)
        records = MeetingRecords(self._store)
        existing = await records.get(convening_id)
        if existing is not None:
            return _own(existing, caller)
        if convening.status is not ConveningStatus.BOOKED or convening.booking is None or convening.request is None:
            raise UserFacingError("meeting.not_booked")
        team = self._teams.team(convening.team_key)
        meeting = Meeting(
            id=convening.id, convener_id=convening.convener_id, convener_email=convening.convener_email,
            team_key=team.key, family_ref=convening.request.family_ref, lang=convening.lang,
            attendees=_attendees(convening, team), scheduled_start=convening.booking.start,
            scheduled_end=convening.booking.end,
            place=event_location(convening.request, self._teams.room(team.key, convening.booking.room),
                                 convening.lang),
            started_at=self._clock(), star_key=self._settings.default_star,
            earlier_reading=await self._earlier_reading(records, convening), followup_of=convening.followup_of)
        try:
            return await records.add(meeting)
        except StaleWriteError:
            # Started meanwhile (another click, another instance): that one is the meeting.
            started = await records.get(convening_id)
            if started is None:
                raise
            return _own(started, caller)

    async def get(self, meeting_id: str, caller: Caller) -> Meeting:
        """The meeting, if the caller runs it; anyone else sees it as missing."""
        return await MeetingRecords(self._store).own(meeting_id, caller)

    async def attach_chat(self, meeting_id: str, conversation_id: str, activity_id: str) -> None:
        """Remembers the shared card in the meeting chat, to keep it up to date."""
        records = MeetingRecords(self._store)
        meeting = await records.get(meeting_id)
        if meeting is not None:
            await records.save(replace(meeting, chat_conversation_id=conversation_id, chat_activity_id=activity_id))

    async def toggle_step(self, meeting_id: str, caller: Caller, step: str) -> Meeting:
        """Checks a step of the structure off, or back on.

        A click that meets a concurrent change (another click, another instance) is applied again on
        the fresh state, a few times, before the worker is asked to try again: no click is lost.
        """
        if step not in STEP_KEYS:
            raise UserFacingError("input.invalid")
        records = MeetingRecords(self._store)
        for _ in range(TOGGLE_ATTEMPTS - 1):
            meeting = await _running(records, meeting_id, caller)
            try:
                return await records.save(meeting.toggled(step))
            except StaleWriteError:
                continue
        meeting = await _running(records, meeting_id, caller)
        return await records.save_or_refuse(meeting.toggled(step))

    async def save_star(self, meeting_id: str, caller: Caller, points: Mapping[str, PointReading]) -> Meeting:
        """Saves the star reading (partial is fine: any point may stay empty)."""
        records = MeetingRecords(self._store)
        meeting = await _running(records, meeting_id, caller)
        star = self.star(meeting)
        reading = StarReading(star.key, {k: p for k, p in points.items() if not p.is_empty},
                              taken_on=meeting.scheduled_start.date())
        problems = reading_problems(star, reading)
        if problems:
            first = problems[0]
            point = next((p for p in star.points if p.key == first.point_key), None)
            raise UserFacingError(f"star.problem.{first.problem.value}",
                                  point=point.texts.get(meeting.lang, point.texts.get("fi", "")) if point else "")
        return await records.save_or_refuse(replace(meeting, reading=reading))

    async def save_plan(self, meeting_id: str, caller: Caller, form: PlanForm) -> Meeting:
        """Saves the plan as far as written; texts that may not be stored are refused.

        A refusal is a MeetingRefusedError carrying the meeting (the plan card is shown again from it).
        """
        records = MeetingRecords(self._store)
        meeting = await _running(records, meeting_id, caller)
        with refusals_carry(meeting):
            if form.lang not in ("fi", "sv", "en"):
                raise UserFacingError("input.invalid")
            if any(not 0 <= i < len(meeting.attendees) for i in (*form.responsible, *form.recipients)):
                raise UserFacingError("input.invalid")
            family_problem = text_problem(form.family_present, max_length=200)
            if family_problem is not None:
                raise UserFacingError(f"plan.field.{family_problem.value}",
                                      field=t("plan.family_present", meeting.lang))
            plan = self._plan(meeting, form)
            for problem in plan_problems(plan, participants(replace(meeting, family_present=form.family_present))):
                if isinstance(problem.problem, TextProblem):
                    raise UserFacingError(f"plan.field.{problem.problem.value}",
                                          field=t(f"plan.field_name.{problem.field_name}", meeting.lang))
            return await records.save_or_refuse(replace(meeting, plan=plan, family_present=form.family_present.strip(),
                                                        lang=form.lang))

    async def add_feedback(self, meeting_id: str, caller: Caller, scores: Mapping[str, int]) -> Meeting:
        """Adds one respondent's answers (question key → 1–5) to the aggregate counts; nothing else is kept.

        A score outside 1–5 refuses the whole answer (``feedback.out_of_range``) and nothing is saved, and an
        answer with no score is ``feedback.empty``. A refusal is a MeetingRefusedError carrying the meeting
        (the feedback card is shown again from it).
        """
        records = MeetingRecords(self._store)
        meeting = await records.own(meeting_id, caller)
        with refusals_carry(meeting):
            clean = {k: v for k, v in scores.items() if k in FEEDBACK_KEYS}
            if any(v not in FEEDBACK_SCALE for v in clean.values()):
                raise UserFacingError("feedback.out_of_range")
            if not clean:
                raise UserFacingError("feedback.empty")
            saved = await records.save_or_refuse(replace(meeting, feedback=meeting.feedback.add(clean)))
        await self._statistics.feedback_given(saved, clean)
        return saved

    def _plan(self, meeting: Meeting, form: PlanForm) -> JointPlan:
        names = [a.name for a in meeting.attendees]
        next_contact = None
        if form.next_date is not None:
            tz = ZoneInfo(self.team(meeting).timezone)
            next_contact = datetime.combine(form.next_date, form.next_time or time(9, 0), tzinfo=tz)
        return JointPlan(
            things_to_change=form.things_to_change.strip(),
            actions=Actions(form.at_home.strip(), form.everyday_environment.strip(), form.elsewhere.strip(),
                            form.elsewhere_where.strip()),
            contact=ContactArrangement(form.workers_reach_family.strip(), form.family_reaches_worker.strip()),
            responsible=tuple(dict.fromkeys(names[i] for i in form.responsible)),
            next_contact=next_contact,
            recipients=tuple(dict.fromkeys(names[i] for i in form.recipients)))

    async def _earlier_reading(self, records: MeetingRecords, convening: Convening) -> StarReading | None:
        if not convening.followup_of:
            return None
        earlier = await records.get(convening.followup_of)
        return earlier.reading if earlier else None


def plan_lang(meeting: Meeting) -> str:
    """The plan document's language (the family's choice on the plan card)."""
    return meeting.lang if meeting.lang in ("fi", "sv", "en") else "fi"


def participants(meeting: Meeting) -> tuple[Participant, ...]:
    """Everyone in the plan: the professionals, then the family members present (by the names given)."""
    people = [Participant(a.name, a.role, True, a.email) for a in meeting.attendees]
    for name in (n.strip() for n in meeting.family_present.split(",")):
        if name:
            people.append(Participant(name, t("plan.family_member", plan_lang(meeting)), professional=False))
    return tuple(people)


def _attendees(convening: Convening, team: Team) -> tuple[Attendee, ...]:
    lang = convening.lang
    people = [Attendee(convening.convener_email, convening.convener_name, t("meeting.near_worker", lang))]
    for person in convening.invitees:
        role = team.role(person.role) if person.role else None
        people.append(Attendee(person.email, person.display_name,
                               role.name(lang) if role else t("meeting.network_member", lang), person.external))
    return tuple(people)


def _own(meeting: Meeting, caller: Caller) -> Meeting:
    if meeting.convener_id != caller.user_id:
        raise UserFacingError("meeting.not_found")
    return meeting


async def _running(records: MeetingRecords, meeting_id: str, caller: Caller) -> Meeting:
    """The caller's meeting while it runs (not once finalizing has begun)."""
    meeting = await records.own(meeting_id, caller)
    if meeting.status is not MeetingStatus.RUNNING:
        raise UserFacingError("meeting.already_finalized")
    return meeting
