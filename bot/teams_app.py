"""The Agents SDK application: which activity goes where."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    InvokeResponse,
)
from microsoft_agents.hosting.core import ChannelAdapter, ClaimsIdentity, TurnContext, TurnState
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


@dataclass(frozen=True)
class TurnHandlers:
    """How the bot handles each kind of turn (routed to by ``bot.front.front_application``)."""

    on_message: Callable[[TurnContext, TurnState], Awaitable[None]]
    on_members_added: Callable[[TurnContext, TurnState], Awaitable[None]]
    on_card_action: Callable[[TurnContext, TurnState], Awaitable[None]]
    remember: Callable[[TurnContext, TurnState], Awaitable[bool]]
    on_error: Callable[[TurnContext, Exception], Awaitable[None]]


def turn_handlers(router: ActionRouter, book: ConversationBookLike, chat: ChatSharing,
                  languages: LanguageChooser | None = None,
                  card_actions: CardActions = CardActions.AUTO) -> TurnHandlers:
    """Our handlers for messages, members added and card clicks, the conversation bookkeeping before every
    turn, and our own turn-error handler.

    ``languages`` decides each turn's language (the user's own choice, then the client locale);
    ``card_actions`` whether replies carry Action.Submit only on phones or everywhere.
    """
    languages = languages or LanguageChooser(None)

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

    return TurnHandlers(on_message=_guarded(on_message), on_members_added=_guarded(on_members_added),
                        on_card_action=on_card_action, remember=remember, on_error=on_turn_error)


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
        body = invoke_body(MESSAGE_CONTENT_TYPE, t(result.note_key, lang))
    else:
        content = to_json(result)
        body = invoke_body(CARD_CONTENT_TYPE, as_submit(content) if submit else content)
    answer_invoke(context, body)


def answer_invoke(context: TurnContext, body: dict[str, Any]) -> None:
    """The invoke's answer, put where the adapter reads it (``ChannelAdapter.INVOKE_RESPONSE_KEY``), as
    ``send_activity`` does with an invokeResponse activity, without what it does first for an activity that goes
    out: a deep copy, the conversation reference applied, a telemetry span (~12 % of a card click's CPU, make
    bench)."""
    context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity(
        type=ActivityTypes.invoke_response, value=InvokeResponse(status=HTTPStatus.OK, body=body))
    context.responded = True


def invoke_body(content_type: str, value: str | dict[str, Any]) -> dict[str, Any]:
    """An Action.Execute's answer (the SDK's ``AdaptiveCardInvokeResponse`` as JSON), built as JSON directly: the
    model would walk the whole card again to dump it (~6 % of a card click's CPU, make bench)."""
    return {"statusCode": HTTPStatus.OK.value, "type": content_type, "value": value}


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
