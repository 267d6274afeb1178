"""Card actions of the meeting: steps, star, plan, feedback, finalize, follow-up."""

from __future__ import annotations

from datetime import datetime

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionResult, ActionRouter, new_phase
from bot.background import BackgroundWork
from bot.meeting_chat import MeetingChat
from bot.meeting_payloads import (
    FeedbackSavePayload,
    FinalizeConfirmPayload,
    PlanSavePayload,
    StarSavePayload,
    StepPayload,
)
from bot.payloads import RecordPayload
from bot.proactive import Messenger
from cards.common import quoted
from cards.convening_form import FormValues, convening_form_card
from cards.feedback_card import feedback_card
from cards.finalize_confirm_card import finalize_confirm_card
from cards.finalized_card import finalized_card
from cards.meeting_steps import meeting_steps_card
from cards.plan_card import plan_card
from cards.star_card import star_card
from cards.verbs import Verb
from cards.working import working_card
from domain.meeting import Meeting, MeetingStatus
from i18n.messages import has, t
from services.errors import MeetingRefusedError, UserFacingError
from services.finalizing import FREE_TIMES, NEXT_CONTACT_TAKEN, TOO_EARLY, UNDONE_STEPS, FinalizeOutcome, Finalizing
from services.meetings import MeetingService
from services.proposing import Proposing
from services.teams import TeamRegistry
from state.media import MediaStore


class MeetingActions:
    """The handlers behind the meeting cards. Only the near worker who convened runs the meeting."""

    def __init__(self, *, meetings: MeetingService, finalizing: Finalizing, proposing: Proposing,
                 teams: TeamRegistry, media: MediaStore, messenger: Messenger, chat: MeetingChat,
                 work: BackgroundWork | None = None) -> None:
        self._work = work
        self._meetings = meetings
        self._finalizing = finalizing
        self._proposing = proposing
        self._teams = teams
        self._media = media
        self._messenger = messenger
        self._chat = chat

    def register(self, router: ActionRouter) -> None:
        """Adds every meeting verb to ``router``."""
        router.add(Verb.MEETING_START, RecordPayload, self.start)
        router.add(Verb.MEETING_OPEN, RecordPayload, self.open)
        router.add(Verb.STEP_TOGGLE, StepPayload, self.toggle)
        router.add(Verb.STAR_OPEN, RecordPayload, self.star)
        router.add(Verb.STAR_SAVE, StarSavePayload, self.save_star)
        router.add(Verb.PLAN_OPEN, RecordPayload, self.plan)
        router.add(Verb.PLAN_SAVE, PlanSavePayload, self.save_plan)
        router.add(Verb.FEEDBACK_OPEN, RecordPayload, self.feedback)
        router.add(Verb.FEEDBACK_SAVE, FeedbackSavePayload, self.save_feedback)
        router.add(Verb.FINALIZE, RecordPayload, self.finalize)
        router.add(Verb.FINALIZE_CONFIRM, FinalizeConfirmPayload, self.finalize_confirmed)
        router.add(Verb.FOLLOWUP, RecordPayload, self.followup)
        router.add(Verb.SHARE_RETRY, RecordPayload, self.retry_sharing)

    async def start(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """"Aloita Yhdessä aika": the meeting-steps card below the booked one (a finalized meeting shows its
        result)."""
        meeting = await self._meetings.start(p.convening_id, ctx.caller)
        return new_phase(ctx, self._steps_or_result(meeting, ctx.lang))

    async def open(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """Back to the structure: a fresh steps card below; the star, plan or feedback card stays."""
        meeting = await self._meetings.get(p.convening_id, ctx.caller)
        return new_phase(ctx, self._steps_or_result(meeting, ctx.lang))

    async def toggle(self, ctx: ActionContext, p: StepPayload) -> AdaptiveCard:
        """Checks a step off (or back on); the card updates in place."""
        meeting = await self._meetings.toggle_step(p.convening_id, ctx.caller, p.step)
        if ctx.message_id and ctx.message_id == meeting.chat_activity_id:
            # Clicked on the shared card itself: answer with the shared card, so others keep their view.
            return await self._chat.runner_view(meeting, ctx.lang)
        await self._chat.sync(meeting)  # the shared card in the meeting chat follows
        return self._steps(meeting, ctx.lang)

    async def star(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """The wellbeing star card with its picture, below the structure."""
        meeting = await self._meetings.get(p.convening_id, ctx.caller)
        return new_phase(ctx, await self._star(meeting, ctx.lang))

    async def save_star(self, ctx: ActionContext, p: StarSavePayload) -> AdaptiveCard:
        """Saves what was noted; a refusal keeps the stored reading and says what to fix."""
        meeting = await self._meetings.get(p.convening_id, ctx.caller)
        points = p.points(self._meetings.star(meeting))
        if isinstance(points, tuple):
            first = points[0]
            point = next((pt for pt in self._meetings.star(meeting).points if pt.key == first.point_key), None)
            name = (point.texts.get(ctx.lang) or point.texts.get("fi", "")) if point else ""
            key = f"star.problem.{first.problem.value}"
            message = t(key, ctx.lang, point=name) if has(key) else t("star.problem.invalid_rating", ctx.lang)
            return await self._star(meeting, ctx.lang, message=message)
        try:
            saved = await self._meetings.save_star(p.convening_id, ctx.caller, points)
        except UserFacingError as err:
            return await self._star(meeting, ctx.lang, message=quoted(err.key, ctx.lang, **err.params))
        return await self._star(saved, ctx.lang, message=t("meeting.saved", ctx.lang))

    async def plan(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """The joint plan card, below the card it was opened from."""
        meeting = await self._meetings.get(p.convening_id, ctx.caller)
        return new_phase(ctx, plan_card(meeting, ctx.lang))

    async def save_plan(self, ctx: ActionContext, p: PlanSavePayload) -> AdaptiveCard:
        """Saves the plan as far as written."""
        if p.then == "finalize":
            current = await self._meetings.get(p.convening_id, ctx.caller)
            if current.status is not MeetingStatus.RUNNING:
                # Finalizing already began (and stopped midway, or finished): "Valmis" again resumes it.
                return await self._finalize_in_budget(ctx, p.convening_id, confirmed=False)
        try:
            meeting = await self._meetings.save_plan(p.convening_id, ctx.caller, p.form())
        except MeetingRefusedError as err:
            return plan_card(err.meeting, ctx.lang, message=quoted(err.key, ctx.lang, **err.params))
        if p.then == "finalize":
            return await self._finalize_in_budget(ctx, p.convening_id, confirmed=False)
        return plan_card(meeting, ctx.lang, message=t("meeting.saved", ctx.lang))

    async def feedback(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """The feedback card, below the card it was opened from."""
        meeting = await self._meetings.get(p.convening_id, ctx.caller)
        return new_phase(ctx, feedback_card(meeting, ctx.lang))

    async def save_feedback(self, ctx: ActionContext, p: FeedbackSavePayload) -> AdaptiveCard:
        """Adds one response to the counts; the card comes back empty for the next person."""
        try:
            meeting = await self._meetings.add_feedback(p.convening_id, ctx.caller, p.scores())
        except MeetingRefusedError as err:
            if not err.key.startswith("feedback."):
                raise
            return feedback_card(err.meeting, ctx.lang, message=t(err.key, ctx.lang))
        return feedback_card(meeting, ctx.lang, message=t("feedback.thanks", ctx.lang))

    async def finalize(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """"Valmis": documents to OneDrive, shared as consented, next contact booked, links sent.

        Before the booked start it is refused (the plan card says when); with steps not marked done it asks
        first (the confirmation card, "Viimeistele silti"). Past the time budget the card says the work goes
        on, and shows the result when it is done.
        """
        return await self._finalize_in_budget(ctx, p.convening_id, confirmed=False)

    async def finalize_confirmed(self, ctx: ActionContext, p: FinalizeConfirmPayload) -> AdaptiveCard:
        """"Viimeistele silti": finalizing although steps are not marked done (the payload carries the yes)."""
        return await self._finalize_in_budget(ctx, p.convening_id, confirmed=p.confirm)

    async def _finalize_in_budget(self, ctx: ActionContext, meeting_id: str, *, confirmed: bool) -> AdaptiveCard:
        if self._work is None:
            return await self._finalize(ctx, meeting_id, confirmed=confirmed)
        return await self._work.run(f"finalize:{meeting_id}:{ctx.caller.user_id}", ctx,
                                    lambda: self._finalize(ctx, meeting_id, confirmed=confirmed),
                                    working_card(ctx.lang, check_verb=Verb.FINALIZE, record_id=meeting_id),
                                    record_id=meeting_id)

    async def _finalize(self, ctx: ActionContext, meeting_id: str, *, confirmed: bool) -> AdaptiveCard:
        try:
            outcome = await self._finalizing.finalize(meeting_id, ctx.caller, confirmed=confirmed)
        except MeetingRefusedError as err:
            if err.key == UNDONE_STEPS:
                return finalize_confirm_card(err.meeting, ctx.lang)
            if err.key == TOO_EARLY:
                return plan_card(err.meeting, ctx.lang, message=t(err.key, ctx.lang, **err.params))
            if err.key == NEXT_CONTACT_TAKEN:  # the plan card again, with a button per free time near it
                free = tuple(datetime.fromisoformat(iso) for iso in err.params.get(FREE_TIMES, "").split())
                return plan_card(err.meeting, ctx.lang, message=quoted(err.key, ctx.lang, **err.params),
                                 free_times=free)
            if not err.key.startswith("plan."):
                raise
            return plan_card(err.meeting, ctx.lang, message=quoted(err.key, ctx.lang, **err.params))
        # Only the call that finished it tells the others: a re-click or a retry does not message them again.
        unreachable = await self._tell_others(outcome, ctx) if outcome.just_finalized else ()
        return finalized_card(outcome.meeting, ctx.lang, responsible_names=outcome.responsible_names,
                              recipient_names=outcome.recipient_names, unreachable=unreachable,
                              not_shared=outcome.not_shared_names)

    async def retry_sharing(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """"Yritä jakamista uudelleen": shares the same files with those it failed for (no new upload)."""
        outcome = await self._finalizing.retry_sharing(p.convening_id, ctx.caller)
        return finalized_card(outcome.meeting, ctx.lang, responsible_names=outcome.responsible_names,
                              recipient_names=outcome.recipient_names, not_shared=outcome.not_shared_names)

    async def followup(self, ctx: ActionContext, p: RecordPayload) -> ActionResult:
        """"Seurantatapaaminen": a new convening for the same family, prefilled; consent is asked again."""
        convening = await self._proposing.start_followup(p.convening_id, ctx.caller)
        team = self._teams.team(convening.team_key)
        request = convening.request
        if request is None:
            raise UserFacingError("convening.not_found")
        values = FormValues(team_key=team.key, duration_minutes=int(request.duration.total_seconds() // 60),
                            earliest=request.earliest, latest=request.latest, family_ref=request.family_ref,
                            roles=request.roles, venue=request.venue.value, family_place=request.family_place,
                            existing_client=request.existing_client, accessible_room=request.accessible_room,
                            network=", ".join(person.email for person in request.network))
        form = convening_form_card(convening.id, list(self._teams.teams.values()), values, lang=ctx.lang)
        return new_phase(ctx, form)

    async def _tell_others(self, outcome: FinalizeOutcome, ctx: ActionContext) -> tuple[str, ...]:
        """Posts the finalized card to the responsible worker(s); returns who could not be reached."""
        meeting = outcome.meeting
        names = {a.email.lower(): a.name for a in meeting.attendees}
        unreachable = []
        for email in outcome.notify:
            if email == meeting.convener_email.lower():
                continue  # the near worker sees the result on this very card
            card = finalized_card(meeting, ctx.lang, responsible_names=outcome.responsible_names,
                                  recipient_names=outcome.recipient_names)
            if not await self._messenger.send(email, card):
                unreachable.append(names.get(email, email))
        return tuple(unreachable)

    def _steps_or_result(self, meeting: Meeting, lang: str) -> AdaptiveCard:
        if meeting.status is MeetingStatus.FINALIZED and meeting.finalized is not None:
            names = {a.email.lower(): a.name for a in meeting.attendees}
            record = meeting.finalized
            return finalized_card(meeting, lang, responsible_names=(names.get(record.responsible_email.lower(), ""),),
                                  recipient_names=tuple(names.get(e, e) for e in record.shared_with),
                                  not_shared=tuple(names.get(e, e) for e in record.share_failed))
        return self._steps(meeting, lang)

    def _steps(self, meeting: Meeting, lang: str) -> AdaptiveCard:
        return meeting_steps_card(meeting, self._meetings.now(), lang,
                                  warn_minutes=self._meetings.settings.warn_minutes)

    async def _star(self, meeting: Meeting, lang: str, *, message: str | None = None) -> AdaptiveCard:
        definition = self._meetings.star(meeting)
        from documents.star_picture import render_star_png  # noqa: PLC0415 - Pillow only when a star is drawn

        png = render_star_png(definition, meeting.reading, earlier=meeting.earlier_reading, lang=lang, compact=True)
        url = await self._media.publish(png)
        return star_card(meeting, definition, lang, picture_url=url, message=message,
                         earlier_note=meeting.earlier_reading is not None)

