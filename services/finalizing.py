"""Finalizing the meeting: the plan as DOCX and PDF in the responsible worker's OneDrive, shared with the
consented people only, and the next contact booked in the responsible worker's calendar.

Each step's result is saved before the next, so a retry after a failure (or a crash) continues where it
stopped: the files are uploaded once, shared once per person, the next contact booked once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.availability import free_during
from domain.convening import Person
from domain.file_names import plan_file_name
from domain.finnish_calendar import FinnishHolidays
from domain.meeting import MEETING_STEPS, Attendee, FinalizeRecord, Meeting, MeetingStatus
from domain.next_contact import NEXT_CONTACT_MINUTES, nearest_free, search_span
from domain.plan import JointPlan, PlanDocumentData, PlanProblemKind, plan_problems, service_contacts
from domain.sensitive_text import TextProblem
from i18n.formatting import format_moment
from i18n.messages import t
from services.caller import Caller
from services.errors import ServiceUnavailableError, UserFacingError, refusals_carry
from services.meetings import MeetingService, participants, plan_lang
from services.ports import (
    Calendar,
    Drive,
    EventDraft,
    MeetingStore,
    NoStatistics,
    PlanRenderer,
    RenderedPlan,
    StatisticsRecorder,
)
from services.unit_of_work import MeetingRecords

log = logging.getLogger(__name__)

#: The refusal when the booked start has not come yet (``when``: the start, as the meeting's language writes it).
TOO_EARLY = "finalize.too_early"
#: Not a refusal of the plan: steps are not marked done, and the near worker has not confirmed finalizing anyway
#: (``undone`` and ``total``: how many steps). The card asks "Viimeistele silti".
UNDONE_STEPS = "finalize.undone_steps"
#: The responsible worker's calendar is taken at the wanted next contact (``name``, ``when``; ``times``: the
#: nearest free ones). Nothing is written; the plan card shows it, the worker picks a time and finalizes again.
NEXT_CONTACT_TAKEN = "next_contact.taken"
#: The refusal's parameter listing the free times offered, ISO 8601 with offsets, space-separated (one button
#: each on the plan card); the message itself names them in ``times``.
FREE_TIMES = "free"


@dataclass(frozen=True)
class FinalizeOutcome:
    """A finalized meeting and whom to tell (addresses)."""

    meeting: Meeting
    notify: tuple[str, ...]
    responsible_names: tuple[str, ...]
    recipient_names: tuple[str, ...]
    not_shared_names: tuple[str, ...] = ()  # sharing failed for these (the card offers to try again)
    just_finalized: bool = False  # this call finished it (tell the others once, not on every re-click)


class Finalizing:
    """"Valmis – tallenna ja jaa", and sharing again with those it failed for."""

    def __init__(self, *, meetings: MeetingService, store: MeetingStore, calendar: Calendar, drive: Drive,
                 renderer: PlanRenderer, clock: Callable[[], datetime],
                 statistics: StatisticsRecorder | None = None,
                 partner_drives: Mapping[str, Drive] | None = None,
                 partner_calendars: Mapping[str, Calendar] | None = None) -> None:
        """``partner_drives``/``partner_calendars``: OneDrive and calendars in partner organisations' tenants
        (their own tokens), by organisation key; anyone else's plan stays with the near worker."""
        self._meetings = meetings  # the star and the team a meeting uses
        self._store = store
        self._calendar = calendar
        self._drive = drive
        self._partner_drives = dict(partner_drives or {})
        self._partner_calendars = dict(partner_calendars or {})
        self._renderer = renderer
        self._clock = clock
        self._statistics: StatisticsRecorder = statistics or NoStatistics()

    async def finalize(self, meeting_id: str, caller: Caller, *, confirmed: bool = False) -> FinalizeOutcome:
        """Documents to the responsible worker's OneDrive, shared as consented; the next contact booked.

        Each step's result is saved before the next, so a retry after a failure
        continues where it stopped instead of uploading or booking twice. A plan that is not ready is a
        MeetingRefusedError carrying the meeting (the plan card is shown again from it); so is a meeting whose
        booked start has not come yet (``TOO_EARLY``: it was not held, nothing is written or counted), and one
        with steps not marked done unless ``confirmed`` (``UNDONE_STEPS``: the near worker confirms first).
        Once finalizing has begun, a retry resumes it without asking again.
        """
        records = MeetingRecords(self._store)
        meeting = await records.own(meeting_id, caller)
        if meeting.status is MeetingStatus.FINALIZED:
            await self._statistics.held(meeting)  # counted once: a retry after a crash still counts it
            return _outcome(meeting)
        plan = meeting.plan
        people = participants(meeting)
        with refusals_carry(meeting):
            if meeting.status is MeetingStatus.RUNNING and self._clock() < meeting.scheduled_start:
                # Not held yet: finalizing would share a plan of a meeting that has not happened, and count it.
                zone = ZoneInfo(self._meetings.team(meeting).timezone)
                raise UserFacingError(TOO_EARLY, when=format_moment(meeting.scheduled_start.astimezone(zone),
                                                                    meeting.lang))
            if plan is None:
                raise UserFacingError("plan.missing")
            problems = plan_problems(plan, people, meeting.scheduled_start.date())
            if problems:
                first = problems[0]
                raise UserFacingError(_problem_key(first.problem),
                                      field=t(f"plan.field_name.{first.field_name.split('.')[0]}", meeting.lang)
                                      if _has_field_name(first.field_name) else "")
            responsible = [a for a in meeting.attendees if a.name in plan.responsible]
            undone = undone_steps(meeting)
            asking = meeting.status is MeetingStatus.RUNNING and bool(undone) and not confirmed
            # The documents are drawn (CPU, in a thread) while the next contact's calendar is read: the click
            # waits for the longer of the two, not both. Not when the answer is a question anyway.
            documents = None if asking or (meeting.finalized and meeting.finalized.pdf_item_id) \
                else _started(self._render(meeting, plan))
            try:
                if meeting.status is MeetingStatus.RUNNING and plan.next_contact is not None:
                    # Before "Viimeistele silti": the time is fixed first, then finalizing is confirmed once.
                    await self._refuse_a_taken_next_contact(meeting, plan.next_contact, responsible[0])
                if asking:
                    raise UserFacingError(UNDONE_STEPS, undone=str(len(undone)), total=str(len(MEETING_STEPS)))
            except BaseException:
                if documents is not None:
                    documents.cancel()  # refused: the drawing is not used
                raise
        owner, organisation = self._plan_home(meeting, responsible[0])
        progress = meeting.finalized or FinalizeRecord(owner, "", "", "", "", (), None, plan.next_contact,
                                                       responsible=responsible[0].email.lower(),
                                                       drive_organisation=organisation)
        if meeting.status is MeetingStatus.RUNNING:
            meeting = await records.save(replace(meeting, status=MeetingStatus.FINALIZING))
        meeting, progress = await self._files_and_next_contact(records, meeting, plan, owner, responsible, progress,
                                                               documents)
        missing = tuple(e for e in _share_list(meeting, plan, owner) if e not in progress.shared_with)
        if missing:
            progress = await self._share(meeting, progress, missing)
            meeting = await records.save(replace(meeting, finalized=progress))
        finalized = replace(meeting, finalized=progress, status=MeetingStatus.FINALIZED,
                            finalized_at=self._clock()).pruned()
        await records.save_or_refuse(finalized)
        await self._statistics.held(finalized)
        log.info("meeting finalized", extra={"meeting": meeting.id})
        return replace(_outcome(finalized, plan), just_finalized=True)

    async def retry_sharing(self, meeting_id: str, caller: Caller) -> FinalizeOutcome:
        """Shares the finalized files again with those it failed for: no upload, never anyone else."""
        records = MeetingRecords(self._store)
        meeting = await records.own(meeting_id, caller)
        record = meeting.finalized
        if meeting.status is not MeetingStatus.FINALIZED or record is None:
            raise UserFacingError("meeting.not_found")
        if record.share_failed:
            meeting = replace(meeting, finalized=await self._share(meeting, record, record.share_failed))
            meeting = await records.save_or_refuse(meeting)
        return _outcome(meeting)

    async def _files_and_next_contact(self, records: MeetingRecords, meeting: Meeting, plan: JointPlan, owner: str,
                                      responsible: list[Attendee], progress: FinalizeRecord,
                                      documents: asyncio.Task[RenderedPlan] | None
                                      ) -> tuple[Meeting, FinalizeRecord]:
        """The documents uploaded and the next contact booked, at the same time (one Graph round trip for both,
        once the documents are drawn); whatever succeeded is saved before a failure of the other is raised, so a
        retry does only what is left (the event is idempotent on its transaction id)."""
        upload = None
        if not progress.pdf_item_id:  # (when uploaded already, ``finalize`` drew nothing)
            rendered = await (documents or _started(self._render(meeting, plan)))
            upload = self._upload(meeting, owner, progress, rendered)
        book = (self._book_next_contact(meeting, plan, responsible)
                if progress.next_contact_event_id is None and plan.next_contact is not None else None)
        if upload is None and book is None:
            return meeting, progress
        uploaded, booked = await asyncio.gather(upload or _nothing(), book or _nothing(), return_exceptions=True)
        failure: BaseException | None = None
        if isinstance(uploaded, FinalizeRecord):
            progress = replace(progress, docx_item_id=uploaded.docx_item_id, docx_url=uploaded.docx_url,
                               pdf_item_id=uploaded.pdf_item_id, pdf_url=uploaded.pdf_url)
        elif isinstance(uploaded, BaseException):
            failure = uploaded
        if isinstance(booked, tuple):
            progress = replace(progress, next_contact_event_id=booked[0], next_contact_invited=booked[1])
        elif isinstance(booked, BaseException):
            failure = failure or booked
        if failure is not None and not isinstance(failure, Exception):
            raise failure  # cancelled: nothing more is written
        meeting = await records.save(replace(meeting, finalized=progress))
        if failure is not None:
            raise failure
        return meeting, progress

    async def _render(self, meeting: Meeting, plan: JointPlan) -> RenderedPlan:
        """The plan's DOCX and PDF (and the star picture), drawn off the event loop."""
        team = self._meetings.team(meeting)
        lang = plan_lang(meeting)
        data = PlanDocumentData(meeting_day=meeting.scheduled_start.astimezone(ZoneInfo(team.timezone)).date(),
                                place=meeting.place, participants=participants(meeting), plan=plan,
                                service_contacts=service_contacts(team, lang),
                                star=self._meetings.star(meeting) if meeting.reading else None,
                                reading=meeting.reading, earlier_reading=meeting.earlier_reading, lang=lang,
                                created=self._clock().astimezone(ZoneInfo(team.timezone)))
        # Off the event loop: drawing the star and writing DOCX + PDF is CPU work (~1 s on a cold start) that
        # would otherwise hold every other user's click and this click's own time budget.
        return await asyncio.to_thread(self._renderer.render, data)

    async def _upload(self, meeting: Meeting, owner: str, progress: FinalizeRecord, rendered: RenderedPlan
                      ) -> FinalizeRecord:
        """Uploads the drawn DOCX and PDF to the owner's folder, both at once."""
        day = meeting.scheduled_start.astimezone(ZoneInfo(self._meetings.team(meeting).timezone)).date()
        drive = self._drive_of(progress)
        folder = self._meetings.settings.drive_folder  # made by the first upload when missing
        docx, pdf = await asyncio.gather(
            drive.upload(owner, folder, plan_file_name(meeting.family_ref, day, "docx"), rendered.docx),
            drive.upload(owner, folder, plan_file_name(meeting.family_ref, day, "pdf"), rendered.pdf))
        return replace(progress, docx_item_id=docx.id, docx_url=docx.web_url, pdf_item_id=pdf.id,
                       pdf_url=pdf.web_url)

    async def _share(self, meeting: Meeting, record: FinalizeRecord, emails: tuple[str, ...]) -> FinalizeRecord:
        """Read access to both files for each person, all at once: whom it failed for is remembered, not fatal."""
        message = t("finalize.share_message", plan_lang(meeting))
        drive = self._drive_of(record)
        failed: set[str] = set()
        for refused in await asyncio.gather(*(drive.share(record.drive_owner, item, emails, message)
                                              for item in (record.docx_item_id, record.pdf_item_id))):
            failed.update(refused)
        if failed:
            log.warning("sharing failed for %d recipient(s)", len(failed), extra={"meeting": meeting.id})
        shared = [e for e in emails if e not in failed]
        return replace(record, shared_with=tuple(dict.fromkeys((*record.shared_with, *shared))),
                       share_failed=tuple(e for e in emails if e in failed))

    def _plan_home(self, meeting: Meeting, responsible: Attendee) -> tuple[str, str]:
        """(whose OneDrive, which organisation's tenant) for the plan: the responsible worker's own when the
        bot may write there (our tenant, or a partner that consented); otherwise the near worker's, shared with
        the responsible worker by address."""
        team = self._meetings.team(meeting)
        employer = team.employer(responsible.email, responsible.external)
        if employer is not None and employer.key == team.home.key:
            return responsible.email, employer.key
        if employer is not None and employer.key in self._partner_drives:
            return responsible.email, employer.key
        return meeting.convener_email, team.home.key

    def _drive_of(self, record: FinalizeRecord) -> Drive:
        """The OneDrive adapter for the tenant holding the files."""
        return self._partner_drives.get(record.drive_organisation, self._drive)

    async def _refuse_a_taken_next_contact(self, meeting: Meeting, wanted: datetime, worker: Attendee) -> None:
        """Refuses (nothing written yet) when the responsible worker's calendar is taken at the wanted next
        contact, naming the nearest free times; a calendar the bot cannot read does not block."""
        team = self._meetings.team(meeting)
        employer = team.employer(worker.email, worker.external)
        if employer is not None and employer.key in self._partner_calendars:
            calendar, reader = self._partner_calendars[employer.key], worker.email
        elif employer is not None and employer.key == team.home.key:
            calendar, reader = self._calendar, meeting.convener_id
        else:
            return  # another organisation's calendar without our token: booked as an invitation, unchecked
        zone = ZoneInfo(team.timezone)
        start, end = search_span(wanted, zone)
        try:
            schedule = (await calendar.schedules(reader, [worker.email], start, end, team.timezone)).get(
                worker.email.lower())
        except ServiceUnavailableError:
            return  # not known now: the booking below is the write that must succeed (and is retried)
        if schedule is None or schedule.error is not None:
            return
        if free_during(schedule, wanted, wanted + timedelta(minutes=NEXT_CONTACT_MINUTES)):
            return
        lang = meeting.lang
        holidays = FinnishHolidays(range(start.year, end.year + 1))
        near = nearest_free(wanted, schedule, now=self._clock(), zone=zone, is_holiday=holidays)
        times = ", ".join(format_moment(moment, lang) for moment in near) or t("next_contact.none_free", lang)
        free = " ".join(moment.astimezone(zone).isoformat() for moment in near)
        raise UserFacingError(NEXT_CONTACT_TAKEN, name=worker.name, when=format_moment(wanted.astimezone(zone), lang),
                              times=times, **{FREE_TIMES: free})

    async def _book_next_contact(self, meeting: Meeting, plan: JointPlan, responsible: list[Attendee]
                                 ) -> tuple[str, bool]:
        """The next contact in the responsible worker's calendar where the bot may write it (our tenant or a
        consenting partner); otherwise an invitation to them from the near worker's calendar. Idempotent on
        its transaction id. Returns (event id, sent as an invitation)."""
        team = self._meetings.team(meeting)
        assert plan.next_contact is not None
        start = plan.next_contact
        lang = plan_lang(meeting)
        # In the plan's language and Finnish date style ("ti 15.12.2026 klo 9.00"), as the workers write it.
        at = format_moment(start.astimezone(ZoneInfo(team.timezone)), lang)
        body = f"<p>{t('next_contact.body', lang)}</p><p>{t('invitation.time', lang)}: {at}</p>"
        first = responsible[0]
        employer = team.employer(first.email, first.external)
        calendar, organizer, invited = self._calendar, first.email, responsible[1:]
        if employer is not None and employer.key in self._partner_calendars:
            calendar = self._partner_calendars[employer.key]
        elif employer is None or employer.key != team.home.key:
            organizer, invited = meeting.convener_email, responsible
        draft = EventDraft(subject=t("next_contact.subject", lang), body_html=body, start=start,
                           end=start + timedelta(minutes=NEXT_CONTACT_MINUTES), timezone=team.timezone,
                           attendees=tuple(Person(a.email, a.name) for a in invited), room_email=None,
                           room_name=None, location="", online=False,
                           transaction_id=f"yhdessa-aika-next-{meeting.id}")
        created = await calendar.create_event(organizer, draft)
        return created.id, organizer != first.email


def undone_steps(meeting: Meeting) -> tuple[str, ...]:
    """The keys of the steps not marked done, in the model's order."""
    return tuple(step.key for step in MEETING_STEPS if step.key not in meeting.checked)


def _outcome(meeting: Meeting, plan: JointPlan | None = None) -> FinalizeOutcome:
    record = meeting.finalized
    shared = record.shared_with if record else ()
    names = {a.email.lower(): a.name for a in meeting.attendees}
    owner = record.responsible_email.lower() if record else ""
    notify = tuple(dict.fromkeys([meeting.convener_email.lower(), owner]))
    responsible = tuple(names.get(e, e) for e in (owner,) if e) if plan is None else plan.responsible
    return FinalizeOutcome(meeting, notify, responsible, tuple(names.get(e.lower(), e) for e in shared),
                           tuple(names.get(e.lower(), e) for e in (record.share_failed if record else ())))


def _share_list(meeting: Meeting, plan: JointPlan, owner: str) -> tuple[str, ...]:
    """Consented recipients, the other responsible worker and the near worker (who prints it for the family)."""
    wanted = set(plan.responsible) | set(plan.recipients)
    emails = [a.email for a in meeting.attendees if a.name in wanted]
    emails.append(meeting.convener_email)
    return tuple(dict.fromkeys(e.lower() for e in emails if e.lower() != owner.lower()))


def _problem_key(problem: object) -> str:
    if isinstance(problem, TextProblem):
        return f"plan.field.{problem.value}"
    if isinstance(problem, PlanProblemKind):
        return f"plan.problem.{problem.value.removeprefix('plan.')}"
    return "input.invalid"


def _has_field_name(name: str) -> bool:
    return name.split(".", maxsplit=1)[0] in {"things_to_change", "actions", "contact", "responsible", "recipients",
                                              "next_contact", "participants"}


async def _nothing() -> None:
    """A step already done: nothing to wait for."""


def _started(drawing: Coroutine[Any, Any, RenderedPlan]) -> asyncio.Task[RenderedPlan]:
    """``drawing`` running already; a result nobody waits for (a refusal) is dropped without a warning."""
    task = asyncio.ensure_future(drawing)
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
    return task
