"""The meeting chat: the shared card for remote participants, each seeing their own view.

In the meeting chat (a group chat where the app is installed) the near worker types
"aloita"; the bot posts the meeting-steps card there with ``refresh.userIds`` so Teams
asks for each participant's own view: the near worker can act, the other participants
see the progress, anyone else sees nothing of the meeting. Who sees what is decided
from the stored meeting and the caller's identity, never from the card.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionRouter
from bot.payloads import RecordPayload
from bot.proactive import ConversationBook, Messenger
from cards.meeting_steps import meeting_steps_card
from cards.status import notice_card
from cards.verbs import Verb
from domain.convening import Convening
from domain.meeting import Meeting
from i18n.messages import t
from services.convening_service import Caller, ConveningService
from services.errors import UserFacingError
from services.meeting_service import MeetingService
from services.ports import Directory

#: How long after its end a meeting still counts as "this meeting" in a chat that is not its own.
NEAR = timedelta(hours=12)


def thread_of(join_url: str | None) -> str | None:
    """The meeting chat's thread id inside a Teams join URL (``19:meeting_…@thread.v2``)."""
    if not join_url or "/meetup-join/" not in join_url:
        return None
    part = unquote(join_url.split("/meetup-join/", 1)[1].split("/", 1)[0])
    return part if part.startswith("19:") else None


class MeetingChat:
    """Sharing the meeting's card in its chat, and answering each participant's refresh."""

    def __init__(self, meetings: MeetingService, convenings: ConveningService, directory: Directory,
                 book: ConversationBook, messenger: Messenger) -> None:
        self._meetings = meetings
        self._convenings = convenings
        self._directory = directory
        self._book = book
        self._messenger = messenger

    def register(self, router: ActionRouter) -> None:
        """The refresh verb of the shared card."""
        router.add(Verb.MEETING_VIEW, RecordPayload, self.view)

    async def share(self, caller: Caller, lang: str, conversation_id: str) -> tuple[AdaptiveCard, str | None]:
        """The shared card for this chat and the meeting's id (None: no meeting found, a notice instead)."""
        convening = await self._meeting_for(caller, conversation_id)
        if convening is None:
            return notice_card(t("meeting.no_meeting_here", lang), lang), None
        meeting = await self._meetings.start(convening.id, caller)
        return await self._shared_card(meeting, lang), meeting.id

    async def attach(self, meeting_id: str, conversation_id: str, activity_id: str | None) -> None:
        """Remembers where the shared card is."""
        if activity_id:
            await self._meetings.attach_chat(meeting_id, conversation_id, activity_id)

    async def sync(self, meeting: Meeting) -> None:
        """Brings the shared card in the meeting chat up to date (after a step was checked)."""
        if meeting.chat_conversation_id and meeting.chat_activity_id:
            card = await self._shared_card(meeting, meeting.lang)
            await self._messenger.update_chat(meeting.chat_conversation_id, meeting.chat_activity_id, card)

    async def runner_view(self, meeting: Meeting, lang: str) -> AdaptiveCard:
        """The near worker's view of the shared card (with the refresh list kept)."""
        return await self._shared_card(meeting, lang, can_act=True)

    async def view(self, ctx: ActionContext, p: RecordPayload) -> AdaptiveCard:
        """A participant's own view of the shared card (the card's refresh)."""
        meeting = await self._meetings.peek(p.convening_id)
        if meeting is None:
            raise UserFacingError("meeting.not_found")
        if ctx.caller.user_id == meeting.convener_id:
            return await self._shared_card(meeting, ctx.lang, can_act=True)
        person = await self._directory.person_by_id(ctx.caller.user_id)
        attendees = {a.email.lower() for a in meeting.attendees}
        if person is None or person.email.lower() not in attendees:
            return notice_card(t("meeting.only_participants", ctx.lang), ctx.lang)
        return await self._shared_card(meeting, ctx.lang)

    async def _shared_card(self, meeting: Meeting, lang: str, *, can_act: bool = False) -> AdaptiveCard:
        ids = [i for i in [await self._book.teams_user_id(a.email) for a in meeting.attendees] if i]
        return meeting_steps_card(meeting, self._meetings.now(), lang,
                                  warn_minutes=self._meetings.settings.warn_minutes, can_act=can_act,
                                  refresh_user_ids=ids, shared=True)

    async def _meeting_for(self, caller: Caller, conversation_id: str) -> Convening | None:
        """This chat's own meeting (its Teams thread), else the caller's booked meeting nearest now."""
        booked = [c for c in await self._convenings.booked_by(caller.user_id) if c.booking is not None]
        own = [c for c in booked if thread_of(c.booking.join_url if c.booking else None) == conversation_id]
        if own:
            return own[0]
        # A chat that is not a Teams meeting's own (e.g. a group chat): the caller's next meeting,
        # or one that started within the last hours.
        now = self._meetings.now()
        coming = [c for c in booked if c.booking is not None and c.booking.end >= now - NEAR]
        return min(coming, key=lambda c: c.booking.start if c.booking else now, default=None)
