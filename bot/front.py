"""The composition root's first stage: what answers on /api/messages from the moment the port opens.

``python -m bot`` opens its port with only this built: the settings, the state store, the Agents SDK's adapter
and an ``AgentApplication`` whose routes hand each turn to the rest of the bot (cards, Graph, services), which
``bot.bootstrap.complete`` builds right after, its modules imported in a thread meanwhile. A turn that needs
the rest waits for it; one that needs nothing of it (a typing indicator, an activity without a sender to
remember) is answered at once, as a bare SDK bot would. Importing the rest first made the bot accept its
first activity ~0.45 s later than the SDK alone (``make bench``, cold start).

This module imports the SDK and the state layer only (an import-linter contract keeps it so).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    Connections,
    Storage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app import ApplicationOptions

from bot.connector_ids import EncodedIdsClientFactory
from bot.credentials import blob_identity_client_id, channel_auth_configuration
from bot.safe_logging import install_sdk_redaction
from bot.settings import BotSettings
from state.agent_storage import SqliteAgentStorage
from state.document_store import DocumentStore, close_documents
from state.documents import SqliteDocuments

if TYPE_CHECKING:
    from bot.bootstrap import Bot

T = TypeVar("T")

#: An Action.Execute click.
CARD_ACTION_INVOKE = "adaptiveCard/action"


class Loaded(Generic[T]):
    """A value made after the port opened; ``get`` waits for it."""

    def __init__(self) -> None:
        self._value: T | None = None
        self._ready = asyncio.Event()

    def set(self, value: T) -> None:
        """Makes the value available to every waiting and later ``get``."""
        self._value = value
        self._ready.set()

    def peek(self) -> T | None:
        """The value if it is there yet."""
        return self._value

    async def get(self) -> T:
        """The value, once it is there."""
        await self._ready.wait()
        assert self._value is not None  # set() ran
        return self._value


class Turns(Protocol):
    """How the loaded bot handles a turn (bot.teams_app.TurnHandlers)."""

    @property
    def on_message(self) -> Callable[[TurnContext, TurnState], Awaitable[None]]:
        """A message: a command, or an Action.Submit click from a phone."""
        ...

    @property
    def on_members_added(self) -> Callable[[TurnContext, TurnState], Awaitable[None]]:
        """The bot was added to a chat: the welcome card."""
        ...

    @property
    def on_card_action(self) -> Callable[[TurnContext, TurnState], Awaitable[None]]:
        """An Action.Execute click."""
        ...

    @property
    def remember(self) -> Callable[[TurnContext, TurnState], Awaitable[bool]]:
        """Before every turn: keeps where the sender can be reached."""
        ...

    @property
    def on_error(self) -> Callable[[TurnContext, Exception], Awaitable[None]]:
        """A failed turn, told politely with a reference."""
        ...


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


def has_sender(activity: Activity) -> bool:
    """Whether the activity names a sender (Entra object id) and a conversation: only then is there a way to
    reach someone to remember (bot.proactive.ConversationBook)."""
    sender = activity.from_property
    return bool(sender is not None and sender.aad_object_id and activity.conversation is not None)


def _is_message(context: TurnContext) -> bool:
    return context.activity.type == ActivityTypes.message


def _is_members_added(context: TurnContext) -> bool:
    return context.activity.type == ActivityTypes.conversation_update and bool(context.activity.members_added)


def _is_card_action(context: TurnContext) -> bool:
    return context.activity.type == ActivityTypes.invoke and context.activity.name == CARD_ACTION_INVOKE


def front_application(storage: Storage, connections: Connections,
                      turns: Callable[[], Awaitable[Turns]]) -> AgentApplication[TurnState]:
    """The AgentApplication: messages, members added and card clicks go to ``turns()`` (awaited: the loaded
    bot); the turn-error handler is the loaded bot's too, never the SDK's (it would show exception text)."""
    options = ApplicationOptions(storage=storage, start_typing_timer=False,
                                 # Our state lives in our own stores; the turn needs no storage round trips.
                                 turn_state_factory=OwnStateTurnState)
    app: AgentApplication[TurnState] = AgentApplication(options, connection_manager=connections)

    async def on_message(context: TurnContext, state: TurnState) -> None:
        await (await turns()).on_message(context, state)

    async def on_members_added(context: TurnContext, state: TurnState) -> None:
        await (await turns()).on_members_added(context, state)

    async def on_card_action(context: TurnContext, state: TurnState) -> None:
        await (await turns()).on_card_action(context, state)

    async def remember(context: TurnContext, state: TurnState) -> bool:
        if not has_sender(context.activity):
            return True  # nobody to remember: the turn does not wait for the rest of the bot
        return await (await turns()).remember(context, state)

    async def on_error(context: TurnContext, err: Exception) -> None:
        await (await turns()).on_error(context, err)

    app.add_route(_is_message, on_message)
    app.add_route(_is_members_added, on_members_added)
    app.add_route(_is_card_action, on_card_action, is_invoke=True)
    app.before_turn(remember)
    app.error(on_error)
    return app


def _utc_now() -> datetime:
    return datetime.now(UTC)


def settings_clock(settings: BotSettings, real: Callable[[], datetime] = _utc_now) -> Callable[[], datetime]:
    """The bot's clock: real time, or in development from ``YA_DEV_NOW`` on (the same offset for the whole run)."""
    if settings.dev_now is None:
        return real
    offset = settings.dev_now - real()
    return lambda: real() + offset


def _documents(settings: BotSettings) -> DocumentStore:
    """SQLite for one instance; Azure Blob Storage (with eTags) when several instances share state."""
    if settings.state_backend == "blob":
        # Imported only when used: the Azure Blob SDK adds ~0.2 s and ~15 MB to a start that never needs it.
        from state.blob_documents import blob_documents_from_settings  # noqa: PLC0415

        secret = settings.blob_connection_string
        return blob_documents_from_settings(
            container=settings.blob_container, connection_string=secret.get_secret_value() if secret else None,
            account_url=settings.blob_account_url,
            managed_identity_client_id=blob_identity_client_id(settings),
            index=settings.blob_index)
    return SqliteDocuments(settings.state_db)


@dataclass
class Front:
    """What answers on /api/messages before the rest of the bot is loaded; ``loaded`` is that rest."""

    settings: BotSettings
    clock: Callable[[], datetime]
    documents: DocumentStore
    auth_config: AgentAuthConfiguration
    connections: MsalConnectionManager
    adapter: CloudAdapter
    clients: EncodedIdsClientFactory  # the adapter's, keeping connector clients from turn to turn
    agent: AgentApplication[TurnState]
    loaded: Loaded[Bot] = field(default_factory=Loaded)

    async def close(self) -> None:
        """Closes the loaded bot (or, when it never loaded, the state store), then the kept connector clients:
        the bot's closing waits for its card work and notification handling, which may still send."""
        bot = self.loaded.peek()
        if bot is not None:
            await bot.close()
        else:
            await close_documents(self.documents)
        await self.clients.close()


def build_front(settings: BotSettings, *, clock: Callable[[], datetime] | None = None) -> Front:
    """The first stage from settings. ``clock`` is every part's "now" (tests give the sandbox's); by default the
    settings' clock."""
    install_sdk_redaction()  # the SDK's own log lines must not echo a refused activity's values
    documents = _documents(settings)
    auth_config = channel_auth_configuration(settings)
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth_config})
    # Ids in the connector's URLs are percent-encoded (the SDK puts them in as they are).
    clients = EncodedIdsClientFactory(connections)
    adapter = CloudAdapter(channel_service_client_factory=clients)
    loaded: Loaded[Bot] = Loaded()

    async def turns() -> Turns:
        return (await loaded.get()).turns

    agent = front_application(SqliteAgentStorage(documents), connections, turns)
    adapter.on_turn_error = agent._on_error
    return Front(settings=settings, clock=clock or settings_clock(settings), documents=documents,
                 auth_config=auth_config, connections=connections, adapter=adapter, clients=clients, agent=agent,
                 loaded=loaded)
