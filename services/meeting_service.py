"""Use cases of the meeting: start, steps, star, plan, feedback, finalize, follow-up, retention."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.convening import Convening, ConveningStatus, Person
from domain.file_names import plan_file_name
from domain.meeting import FEEDBACK_KEYS, STEP_KEYS, Attendee, FinalizeRecord, Meeting, MeetingStatus
from domain.plan import (
    Actions,
    ContactArrangement,
    JointPlan,
    Participant,
    PlanDocumentData,
    PlanProblemKind,
    plan_problems,
    service_contacts,
)
from domain.sensitive_text import TextProblem, text_problem
from domain.star import PointReading, StarDefinition, StarReading, reading_problems
from domain.team import Team
from i18n.messages import t
from services.convening_service import Caller, ConveningService
from services.errors import UserFacingError
from services.invitation_text import event_location
from services.ports import (
    Calendar,
    Drive,
    EventDraft,
    MeetingStore,
    NoStatistics,
    PlanRenderer,
    StaleWriteError,
    StatisticsRecorder,
)

log = logging.getLogger(__name__)
#: How many times a step click is applied on fresh state when it meets a concurrent change.
TOGGLE_ATTEMPTS = 5


@dataclass(frozen=True)
class MeetingSettings:
    """Team-wide meeting practice (from configuration)."""

    warn_minutes: int = 20
    retention_days: int = 365
    reminder_hours: int = 24
    drive_folder: str = "Yhdessä aika"
    default_star: str = "lape-pohjois-savo"


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


@dataclass(frozen=True)
class FinalizeOutcome:
    """A finalized meeting and whom to tell (addresses)."""

    meeting: Meeting
    notify: tuple[str, ...]
    responsible_names: tuple[str, ...]
    recipient_names: tuple[str, ...]
    not_shared_names: tuple[str, ...] = ()  # sharing failed for these (the card offers to try again)
    just_finalized: bool = False  # this call finished it (tell the others once, not on every re-click)


class MeetingService:
    """The meeting journey, independent of Teams and Graph."""

    def __init__(self, *, convenings: ConveningService, store: MeetingStore, calendar: Calendar, drive: Drive,
                 renderer: PlanRenderer, stars: Mapping[str, StarDefinition], settings: MeetingSettings,
                 clock: Callable[[], datetime], statistics: StatisticsRecorder | None = None) -> None:
        self._convenings = convenings
        self._store = store
        self._calendar = calendar
        self._drive = drive
        self._renderer = renderer
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
        return self._convenings.team(meeting.team_key)

    async def start(self, convening_id: str, caller: Caller) -> Meeting:
        """Starts (or reopens) the meeting of a booked convening; only its convener may."""
        convening, _ = await self._convenings.get_own(convening_id, caller)
        stored = await self._store.get(convening_id)
        if stored is not None:
            return self._own(stored.meeting, caller)
        if convening.status is not ConveningStatus.BOOKED or convening.booking is None or convening.request is None:
            raise UserFacingError("meeting.not_booked")
        team = self._convenings.team(convening.team_key)
        meeting = Meeting(
            id=convening.id, convener_id=convening.convener_id, convener_email=convening.convener_email,
            team_key=team.key, family_ref=convening.request.family_ref, lang=convening.lang,
            attendees=self._attendees(convening, team), scheduled_start=convening.booking.start,
            scheduled_end=convening.booking.end,
            place=event_location(convening.request, self._convenings.room(team.key, convening.booking.room),
                                 convening.lang),
            started_at=self._clock(), star_key=self._settings.default_star,
            earlier_reading=await self._earlier_reading(convening), followup_of=convening.followup_of)
        try:
            await self._store.add(meeting)
        except StaleWriteError:
            stored = await self._store.get(convening_id)
            if stored is None:
                raise
            return self._own(stored.meeting, caller)
        return meeting

    async def get(self, meeting_id: str, caller: Caller) -> tuple[Meeting, str]:
        """The meeting, if the caller runs it; anyone else sees it as missing."""
        stored = await self._store.get(meeting_id)
        if stored is None:
            raise UserFacingError("meeting.not_found")
        return self._own(stored.meeting, caller), stored.etag

    async def peek(self, meeting_id: str) -> Meeting | None:
        """The meeting without an ownership check: only for deciding whose view to show."""
        stored = await self._store.get(meeting_id)
        return stored.meeting if stored else None

    async def attach_chat(self, meeting_id: str, conversation_id: str, activity_id: str) -> None:
        """Remembers the shared card in the meeting chat, to keep it up to date."""
        stored = await self._store.get(meeting_id)
        if stored is not None:
            await self._store.replace(replace(stored.meeting, chat_conversation_id=conversation_id,
                                              chat_activity_id=activity_id), stored.etag)

    async def toggle_step(self, meeting_id: str, caller: Caller, step: str) -> Meeting:
        """Checks a step of the structure off, or back on.

        A click that meets a concurrent change (another click, another instance) is applied again on
        the fresh state, a few times, before the worker is asked to try again: no click is lost.
        """
        if step not in STEP_KEYS:
            raise UserFacingError("input.invalid")
        for _ in range(TOGGLE_ATTEMPTS - 1):
            meeting, etag = await self._running(meeting_id, caller)
            try:
                await self._store.replace(meeting.toggled(step), etag)
            except StaleWriteError:
                continue
            return meeting.toggled(step)
        meeting, etag = await self._running(meeting_id, caller)
        return await self._save(meeting.toggled(step), etag)

    async def save_star(self, meeting_id: str, caller: Caller, points: Mapping[str, PointReading]) -> Meeting:
        """Saves the star reading (partial is fine: any point may stay empty)."""
        meeting, etag = await self._running(meeting_id, caller)
        star = self.star(meeting)
        reading = StarReading(star.key, {k: p for k, p in points.items() if not p.is_empty},
                              taken_on=meeting.scheduled_start.date())
        problems = reading_problems(star, reading)
        if problems:
            first = problems[0]
            point = next((p for p in star.points if p.key == first.point_key), None)
            raise UserFacingError(f"star.problem.{first.problem.value}",
                                  point=point.texts.get(meeting.lang, point.texts.get("fi", "")) if point else "")
        return await self._save(replace(meeting, reading=reading), etag)

    async def save_plan(self, meeting_id: str, caller: Caller, form: PlanForm) -> Meeting:
        """Saves the plan as far as written; texts that may not be stored are refused."""
        meeting, etag = await self._running(meeting_id, caller)
        if form.lang not in ("fi", "sv", "en"):
            raise UserFacingError("input.invalid")
        if any(not 0 <= i < len(meeting.attendees) for i in (*form.responsible, *form.recipients)):
            raise UserFacingError("input.invalid")
        family_problem = text_problem(form.family_present, max_length=200)
        if family_problem is not None:
            raise UserFacingError(f"plan.field.{family_problem.value}", field=t("plan.family_present", meeting.lang))
        plan = self._plan(meeting, form)
        participants = self._participants(replace(meeting, family_present=form.family_present))
        for problem in plan_problems(plan, participants):
            if isinstance(problem.problem, TextProblem):
                raise UserFacingError(f"plan.field.{problem.problem.value}",
                                      field=t(f"plan.field_name.{problem.field_name}", meeting.lang))
        return await self._save(replace(meeting, plan=plan, family_present=form.family_present.strip(),
                                        lang=form.lang), etag)

    async def add_feedback(self, meeting_id: str, caller: Caller, scores: Mapping[str, int],
                           comment: str = "") -> Meeting:
        """Adds one response to the aggregate counts. The comment is never stored, yet checked like every text:
        the same rule everywhere (and a refused comment is not echoed back)."""
        meeting, etag = await self._open(meeting_id, caller)
        comment_problem = text_problem(comment, max_length=1000)
        if comment_problem is not None:
            raise UserFacingError(f"feedback.{comment_problem.value}")
        clean = {k: v for k, v in scores.items() if k in FEEDBACK_KEYS and 1 <= v <= 5}
        if not clean:
            raise UserFacingError("feedback.empty")
        saved = await self._save(replace(meeting, feedback=meeting.feedback.add(clean)), etag)
        await self._statistics.feedback_given(saved, clean)
        return saved

    async def finalize(self, meeting_id: str, caller: Caller) -> FinalizeOutcome:
        """Documents to the responsible worker's OneDrive, shared as consented; the next contact booked.

        Each step's result is saved before the next, so a retry after a failure
        continues where it stopped instead of uploading or booking twice.
        """
        meeting, etag = await self._open(meeting_id, caller)
        if meeting.status is MeetingStatus.FINALIZED:
            await self._statistics.held(meeting)  # counted once: a retry after a crash still counts it
            return self._outcome(meeting)
        plan = meeting.plan
        participants = self._participants(meeting)
        if plan is None:
            raise UserFacingError("plan.missing")
        problems = plan_problems(plan, participants, meeting.scheduled_start.date())
        if problems:
            raise UserFacingError(_problem_key(problems[0].problem),
                                  field=t(f"plan.field_name.{problems[0].field_name.split('.')[0]}", meeting.lang)
                                  if _has_field_name(problems[0].field_name) else "")
        responsible = [a for a in meeting.attendees if a.name in plan.responsible]
        owner = responsible[0].email
        progress = meeting.finalized or FinalizeRecord(owner, "", "", "", "", (), None, plan.next_contact)
        if meeting.status is MeetingStatus.RUNNING:
            meeting = replace(meeting, status=MeetingStatus.FINALIZING)
            etag = await self._store.replace(meeting, etag)
        if not progress.pdf_item_id:
            team = self.team(meeting)
            data = PlanDocumentData(meeting_day=meeting.scheduled_start.astimezone(ZoneInfo(team.timezone)).date(),
                                    place=meeting.place, participants=participants, plan=plan,
                                    service_contacts=service_contacts(team, plan_lang(meeting)),
                                    star=self.star(meeting) if meeting.reading else None, reading=meeting.reading,
                                    earlier_reading=meeting.earlier_reading, lang=plan_lang(meeting))
            # Off the event loop: drawing the star and writing DOCX + PDF is CPU work (~1 s on a cold start) that
            # would otherwise hold every other user's click and this click's own time budget.
            rendered = await asyncio.to_thread(self._renderer.render, data)
            folder = await self._drive.ensure_folder(owner, self._settings.drive_folder)
            docx = await self._drive.upload(owner, folder, plan_file_name(meeting.family_ref, data.meeting_day,
                                                                          "docx"), rendered.docx)
            pdf = await self._drive.upload(owner, folder, plan_file_name(meeting.family_ref, data.meeting_day, "pdf"),
                                           rendered.pdf)
            progress = replace(progress, docx_item_id=docx.id, docx_url=docx.web_url, pdf_item_id=pdf.id,
                               pdf_url=pdf.web_url)
            meeting = replace(meeting, finalized=progress)
            etag = await self._store.replace(meeting, etag)
        share_to = self._share_list(meeting, plan, owner)
        missing = tuple(e for e in share_to if e not in progress.shared_with)
        if missing:
            progress = await self._share(meeting, progress, missing)
            meeting = replace(meeting, finalized=progress)
            etag = await self._store.replace(meeting, etag)
        if progress.next_contact_event_id is None and plan.next_contact is not None:
            progress = replace(progress, next_contact_event_id=await self._book_next_contact(meeting, plan,
                                                                                             responsible))
        finalized = replace(meeting, finalized=progress, status=MeetingStatus.FINALIZED,
                            finalized_at=self._clock()).pruned()
        await self._save(finalized, etag)
        await self._statistics.held(finalized)
        log.info("meeting finalized", extra={"meeting": meeting.id})
        return replace(self._outcome(finalized, plan), just_finalized=True)

    async def retry_sharing(self, meeting_id: str, caller: Caller) -> FinalizeOutcome:
        """Shares the finalized files again with those it failed for: no upload, never anyone else."""
        meeting, etag = await self._open(meeting_id, caller)
        record = meeting.finalized
        if meeting.status is not MeetingStatus.FINALIZED or record is None:
            raise UserFacingError("meeting.not_found")
        if record.share_failed:
            meeting = replace(meeting, finalized=await self._share(meeting, record, record.share_failed))
            meeting = await self._save(meeting, etag)
        return self._outcome(meeting)

    async def _share(self, meeting: Meeting, record: FinalizeRecord, emails: tuple[str, ...]) -> FinalizeRecord:
        """Read access to both files, one person at a time: whom it failed for is remembered, not fatal."""
        message = t("finalize.share_message", plan_lang(meeting))
        failed: set[str] = set()
        for item in (record.docx_item_id, record.pdf_item_id):
            failed.update(await self._drive.share(record.drive_owner, item, emails, message))
        if failed:
            log.warning("sharing failed for %d recipient(s)", len(failed), extra={"meeting": meeting.id})
        shared = [e for e in emails if e not in failed]
        return replace(record, shared_with=tuple(dict.fromkeys((*record.shared_with, *shared))),
                       share_failed=tuple(e for e in emails if e in failed))

    def _outcome(self, meeting: Meeting, plan: JointPlan | None = None) -> FinalizeOutcome:
        record = meeting.finalized
        shared = record.shared_with if record else ()
        names = {a.email.lower(): a.name for a in meeting.attendees}
        owner = record.drive_owner.lower() if record else ""
        notify = tuple(dict.fromkeys([meeting.convener_email.lower(), owner]))
        responsible = tuple(names.get(e, e) for e in (owner,) if e) if plan is None else plan.responsible
        return FinalizeOutcome(meeting, notify, responsible, tuple(names.get(e.lower(), e) for e in shared),
                               tuple(names.get(e.lower(), e) for e in (record.share_failed if record else ())))

    async def _book_next_contact(self, meeting: Meeting, plan: JointPlan, responsible: list[Attendee]) -> str:
        team = self.team(meeting)
        assert plan.next_contact is not None
        start = plan.next_contact
        lang = plan_lang(meeting)
        body = (f"<p>{t('next_contact.body', lang)}</p>"
                f"<p>{t('invitation.time', lang)}: {start.astimezone(ZoneInfo(team.timezone)):%d.%m.%Y %H.%M}</p>")
        draft = EventDraft(subject=t("next_contact.subject", lang), body_html=body, start=start,
                           end=start + timedelta(minutes=30), timezone=team.timezone,
                           attendees=tuple(_person(a) for a in responsible[1:]), room_email=None, room_name=None,
                           location="", online=False, transaction_id=f"yhdessa-aika-next-{meeting.id}")
        owner_id = responsible[0].email
        created = await self._calendar.create_event(owner_id, draft)
        return created.id

    def _share_list(self, meeting: Meeting, plan: JointPlan, owner: str) -> tuple[str, ...]:
        """Consented recipients, the other responsible worker and the near worker (who prints it for the family)."""
        wanted = set(plan.responsible) | set(plan.recipients)
        emails = [a.email for a in meeting.attendees if a.name in wanted]
        emails.append(meeting.convener_email)
        return tuple(dict.fromkeys(e.lower() for e in emails if e.lower() != owner.lower()))

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

    def _participants(self, meeting: Meeting) -> tuple[Participant, ...]:
        people = [Participant(a.name, a.role, True, a.email) for a in meeting.attendees]
        for name in (n.strip() for n in meeting.family_present.split(",")):
            if name:
                people.append(Participant(name, t("plan.family_member", plan_lang(meeting)), professional=False))
        return tuple(people)

    def _attendees(self, convening: Convening, team: Team) -> tuple[Attendee, ...]:
        lang = convening.lang
        people = [Attendee(convening.convener_email, convening.convener_name, t("meeting.near_worker", lang))]
        for person in convening.invitees:
            role = team.role(person.role) if person.role else None
            people.append(Attendee(person.email, person.display_name,
                                   role.name(lang) if role else t("meeting.network_member", lang)))
        return tuple(people)

    async def _earlier_reading(self, convening: Convening) -> StarReading | None:
        if not convening.followup_of:
            return None
        earlier = await self._store.get(convening.followup_of)
        return earlier.meeting.reading if earlier else None

    def _own(self, meeting: Meeting, caller: Caller) -> Meeting:
        if meeting.convener_id != caller.user_id:
            raise UserFacingError("meeting.not_found")
        return meeting

    async def _open(self, meeting_id: str, caller: Caller) -> tuple[Meeting, str]:
        return await self.get(meeting_id, caller)

    async def _running(self, meeting_id: str, caller: Caller) -> tuple[Meeting, str]:
        meeting, etag = await self.get(meeting_id, caller)
        if meeting.status is not MeetingStatus.RUNNING:
            raise UserFacingError("meeting.already_finalized")
        return meeting, etag

    async def _save(self, meeting: Meeting, etag: str) -> Meeting:
        try:
            await self._store.replace(meeting, etag)
        except StaleWriteError as err:
            raise UserFacingError("convening.changed_meanwhile") from err
        return meeting

    # --- scheduled work -------------------------------------------------------------------------------

    async def due_time_warnings(self) -> list[Meeting]:
        """Running meetings whose time left has reached the warning threshold and were not warned yet."""
        now = self._clock()
        threshold = timedelta(minutes=self._settings.warn_minutes)
        return [s.meeting for s in await self._store.due(now)
                if s.meeting.status is MeetingStatus.RUNNING and not s.meeting.time_warning_sent
                and s.meeting.time_left(now) <= threshold]

    async def mark_warned(self, meeting_id: str, *, done: bool = True) -> bool:
        """Claims the time warning (True: this caller sends it). ``done=False`` gives it back."""
        return await self._claim(meeting_id, lambda m: m.time_warning_sent == done,
                                 lambda m: replace(m, time_warning_sent=done))

    async def _claim(self, meeting_id: str, already: Callable[[Meeting], bool],
                     change: Callable[[Meeting], Meeting]) -> bool:
        """Sets a bookkeeping flag if not set yet; with several instances exactly one wins (eTags)."""
        stored = await self._store.get(meeting_id)
        if stored is None or already(stored.meeting):
            return False
        try:
            await self._store.replace(change(stored.meeting), stored.etag)
        except StaleWriteError:
            return False
        return True

    async def due_reminders(self) -> list[Meeting]:
        """Finalized meetings whose next contact is within the reminder period, not reminded yet."""
        now = self._clock()
        ahead = timedelta(hours=self._settings.reminder_hours)
        due = []
        for s in await self._store.due(now):
            record = s.meeting.finalized
            if (s.meeting.status is MeetingStatus.FINALIZED and not s.meeting.reminder_sent and record
                    and record.next_contact and now <= record.next_contact <= now + ahead):
                due.append(s.meeting)
        return due

    async def mark_reminded(self, meeting_id: str, *, done: bool = True) -> bool:
        """Claims the next-contact reminder (True: this caller sends it). ``done=False`` gives it back."""
        return await self._claim(meeting_id, lambda m: m.reminder_sent == done,
                                 lambda m: replace(m, reminder_sent=done))

    async def purge_expired(self) -> int:
        """Deletes meetings (and their convenings) past the retention period; returns how many."""
        today = self._clock().date()
        purged = 0
        for s in await self._store.due(self._clock()):
            if s.meeting.status is MeetingStatus.FINALIZED and s.meeting.delete_after(
                    self._settings.retention_days) < today:
                await self._store.delete(s.meeting.id)
                await self._convenings.forget(s.meeting.id)
                purged += 1
        return purged


def next_due(meeting: Meeting, settings: MeetingSettings) -> datetime:
    """When the scheduler next needs to look at ``meeting`` (warning, reminder or deletion)."""
    if meeting.status is not MeetingStatus.FINALIZED:
        if meeting.time_warning_sent:
            return meeting.scheduled_end + timedelta(days=settings.retention_days)
        return meeting.started_at + meeting.duration - timedelta(minutes=settings.warn_minutes)
    record = meeting.finalized
    if record and record.next_contact and not meeting.reminder_sent:
        return record.next_contact - timedelta(hours=settings.reminder_hours)
    anchor = meeting.finalized_at or meeting.started_at
    return datetime.combine(meeting.delete_after(settings.retention_days) + timedelta(days=1), time(0),
                            tzinfo=anchor.tzinfo)


def plan_lang(meeting: Meeting) -> str:
    """The plan document's language (the family's choice on the plan card)."""
    return meeting.lang if meeting.lang in ("fi", "sv", "en") else "fi"


def _person(attendee: Attendee) -> Person:
    return Person(attendee.email, attendee.name)


def _problem_key(problem: object) -> str:
    if isinstance(problem, TextProblem):
        return f"plan.field.{problem.value}"
    if isinstance(problem, PlanProblemKind):
        return f"plan.problem.{problem.value.removeprefix('plan.')}"
    return "input.invalid"


def _has_field_name(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in {"things_to_change", "actions", "contact", "responsible", "recipients",
                                  "next_contact", "participants"}
