"""Reaching a worker outside a turn: conversation references, and sending a card proactively."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, ClaimsIdentity, TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.safe_logging import log_failure, new_reference
from bot.state.document_store import DocumentStore
from bot.teams_app import card_message
from services.ports import Directory

log = logging.getLogger(__name__)
_COLLECTION = "conversation"
_CHATS = "chat"


class ConversationBook:
    """Each user's personal chat with the bot, keyed by Entra object id; listed by e-mail address."""

    def __init__(self, documents: DocumentStore, directory: Directory) -> None:
        self._docs = documents
        self._directory = directory

    async def remember(self, activity: Activity) -> None:
        """Keeps the personal chat's reference (one write when it is new or changed); group and meeting
        chats are kept by conversation id, so shared cards there can be updated later."""
        sender = activity.from_property
        conversation = activity.conversation
        if sender is None or not sender.aad_object_id or conversation is None:
            return
        if (conversation.conversation_type or "personal") != "personal":
            if await self._docs.get(_CHATS, conversation.id) is None:
                reference = activity.get_conversation_reference()
                await self._docs.put(_CHATS, conversation.id, reference.model_dump_json(
                    by_alias=True, exclude_none=True), if_match="*")
            return
        current = await self._docs.get(_COLLECTION, sender.aad_object_id)
        if current is not None and json.loads(current.body).get("conversation", {}).get("id") == conversation.id:
            return
        reference = activity.get_conversation_reference()
        body = reference.model_dump_json(by_alias=True, exclude_none=True)
        person = await self._directory.person_by_id(sender.aad_object_id)
        owner = person.email.lower() if person else None
        await self._docs.put(_COLLECTION, sender.aad_object_id, body, if_match="*", owner=owner)

    async def chat_reference(self, conversation_id: str) -> ConversationReference | None:
        """A group or meeting chat's reference."""
        doc = await self._docs.get(_CHATS, conversation_id)
        return ConversationReference.model_validate_json(doc.body) if doc else None

    async def teams_user_id(self, email: str) -> str | None:
        """The Teams user id (29:…) of someone who has talked to the bot, for a card's refresh list."""
        reference = await self.reference(email)
        return reference.user.id if reference and reference.user else None

    async def reference(self, user: str) -> ConversationReference | None:
        """The reference for an Entra object id or an e-mail address, if the user has talked to the bot."""
        doc = await self._docs.get(_COLLECTION, user)
        if doc is None and "@" in user:
            docs = await self._docs.by_owner(_COLLECTION, user.lower())
            doc = docs[-1] if docs else None
        return ConversationReference.model_validate_json(doc.body) if doc else None


class Messenger:
    """Sends cards to workers' personal chats."""

    def __init__(self, adapter: ChannelServiceAdapter, app_id: str, book: ConversationBook) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._book = book

    async def send(self, user: str, card: AdaptiveCard) -> bool:
        """True when delivered; False when the user cannot be reached (never talked to the bot, or a failure)."""

        async def deliver(context: TurnContext) -> None:
            await context.send_activity(card_message(card))

        return await self._continue(user, deliver)

    async def update(self, user: str, activity_id: str, card: AdaptiveCard) -> bool:
        """Replaces the card of an earlier message in the user's personal chat (in place)."""

        async def replace_card(context: TurnContext) -> None:
            activity = card_message(card)
            activity.id = activity_id
            await context.update_activity(activity)

        return await self._continue(user, replace_card)

    async def update_chat(self, conversation_id: str, activity_id: str, card: AdaptiveCard) -> bool:
        """Replaces a shared card in a group or meeting chat."""

        async def replace_card(context: TurnContext) -> None:
            activity = card_message(card)
            activity.id = activity_id
            await context.update_activity(activity)

        return await self._continue_with(await self._book.chat_reference(conversation_id), replace_card)

    async def _continue(self, user: str, deliver: Callable[[TurnContext], Awaitable[None]]) -> bool:
        return await self._continue_with(await self._book.reference(user), deliver)

    async def _continue_with(self, reference: ConversationReference | None,
                             deliver: Callable[[TurnContext], Awaitable[None]]) -> bool:
        if reference is None:
            return False
        try:
            continuation = reference.get_continuation_activity()
            if self._app_id:
                await self._adapter.continue_conversation(self._app_id, continuation, deliver)
            else:
                # Anonymous development mode (the Playground): the same claims an unauthenticated turn gets.
                await self._adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, deliver)
        except Exception as err:  # noqa: BLE001 - an unreachable chat must not stop the caller's work
            log_failure(log, "proactive message", err, new_reference())
            return False
        return True
