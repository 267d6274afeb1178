"""Reaching a worker outside a turn: which conversation may be remembered as a worker's personal chat, and
sending a card proactively (the references themselves are kept in state.conversations)."""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from microsoft_agents.activity import Activity, ConversationReference
from microsoft_agents.hosting.core import ChannelServiceAdapter, ClaimsIdentity, TurnContext
from microsoft_teams.cards import AdaptiveCard
from yarl import URL

from bot.activity_body import same_service_url
from bot.card_actions import PHONE_PLATFORMS, client_platform
from bot.channel_auth import SERVICE_URL_CLAIM
from bot.chat_kind import is_personal_chat
from bot.safe_logging import log_failure, new_reference
from bot.teams_app import card_message
from services.ports import Directory
from state.conversations import ConversationStore

log = logging.getLogger(__name__)

#: How long a personal chat this instance has just read or kept is taken as still kept (see ConversationBook).
CONFIRMED_SECONDS = 60.0
#: At most this many users' confirmations are held (the least recently confirmed go first).
CONFIRMED_MAX = 4096


class ConversationBook:
    """Each user's personal chat with the bot, keyed by Entra object id; listed by e-mail address.

    Every turn checks the kept personal chat against the activity. Reading it each time was ~5 % of a card
    click's CPU (make bench), so a chat this instance has read or kept in the last ``CONFIRMED_SECONDS`` is
    taken as kept without reading: with several instances, a change another one made meanwhile (the phone
    flag, say) may go unnoticed here for that long, and is then written back only if this turn differs from it.
    ``monotonic``: the clock for that.
    """

    def __init__(self, conversations: ConversationStore, directory: Directory, *,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._conversations = conversations
        self._directory = directory
        self._monotonic = monotonic
        self._confirmed: OrderedDict[str, tuple[str, str | None, bool, float]] = OrderedDict()

    def _confirm(self, user_id: str, conversation_id: str, service_url: str | None, phone: bool) -> None:
        self._confirmed[user_id] = (conversation_id, service_url, phone, self._monotonic() + CONFIRMED_SECONDS)
        self._confirmed.move_to_end(user_id)
        while len(self._confirmed) > CONFIRMED_MAX:
            self._confirmed.popitem(last=False)

    def _still_kept(self, user_id: str, conversation_id: str, service_url: str | None, phone: bool | None) -> bool:
        seen = self._confirmed.get(user_id)
        return (seen is not None and seen[3] > self._monotonic() and seen[:2] == (conversation_id, service_url)
                and (phone is None or phone == seen[2]))

    async def remember(self, activity: Activity, identity: ClaimsIdentity | None = None) -> None:
        """Keeps the personal chat's reference (one write when it is new or changed); group and meeting
        chats are kept by conversation id, so shared cards there can be updated later.

        The personal chat's reference is where reminders and notices carrying a family's reference go, so
        what may re-point it is narrow:

        - only a personal chat (``bot.chat_kind.is_personal_chat``: a meeting or group chat never);
        - the first reference is kept as it comes: the turn has passed ``bot.channel_auth`` (a token naming
          this ``serviceUrl``, or anonymous on loopback) and the sender's ``aadObjectId`` is the channel's;
        - a new conversation id or ``serviceUrl`` for the same user replaces the kept one only when it comes
          on the same channel and from the same tenant as the kept one, and its ``serviceUrl`` is vouched for:
          named by the turn's token (``serviceurl`` claim), or on the same host as the kept one (anonymous
          Playground). Otherwise the kept reference stays and a warning is logged.

        Both outcomes are logged without ids, names or addresses. Whether the user writes from a Teams phone
        app (the activity's clientInfo) is kept with the personal chat, so that cards sent there later carry
        Action.Submit; an activity without clientInfo leaves it as it was.
        """
        sender = activity.from_property
        conversation = activity.conversation
        if sender is None or not sender.aad_object_id or conversation is None:
            return
        if not is_personal_chat(conversation):
            await self._conversations.keep_chat(conversation.id, activity.get_conversation_reference())
            return
        platform = client_platform(activity)
        said_phone = None if platform is None else platform in PHONE_PLATFORMS
        if self._still_kept(sender.aad_object_id, conversation.id, activity.service_url, said_phone):
            return
        kept, kept_phone = await self._conversations.personal_on_phone(sender.aad_object_id)
        phone = kept_phone if said_phone is None else said_phone
        if kept is not None:
            if kept.conversation is not None and kept.conversation.id == conversation.id \
                    and kept.service_url == activity.service_url and phone == kept_phone:
                self._confirm(sender.aad_object_id, conversation.id, activity.service_url, phone)
                return
            if not _may_replace(kept, activity, identity):
                log.warning("Personal chat kept: an activity of another channel, tenant or unverified service "
                            "address did not replace it.")
                return
            if kept.conversation is None or kept.conversation.id != conversation.id:
                log.info("Personal chat replaced: the user's personal chat has a new conversation id.")
        person = await self._directory.person_by_id(sender.aad_object_id)
        await self._conversations.keep_personal(sender.aad_object_id, activity.get_conversation_reference(),
                                                person.email if person else None, phone=phone)
        self._confirm(sender.aad_object_id, conversation.id, activity.service_url, phone)

    async def chat_reference(self, conversation_id: str) -> ConversationReference | None:
        """A group or meeting chat's reference."""
        return await self._conversations.chat(conversation_id)

    async def teams_user_id(self, email: str) -> str | None:
        """The Teams user id (29:…) of someone who has talked to the bot, for a card's refresh list."""
        reference = await self.reference(email)
        return reference.user.id if reference and reference.user else None

    async def reference(self, user: str) -> ConversationReference | None:
        """The reference for an Entra object id or an e-mail address, if the user has talked to the bot."""
        return await self._conversations.find_personal(user)

    async def reference_on_phone(self, user: str) -> tuple[ConversationReference | None, bool]:
        """``reference``, and whether the user last wrote from a Teams phone app."""
        return await self._conversations.find_personal_on_phone(user)


def _main_channel(channel_id: str | None) -> str:
    return (channel_id or "").split(":", 1)[0].strip().lower()


def _host(url: str | None) -> str | None:
    try:
        host = URL(url or "").host
    except (ValueError, TypeError):
        return None
    return host.lower() if host else None


def _may_replace(kept: ConversationReference, activity: Activity, identity: ClaimsIdentity | None) -> bool:
    """Whether a personal-chat activity may replace the kept reference (the rule in ``remember``)."""
    conversation = activity.conversation
    kept_tenant = kept.conversation.tenant_id if kept.conversation else None
    if _main_channel(kept.channel_id) != _main_channel(activity.channel_id) \
            or (kept_tenant or "").lower() != ((conversation.tenant_id if conversation else None) or "").lower():
        return False
    claim = identity.get_claim_value(SERVICE_URL_CLAIM) if identity is not None else None
    if isinstance(claim, str) and activity.service_url and same_service_url(claim, activity.service_url):
        return True
    new_host = _host(activity.service_url)
    return new_host is not None and new_host == _host(kept.service_url)


class Messenger:
    """Sends cards to workers' personal chats."""

    def __init__(self, adapter: ChannelServiceAdapter, app_id: str, book: ConversationBook, *,
                 submit: bool = False) -> None:
        """``submit``: cards to personal chats carry Action.Submit (``YA_CARD_ACTIONS=submit``); otherwise
        only to users who last wrote from a Teams phone app, where Action.Execute does not run."""
        self._adapter = adapter
        self._app_id = app_id
        self._book = book
        self._submit = submit

    async def send(self, user: str, card: AdaptiveCard) -> bool:
        """True when delivered; False when the user cannot be reached (never talked to the bot, or a failure)."""

        reference, phone = await self._book.reference_on_phone(user)

        async def deliver(context: TurnContext) -> None:
            await context.send_activity(card_message(card, submit=self._submit or phone))

        return await self._continue_with(reference, deliver)

    async def update(self, user: str, activity_id: str, card: AdaptiveCard) -> bool:
        """Replaces the card of an earlier message in the user's personal chat (in place)."""

        reference, phone = await self._book.reference_on_phone(user)

        async def replace_card(context: TurnContext) -> None:
            activity = card_message(card, submit=self._submit or phone)
            activity.id = activity_id
            await context.update_activity(activity)

        return await self._continue_with(reference, replace_card)

    async def update_chat(self, conversation_id: str, activity_id: str, card: AdaptiveCard) -> bool:
        """Replaces a shared card in a group or meeting chat."""

        async def replace_card(context: TurnContext) -> None:
            activity = card_message(card)
            activity.id = activity_id
            await context.update_activity(activity)

        return await self._continue_with(await self._book.chat_reference(conversation_id), replace_card)

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
