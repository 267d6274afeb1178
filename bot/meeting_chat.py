"""The meeting chat: the shared card for remote participants, each seeing their own view.

In the meeting chat (a group chat where the app is installed) the near worker types
"aloita"; the bot posts the meeting-steps card there with ``refresh.userIds`` so Teams
asks for each participant's own view: the near worker can act, the other participants
see the progress, anyone else sees nothing of the meeting. Who sees what, and which
meeting a chat is about, are services.meeting_access's rules; this module is the cards.
"""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionRouter
from bot.payloads import RecordPayload
from bot.proactive import ConversationBook, Messenger
from cards.meeting_steps import meeting_steps_card
from cards.status import notice_card
from cards.verbs import Verb
from domain.meeting import Meeting
from i18n.messages import t
from services.caller import Caller
from services.meeting_access import MeetingAccess, Viewer
from services.meetings import MeetingService


class MeetingChat:
    """Sharing the meeting's card in its chat, and answering each participant's refresh."""

    def __init__(self, meetings: MeetingService, access: MeetingAccess, book: ConversationBook,
                 messenger: Messenger) -> None:
        self._meetings = meetings
        self._access = access
        self._book = book
        self._messenger = messenger

    def register(self, router: ActionRouter) -> None:
        """The refresh verb of the shared card."""
        router.add(Verb.MEETING_VIEW, RecordPayload, self.view)

    async def share(self, caller: Caller, lang: str, conversation_id: str) -> tuple[AdaptiveCard, str | None]:
        """The shared card for this chat and the meeting's id (None: no meeting found, a notice instead)."""
        convening = await self._access.meeting_for_chat(caller, conversation_id)
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
        meeting, viewer = await self._access.viewer(p.convening_id, ctx.caller)
        if viewer is Viewer.OUTSIDER:
            return notice_card(t("meeting.only_participants", ctx.lang), ctx.lang)
        return await self._shared_card(meeting, ctx.lang, can_act=viewer is Viewer.RUNNER)

    async def _shared_card(self, meeting: Meeting, lang: str, *, can_act: bool = False) -> AdaptiveCard:
        ids = [i for i in [await self._book.teams_user_id(a.email) for a in meeting.attendees] if i]
        return meeting_steps_card(meeting, self._meetings.now(), lang,
                                  warn_minutes=self._meetings.settings.warn_minutes, can_act=can_act,
                                  refresh_user_ids=ids, shared=True)
