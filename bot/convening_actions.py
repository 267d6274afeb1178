"""Card actions and commands of the convening journey: each returns the card to show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionResult, ActionRouter, new_phase
from bot.background import BackgroundWork
from bot.payloads import BookPayload, CancelPayload, NoPayload, PersonPayload, RecordPayload, SearchPayload
from cards.booked import booked_card, cancel_card
from cards.common import quoted
from cards.convening_form import FormValues, convening_form_card
from cards.finalized_card import finalized_view
from cards.proposals import no_slots_card, proposals_card
from cards.status import notice_card, status_card
from cards.verbs import Verb
from cards.welcome import welcome_card
from cards.working import working_card
from domain.convening import Convening, ConveningStatus
from domain.meeting import MeetingStatus
from domain.slots import SlotSearch
from i18n.messages import t
from services.answers import Answers
from services.availability_questions import AvailabilityQuestions
from services.booking import Bookings
from services.convening_form import ConveningForm
from services.convenings import ConveningQueries
from services.errors import ConveningRefusedError, UserFacingError
from services.proposing import Proposing, SearchOutcome
from services.status_overview import StatusOverview
from services.teams import TeamRegistry


class ConveningActions:
    """The handlers behind the convening cards."""

    def __init__(self, *, teams: TeamRegistry, convenings: ConveningQueries, proposing: Proposing,
                 bookings: Bookings, answers: Answers,
                 on_booked: Callable[[Convening], Awaitable[None]] | None = None,
                 work: BackgroundWork | None = None, questions: AvailabilityQuestions | None = None,
                 overview: StatusOverview | None = None) -> None:
        """``questions``: asking by e-mail whose calendars cannot be read (without it, no "ask" button works);
        ``overview``: the "tilanne" card with statuses and draft deletion (without it, neither is routed)."""
        self._teams = teams
        self._convenings = convenings
        self._proposing = proposing
        self._bookings = bookings
        self._answers = answers
        self._on_booked = on_booked
        self._work = work
        self._questions = questions
        self._overview = overview

    def register(self, router: ActionRouter) -> None:
        """Adds every convening verb to ``router``."""
        router.add(Verb.START, NoPayload, self.start)
        router.add(Verb.SEARCH, SearchPayload, self.search, on_invalid=self.search_invalid)
        router.add(Verb.MORE, RecordPayload, self.more)
        router.add(Verb.BOOK, BookPayload, self.book)
        router.add(Verb.EDIT, RecordPayload, self.edit)
        router.add(Verb.OPEN, RecordPayload, self.open)
        router.add(Verb.WIDEN, RecordPayload, self.widen)
        router.add(Verb.SUBSTITUTE, RecordPayload, self.substitute)
        router.add(Verb.DROP, RecordPayload, self.drop)
        router.add(Verb.RESCHEDULE, RecordPayload, self.reschedule)
        router.add(Verb.CANCEL, RecordPayload, self.cancel)
        router.add(Verb.CANCEL_CONFIRM, CancelPayload, self.cancel_confirm)
        router.add(Verb.REPLACE_DECLINER, PersonPayload, self.replace_decliner)
        router.add(Verb.GO_WITHOUT, PersonPayload, self.go_without)
        router.add(Verb.ROOM_CHANGE, RecordPayload, self.change_room)
        router.add(Verb.ROOM_WITHOUT, RecordPayload, self.go_without_room)
        if self._questions is not None:
            router.add(Verb.ASK, RecordPayload, self.ask)
        if self._overview is not None:
            router.add(Verb.STATUS, NoPayload, self.status)
            router.add(Verb.DELETE_DRAFT, RecordPayload, self.delete_draft)
        router.add(Verb.HELP, NoPayload, self.help)

    async def start(self, ctx: ActionContext, _: NoPayload) -> ActionResult:
        """A new draft and its form card (from the welcome card's button: below it, the welcome stays)."""
        convening = await self._proposing.start(ctx.caller, ctx.lang)
        return new_phase(ctx, self._form(convening, ctx.lang))

    async def search(self, ctx: ActionContext, p: SearchPayload) -> AdaptiveCard:
        """Validates the form and proposes times; a refusal re-shows the form with the worker's values."""
        form = ConveningForm(
            family_ref=p.family_ref, consent=p.consent == "true", existing_client=p.existing_client == "yes",
            team_key=p.team or self._teams.default_key, roles=p.role_keys(), network=(), venue=p.venue,
            family_place=p.family_place, duration_minutes=p.duration, earliest=p.earliest, latest=p.latest,
            accessible_room=p.accessible == "true")
        try:
            outcome = await self._proposing.search(p.convening_id, ctx.caller, form, p.network)
        except ConveningRefusedError as err:
            if err.key == "convening.already_booked":
                raise
            convening = err.convening
            values = _values_from(p, form.team_key)
            # A refused text is not echoed back into the chat: it may hold an identity code.
            if err.key.startswith("family_ref."):
                values = replace(values, family_ref="")
            if err.key.startswith("family_place."):
                values = replace(values, family_place="")
            if err.key.startswith("network."):
                values = replace(values, network="")
            return self._form(convening, ctx.lang, values=values, error=quoted(err.key, ctx.lang, **err.params))
        return await self._outcome(outcome, ctx)

    async def search_invalid(self, ctx: ActionContext, raw: Mapping[str, Any]) -> AdaptiveCard:
        """The form's payload did not validate (e.g. a missing date): the form again, with a message."""
        record = raw.get("conveningId")
        if not isinstance(record, str):
            raise UserFacingError("input.invalid")
        convening = await self._convenings.own(record, ctx.caller)
        return self._form(convening, ctx.lang, error=t("input.invalid", ctx.lang))

    async def more(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """The next page of proposals."""
        convening = await self._proposing.show_more(p.convening_id, ctx.caller)
        return await self._proposals(convening, ctx)

    async def ask(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """Mails those whose calendars cannot be read a link to answer which times suit them; the card then
        shows them asked, and their answers as they come."""
        if self._questions is None:
            raise UserFacingError("action.unknown")
        convening = await self._questions.ask(p.convening_id, ctx.caller)
        return await self._proposals(convening, ctx)

    async def _proposals(self, convening: Convening, ctx: ActionContext) -> AdaptiveCard:
        """The proposals card, its message remembered so answers to the e-mailed questions can update it."""
        if self._questions is not None:
            await self._questions.remember_proposals_card(convening.id, ctx.message_id)
        return proposals_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def book(self, ctx: ActionContext, p: BookPayload) -> AdaptiveCard:
        """Books the chosen time and shows the confirmation (which then follows the answers in place).

        Past the time budget the card says the booking goes on, and is replaced by the confirmation
        when it is done; a second click meanwhile joins the same booking.
        """

        async def book_it() -> AdaptiveCard:
            convening = await self._bookings.book(p.convening_id, ctx.caller, p.slot)
            await self._answers.remember_status_card(convening.id, ctx.message_id)
            if self._on_booked is not None:
                await self._on_booked(convening)
            return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

        if self._work is None:
            return await book_it()
        return await self._work.run(f"book:{p.convening_id}:{ctx.caller.user_id}", ctx, book_it,
                                    working_card(ctx.lang, check_verb=Verb.OPEN, record_id=p.convening_id),
                                    record_id=p.convening_id)

    async def reschedule(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """New times for everyone; choosing one moves the same event."""
        return await self._outcome(await self._bookings.reschedule(p.convening_id, ctx.caller), ctx)

    async def cancel(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """Asks for the cancellation message."""
        convening = await self._convenings.own(p.convening_id, ctx.caller)
        return cancel_card(convening, ctx.lang)

    async def cancel_confirm(self, ctx: ActionContext, p: CancelPayload) -> AdaptiveCard:
        """Cancels the event in Outlook; a refused message keeps the event."""
        try:
            convening = await self._bookings.cancel(p.convening_id, ctx.caller, p.comment)
        except ConveningRefusedError as err:
            if not err.key.startswith("cancel."):
                raise
            return cancel_card(err.convening, ctx.lang, error=t(err.key, ctx.lang))
        return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def replace_decliner(self, ctx: ActionContext, p: PersonPayload) -> AdaptiveCard:
        """Invites another member of the decliner's role who is free then, into the same event."""
        convening = await self._answers.substitute_decliner(p.convening_id, ctx.caller, p.person)
        return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def go_without(self, ctx: ActionContext, p: PersonPayload) -> AdaptiveCard:
        """Keeps the meeting as it is without the decliner."""
        convening = await self._answers.go_without(p.convening_id, ctx.caller, p.person)
        return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def change_room(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """The room declined: another free room at the same time (the same event is updated)."""
        convening = await self._answers.change_room(p.convening_id, ctx.caller)
        return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def go_without_room(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """The room declined: the meeting goes on without a booked room."""
        convening = await self._answers.go_without_room(p.convening_id, ctx.caller)
        return booked_card(convening, self._teams.team(convening.team_key), ctx.lang)

    async def edit(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """The form again, prefilled with the last request."""
        convening = await self._convenings.own(p.convening_id, ctx.caller)
        if convening.booking is not None:
            raise UserFacingError("convening.already_booked")
        return self._form(convening, ctx.lang)

    async def open(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """The card that fits the convening's state: a finalized meeting shows its result (not the booked
        card's Aloita/Siirrä/Peru), a cancelled one the cancelled card without actions."""
        convening = await self._convenings.own(p.convening_id, ctx.caller)
        team = self._teams.team(convening.team_key)
        if convening.status is ConveningStatus.CANCELLED and convening.booking is None:
            return notice_card(t("status.cancelled_open", ctx.lang), ctx.lang)
        if self._overview is not None and convening.status is not ConveningStatus.CANCELLED:
            meeting = await self._overview.meeting_of(convening)
            if meeting is not None and meeting.status is MeetingStatus.FINALIZED and meeting.finalized is not None:
                return finalized_view(meeting, ctx.lang)
        if convening.status in (ConveningStatus.BOOKED, ConveningStatus.CANCELLED):
            await self._answers.remember_status_card(convening.id, ctx.message_id)
            return booked_card(convening, team, ctx.lang)
        if convening.status is ConveningStatus.BOOKING and convening.chosen is not None:
            index = convening.proposals.index(convening.chosen)
            return await self.book(ctx, BookPayload.model_validate({"conveningId": p.convening_id, "slot": index}))
        if convening.status in (ConveningStatus.PROPOSED, ConveningStatus.RESCHEDULING):
            if convening.proposals:
                return await self._proposals(convening, ctx)
            return no_slots_card(convening, SlotSearch((), 1, convening.unavailable, False), team,
                                 self._proposing.ways_on(convening), ctx.lang)
        return self._form(convening, ctx.lang)

    async def widen(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """Search again over a longer period."""
        return await self._outcome(await self._proposing.widen(p.convening_id, ctx.caller), ctx)

    async def substitute(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """Search again with other members of the same roles."""
        return await self._outcome(await self._proposing.substitute(p.convening_id, ctx.caller), ctx)

    async def drop(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """Search again without those who had no free time."""
        return await self._outcome(await self._proposing.drop_unavailable(p.convening_id, ctx.caller), ctx)

    async def status(self, ctx: ActionContext, _: NoPayload) -> ActionResult:
        """The worker's convenings, each with its status in words (from the welcome card: below it)."""
        return new_phase(ctx, await self._status(ctx))

    async def delete_draft(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """"Poista luonnos": deletes the caller's own unbooked draft; the status card comes back without it.
        Anyone else's, or a booked one, is refused on the same card and nothing changes."""
        try:
            await self._require_overview().delete_draft(p.convening_id, ctx.caller)
        except UserFacingError as err:
            return await self._status(ctx, message=quoted(err.key, ctx.lang, **err.params), refusal=True)
        return await self._status(ctx, message=t("status.draft_deleted", ctx.lang))

    async def _status(self, ctx: ActionContext, *, message: str | None = None, refusal: bool = False) -> AdaptiveCard:
        overview = self._require_overview()
        return status_card(await overview.rows(ctx.caller), ctx.lang, now=overview.now(), message=message,
                           refusal=refusal)

    def _require_overview(self) -> StatusOverview:
        if self._overview is None:
            raise UserFacingError("action.unknown")
        return self._overview

    async def help(self, ctx: ActionContext, _: NoPayload) -> AdaptiveCard:
        """The welcome/help card."""
        return welcome_card(ctx.lang)

    async def _outcome(self, outcome: SearchOutcome, ctx: ActionContext) -> AdaptiveCard:
        team = self._teams.team(outcome.convening.team_key)
        if outcome.convening.proposals:
            return await self._proposals(outcome.convening, ctx)
        return no_slots_card(outcome.convening, outcome.search, team, outcome.ways, ctx.lang)

    def _form(self, convening: Convening, lang: str, *, values: FormValues | None = None,
              error: str | None = None) -> AdaptiveCard:
        teams = list(self._teams.teams.values())
        return convening_form_card(convening.id, teams, values or self._defaults(convening), lang=lang, error=error)

    def _defaults(self, convening: Convening) -> FormValues:
        team = self._teams.team(convening.team_key)
        earliest, latest = self._proposing.default_dates(team)
        request = convening.request
        if request is None:
            return FormValues(team_key=team.key, duration_minutes=team.practice.default_duration_minutes,
                              earliest=earliest.date(), latest=latest.date())
        return FormValues(team_key=team.key, duration_minutes=int(request.duration.total_seconds() // 60),
                          earliest=request.earliest, latest=request.latest, family_ref=request.family_ref,
                          consent=request.consent, existing_client=request.existing_client,
                          network=", ".join(p.email for p in request.network), roles=request.roles,
                          venue=request.venue.value, family_place=request.family_place,
                          accessible_room=request.accessible_room)


def _values_from(p: SearchPayload, team_key: str) -> FormValues:
    return FormValues(team_key=team_key, duration_minutes=p.duration, earliest=p.earliest, latest=p.latest,
                      family_ref=p.family_ref, consent=p.consent == "true", existing_client=p.existing_client == "yes",
                      network=p.network, roles=p.role_keys(), venue=p.venue.value, family_place=p.family_place,
                      accessible_room=p.accessible == "true")
