"""The Agents SDK application: which activity goes where."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any, Protocol

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    InvokeResponse,
)
from microsoft_agents.hosting.core import (
    AgentApplication,
    ClaimsIdentity,
    Connections,
    Storage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import ApplicationOptions
from microsoft_teams.cards import AdaptiveCard

from bot.action_router import ActionContext, ActionResult, ActionRouter, NewCard
from bot.card_actions import CardActions, as_submit, submitted, wants_submit
from bot.chat_kind import is_personal_chat
from bot.language import LANGUAGE_COMMANDS, LanguageChooser, turn_language
from bot.safe_logging import log_failure, new_reference
from cards.common import CARD_CONTENT_TYPE, to_json
from cards.status import notice_card
from cards.verbs import Verb
from cards.welcome import welcome_card
from i18n.messages import t
from services.caller import Caller

log = logging.getLogger(__name__)

#: Text commands in the three languages, mapped to the verb whose card they open.
COMMANDS: dict[str, Verb] = {
    "uusi": Verb.START, "ny": Verb.START, "new": Verb.START,
    "tilanne": Verb.STATUS, "status": Verb.STATUS, "läge": Verb.STATUS,
    "ohje": Verb.HELP, "hjälp": Verb.HELP, "help": Verb.HELP, "apua": Verb.HELP,
    "tilastot": Verb.STATISTICS, "statistik": Verb.STATISTICS, "statistics": Verb.STATISTICS,
    "valmius": Verb.READINESS, "beredskap": Verb.READINESS, "readiness": Verb.READINESS,
}
_INVOKE_NAME = "adaptiveCard/action"
#: An Action.Execute answered with a line of text under the card (the card itself stays as it is).
MESSAGE_CONTENT_TYPE = "application/vnd.microsoft.activity.message"


#: In a group or meeting chat: post the meeting's shared card here.
SHARE_COMMANDS = frozenset({"aloita", "börja", "start"})

#: Refused in a group chat or team with "do this in your own chat": convening and one's own convenings show a
#: family's reference; statistics and readiness are for coordinators, not for others reading along.
PERSONAL_ONLY = frozenset({Verb.START, Verb.STATUS, Verb.STATISTICS, Verb.READINESS})


def accepted_commands(*, in_group: bool) -> frozenset[str]:
    """The first words the bot acts on in a personal chat, or in a group chat or team (the manifest's command
    lists offer only these)."""
    if in_group:
        return (frozenset(word for word, verb in COMMANDS.items() if verb not in PERSONAL_ONLY)
                | LANGUAGE_COMMANDS | SHARE_COMMANDS)
    return frozenset(COMMANDS) | LANGUAGE_COMMANDS


class ChatSharing(Protocol):
    """Posting the meeting's shared card in a group or meeting chat (bot.meeting_chat.MeetingChat)."""

    async def share(self, caller: Caller, lang: str, conversation_id: str) -> tuple[AdaptiveCard, str | None]:
        """The card to post and the meeting's id."""
        ...

    async def attach(self, meeting_id: str, conversation_id: str, activity_id: str | None) -> None:
        """Remembers where the shared card was posted."""
        ...


class ConversationBookLike(Protocol):
    """Keeps conversation references (bot.proactive.ConversationBook)."""

    async def remember(self, activity: Activity, identity: ClaimsIdentity | None) -> None:
        """Remembers where the activity's sender can be reached (``identity``: the turn's verified caller)."""
        ...


def caller_of(activity: Activity) -> Caller | None:
    """The acting user from the channel's identity (aadObjectId), never from card data."""
    sender = activity.from_property
    if sender is None or not sender.aad_object_id:
        return None
    return Caller(user_id=sender.aad_object_id, name=sender.name or "")


def card_message(card: AdaptiveCard, *, submit: bool = False) -> Activity:
    """A message activity carrying one card; ``submit``: its actions as Action.Submit (bot.card_actions)."""
    content = to_json(card)
    return Activity(type=ActivityTypes.message,
                    attachments=[Attachment(content_type=CARD_CONTENT_TYPE,
                                            content=as_submit(content) if submit else content)])


class OwnStateTurnState(TurnState):
    """The SDK's turn state without storage round trips: our state lives in our own stores.

    ``TurnState.load`` would read conversation and user state from storage on every turn (two SQLite
    reads, and blob reads with several instances) and ``save`` would write them back; nothing uses them.
    """

    async def load(self, context: TurnContext, storage: Storage) -> TurnState:
        """Keeps only the temp scope (made in ``__init__``)."""
        return self

    async def save(self, turn_context: TurnContext, force: bool = False) -> None:
        """Nothing to save."""


class SharedBody(dict[str, Any]):
    """An invoke response's body, built for one response and never changed: the SDK deep-copies every
    activity it sends, which for a card of proposals took ~1 ms a click (make bench); this one is shared."""

    def __deepcopy__(self, memo: dict[int, object]) -> SharedBody:
        return self


def build_application(storage: Storage, router: ActionRouter, connections: Connections,
                      book: ConversationBookLike, chat: ChatSharing,
                      languages: LanguageChooser | None = None,
                      card_actions: CardActions = CardActions.AUTO) -> AgentApplication[TurnState]:
    """The AgentApplication with our routes and our own turn-error handler.

    ``languages`` decides each turn's language (the user's own choice, then the client locale);
    ``card_actions`` whether replies carry Action.Submit only on phones or everywhere.
    """
    languages = languages or LanguageChooser(None)
    options = ApplicationOptions(storage=storage, start_typing_timer=False,
                                 # Our state lives in our own stores; the turn needs no storage round trips.
                                 turn_state_factory=OwnStateTurnState)
    app: AgentApplication[TurnState] = AgentApplication(options, connection_manager=connections)

    def reply(card: AdaptiveCard, context: TurnContext) -> Activity:
        return card_message(card, submit=wants_submit(context.activity, card_actions))

    async def on_message(context: TurnContext, _: TurnState) -> None:
        lang = await languages.of(context)
        clicked = submitted(context.activity)
        if clicked is not None:
            await _answer_submit(router, context, *clicked, lang)
            return
        words = (context.activity.text or "").strip().lower().split()
        conversation = context.activity.conversation
        in_group = not is_personal_chat(conversation)
        if in_group and words and words[0] in SHARE_COMMANDS and conversation is not None:
            caller = caller_of(context.activity)
            if caller is None:
                await context.send_activity(reply(notice_card(t("convening.not_in_directory", lang), lang), context))
                return
            shared, meeting_id = await chat.share(caller, lang, conversation.id)
            sent = await context.send_activity(card_message(shared))  # shared cards refresh per user: Execute
            if meeting_id is not None:
                await chat.attach(meeting_id, conversation.id, sent.id if sent else None)
            return
        if words and words[0] in LANGUAGE_COMMANDS:
            await context.send_activity(reply(await languages.command(context, words[1:]), context))
            return
        verb = COMMANDS.get(words[0]) if words else None
        if in_group and verb in PERSONAL_ONLY:
            await context.send_activity(reply(notice_card(t("group.use_personal_chat", lang), lang), context))
            return
        if verb is None:
            await context.send_activity(reply(welcome_card(lang) if not words else
                                              notice_card(t("unknown_command", lang), lang), context))
            return
        result = await _act(router, context, verb.value, {}, lang)
        await context.send_activity(reply(result.card if isinstance(result, NewCard) else result, context))

    async def on_members_added(context: TurnContext, _: TurnState) -> None:
        recipient = context.activity.recipient.id if context.activity.recipient else None
        if any(m.id == recipient for m in context.activity.members_added or []):
            await context.send_activity(reply(welcome_card(await languages.of(context)), context))

    async def on_card_action(context: TurnContext, _: TurnState) -> None:
        await _answer_execute(router, context, await languages.of(context), card_actions)

    async def remember(context: TurnContext, _: TurnState) -> bool:
        # Every turn from a personal chat keeps the way to reach that worker proactively.
        try:
            await book.remember(context.activity, context.identity)
        except Exception as err:  # noqa: BLE001 - a failed bookkeeping write must not fail the user's turn
            log_failure(log, "remember conversation", err, new_reference())
        return True

    def is_card_action(context: TurnContext) -> bool:
        return context.activity.type == ActivityTypes.invoke and context.activity.name == _INVOKE_NAME

    app.add_route(lambda c: c.activity.type == ActivityTypes.message, _guarded(on_message))
    app.add_route(lambda c: c.activity.type == ActivityTypes.conversation_update and bool(c.activity.members_added),
                  _guarded(on_members_added))
    app.add_route(is_card_action, on_card_action, is_invoke=True)
    app.before_turn(remember)
    app.error(on_turn_error)
    return app


async def _act(router: ActionRouter, context: TurnContext, verb: object, data: object, lang: str, *,
               message_id: str | None = None) -> ActionResult:
    caller = caller_of(context.activity)
    if caller is None:
        return notice_card(t("convening.not_in_directory", lang), lang)
    if (not is_personal_chat(context.activity.conversation)
            and verb in (Verb.START.value, Verb.STATUS.value, Verb.STATISTICS.value, Verb.READINESS.value,
                         Verb.DELETE_DRAFT.value)):
        # The welcome card's buttons in a group chat: like the commands, only in the personal chat (deleting a
        # draft answers with the caller's own status card, family references and all).
        return notice_card(t("group.use_personal_chat", lang), lang)
    return await router.dispatch(verb, data, ActionContext(
        caller=caller, lang=lang, message_id=message_id,
        personal=is_personal_chat(context.activity.conversation)))


async def _answer_execute(router: ActionRouter, context: TurnContext, lang: str, card_actions: CardActions) -> None:
    """An Action.Execute click: the invoke response carries the card to show in place, or, for a new phase, a
    line under the card clicked on while the new card is posted below it."""
    value: Any = context.activity.value
    action: Any = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict):
        action = {}
    result = await _act(router, context, action.get("verb"), action.get("data"), lang,
                        message_id=context.activity.reply_to_id)
    submit = wants_submit(context.activity, card_actions)
    if isinstance(result, NewCard):
        await context.send_activity(card_message(result.card, submit=submit))
        response = AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=MESSAGE_CONTENT_TYPE,
                                              value=t(result.note_key, lang))
    else:
        content = to_json(result)
        response = AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=CARD_CONTENT_TYPE,
                                              value=as_submit(content) if submit else content)
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(
        status=HTTPStatus.OK, body=SharedBody(response.model_dump(mode="json", by_alias=True, exclude_none=True)))))


async def _answer_submit(router: ActionRouter, context: TurnContext, verb: str, data: dict[str, Any],
                         lang: str) -> None:
    """An Action.Submit click (a phone): answered as Action.Execute would be, by updating the card clicked on
    ourselves, or by posting the new phase's card below it."""
    result = await _act(router, context, verb, data, lang, message_id=context.activity.reply_to_id)
    if isinstance(result, NewCard):
        await context.send_activity(card_message(result.card, submit=True))
        return
    answer = card_message(result, submit=True)
    if context.activity.reply_to_id:
        answer.id = context.activity.reply_to_id
        await context.update_activity(answer)
    else:
        await context.send_activity(answer)


def _guarded(handler: Callable[[TurnContext, TurnState], Awaitable[None]]
             ) -> Callable[[TurnContext, TurnState], Awaitable[None]]:
    async def run(context: TurnContext, state: TurnState) -> None:
        try:
            await handler(context, state)
        except Exception as err:  # noqa: BLE001 - reported politely with a reference
            await on_turn_error(context, err)
    return run


async def on_turn_error(context: TurnContext, err: Exception) -> None:
    """Replaces the SDK's default handler, which would show the exception text to the user."""
    ref = new_reference()
    log_failure(log, "turn", err, ref)
    lang = turn_language(context)
    try:
        await context.send_activity(card_message(notice_card(t("error.unexpected", lang, ref=ref), lang)))
    except Exception as send_err:  # noqa: BLE001 - the channel itself failed; nothing more to tell the user
        log_failure(log, "turn error reply", send_err, ref)
