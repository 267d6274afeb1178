"""The composition root: the only place that builds adapters and wires them together."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentApplication, AgentAuthConfiguration, TurnState

from bot.action_router import ActionRouter
from bot.background import BackgroundWork
from bot.connector_ids import EncodedIdsClientFactory
from bot.convening_actions import ConveningActions
from bot.credentials import blob_identity_client_id, channel_auth_configuration, graph_credential
from bot.graph_webhook import LIFECYCLE_PATH, NOTIFICATIONS_PATH, GraphWebhook
from bot.language import LanguageChooser
from bot.media import MediaStore
from bot.meeting_actions import MeetingActions
from bot.meeting_chat import MeetingChat
from bot.proactive import ConversationBook, Messenger
from bot.safe_logging import install_sdk_redaction, log_failure, new_reference
from bot.scheduler import CardsForSchedule, Scheduler
from bot.settings import BotSettings
from bot.statistics_actions import StatisticsActions
from bot.status_updates import StatusUpdater
from bot.team_config import ConfigError, load_team_config
from bot.teams_app import build_application
from cards.meeting_steps import time_warning_card
from cards.reminders import day_before_card, next_contact_reminder_card, start_notice_card
from documents.renderer import DocumentRenderer
from documents.star_config import load_stars
from domain.convening import Convening
from domain.finnish_calendar import FinnishHolidays
from graph.calendar import GraphCalendar
from graph.client import GraphClientHolder, GraphSettings
from graph.directory import GraphDirectory
from graph.drive import GraphDrive
from graph.errors import GraphUnavailableError
from graph.mail import GraphMail
from graph.subscriptions import GraphSubscriptions
from services.convening_service import ConveningService
from services.meeting_service import MeetingService, MeetingSettings
from services.statistics_service import StatisticsService
from services.subscription_service import SubscriptionService
from state.agent_storage import SqliteAgentStorage
from state.convenings import DocumentConveningStore
from state.document_store import DocumentStore
from state.documents import SqliteDocuments
from state.meetings import DocumentMeetingStore
from state.preferences import DocumentPreferenceStore
from state.reservations import ReservationIndex
from state.statistics import DocumentStatisticsStore
from state.subscriptions import DocumentSubscriptionStore

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def settings_clock(settings: BotSettings, real: Callable[[], datetime] = _utc_now) -> Callable[[], datetime]:
    """The bot's clock: real time, or in development from ``YA_DEV_NOW`` on (the same offset for the whole run)."""
    if settings.dev_now is None:
        return real
    offset = settings.dev_now - real()
    return lambda: real() + offset


@dataclass
class Bot:
    """Everything the running bot holds; ``close`` releases it."""

    settings: BotSettings
    agent: AgentApplication[TurnState]
    adapter: CloudAdapter
    auth_config: AgentAuthConfiguration
    service: ConveningService
    meetings: MeetingService
    media: MediaStore
    scheduler: Scheduler
    messenger: Messenger
    status: StatusUpdater
    webhook: GraphWebhook
    subscriptions: SubscriptionService
    graph_credential: AsyncTokenCredential | None = None  # closed with the Graph client
    work: BackgroundWork | None = None  # card work past its time budget
    _closers: list[Callable[[], object]] = field(default_factory=list)

    async def close(self) -> None:
        """Closes HTTP clients and the database."""
        for closer in reversed(self._closers):
            result = closer()
            if hasattr(result, "__await__"):
                await result


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


def bootstrap(settings: BotSettings, *, clock: Callable[[], datetime] | None = None) -> Bot:
    """Builds the bot from settings. Raises ConfigError/ValidationError with a clear message on bad config.

    ``clock`` is every part's "now" (tests give the sandbox's); by default the settings' clock.
    """
    clock = clock or settings_clock(settings)
    install_sdk_redaction()  # the SDK's own log lines must not echo a refused activity's values
    team_config = load_team_config(settings.teams_file)
    teams, default_team = team_config.teams, team_config.default_team
    documents = _documents(settings)
    holder = GraphClientHolder(GraphSettings(settings.graph_base_url, settings.graph_timeout_seconds,
                                               settings.graph_max_retry_after_seconds),
                               graph_credential(settings))
    directory = GraphDirectory(holder.client)
    calendar = GraphCalendar(holder.client)
    # "Counted" marks outlive every record that could be replayed (a convening: its meeting + retention).
    statistics_store = DocumentStatisticsStore(documents, clock, timedelta(days=settings.retention_days + 90))
    statistics = StatisticsService(store=statistics_store, directory=directory, teams=teams,
                                   coordinators=team_config.coordinators, clock=clock)
    fresh_for = timedelta(minutes=settings.proposals_fresh_minutes)
    service = ConveningService(
        teams=teams, default_team=default_team, directory=directory,
        calendar=calendar, store=DocumentConveningStore(documents, timedelta(days=settings.retention_days)),
        clock=clock,
        is_holiday=FinnishHolidays(),
        reservations=ReservationIndex(documents, max(2 * fresh_for, timedelta(minutes=2)), clock),
        fresh_for=fresh_for,
        statistics=statistics,
    )
    router = ActionRouter()
    subscriptions = SubscriptionService(
        GraphSubscriptions(holder.client), DocumentSubscriptionStore(documents),
        f"{settings.public_base_url}{NOTIFICATIONS_PATH}", f"{settings.public_base_url}{LIFECYCLE_PATH}", clock)

    async def watch_answers(convening: Convening) -> None:
        # Outlook answers reach the status card through change notifications on the organizer's calendar.
        try:
            await subscriptions.ensure(convening.convener_id)
        except GraphUnavailableError as err:
            log_failure(log, "subscribe to answers", err, new_reference())  # retried by the scheduler

    auth_config = channel_auth_configuration(settings)
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": auth_config})
    # Ids in the connector's URLs are percent-encoded (the SDK puts them in as they are).
    adapter = CloudAdapter(channel_service_client_factory=EncodedIdsClientFactory(connections))
    stars = load_stars(settings.stars_dir)
    if settings.default_star not in stars:
        raise ConfigError(f"{settings.stars_dir}: no star with key {settings.default_star!r} (YA_DEFAULT_STAR)")
    meeting_settings = MeetingSettings(warn_minutes=settings.warn_minutes, retention_days=settings.retention_days,
                                       reminder_hours=settings.reminder_hours, default_star=settings.default_star)
    meetings = MeetingService(convenings=service, store=DocumentMeetingStore(documents, meeting_settings),
                              calendar=calendar, drive=GraphDrive(holder.client, holder.http),
                              renderer=DocumentRenderer(), stars=stars, settings=meeting_settings, clock=clock,
                              statistics=statistics)
    media = MediaStore(documents, settings.public_base_url, clock)
    book = ConversationBook(documents, directory)
    messenger = Messenger(adapter, settings.client_id or "", book)
    chat = MeetingChat(meetings, service, directory, book, messenger)
    chat.register(router)
    # Booking and finalizing answer within the budget; longer work goes on and updates the card.
    work = BackgroundWork(documents, messenger, settings.action_budget_seconds,
                          instance=f"{socket.gethostname()}:{settings.port}")
    ConveningActions(service, on_booked=watch_answers, work=work).register(router)
    MeetingActions(meetings, service, media, messenger, chat, work).register(router)
    StatisticsActions(statistics, media).register(router)
    agent = build_application(SqliteAgentStorage(documents), router, connections, book, chat,
                              LanguageChooser(DocumentPreferenceStore(documents)))
    adapter.on_turn_error = agent._on_error
    teams_by_key = service.teams
    status = StatusUpdater(service, calendar, messenger, GraphMail(holder.client))
    webhook = GraphWebhook(subscriptions, status.on_change, status.on_missed)
    scheduler = Scheduler(service, meetings, messenger, media, CardsForSchedule(
        start_notice=lambda c: start_notice_card(c, teams_by_key[c.team_key], c.lang),
        time_warning=lambda m: time_warning_card(m, clock(), m.lang),
        reminder=lambda m: next_contact_reminder_card(m, m.lang),
        day_before=lambda c: day_before_card(c, teams_by_key[c.team_key], c.lang)), settings.scheduler_seconds,
        extra_jobs=(webhook.renew_subscriptions, statistics_store.purge))
    bot = Bot(settings=settings, agent=agent, adapter=adapter, auth_config=auth_config, service=service,
              meetings=meetings, media=media, scheduler=scheduler, messenger=messenger, status=status,
              webhook=webhook, subscriptions=subscriptions, graph_credential=holder.credential, work=work)
    # Closed in reverse: card work and pending notification work first, then HTTP clients and the database.
    bot._closers += [documents.close, holder.close, webhook.aclose, work.wait_idle]
    return bot
