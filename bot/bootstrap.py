"""The composition root: the only place that builds adapters and wires them together.

It builds in two stages: ``bot.front.build_front`` (the SDK's adapter and application, the state store) and
``complete`` (cards, Graph, services and everything on them). ``python -m bot`` opens its port between the two
and imports this module in a thread meanwhile; ``bootstrap`` does both at once (tests)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiohttp import web
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentApplication, AgentAuthConfiguration, TurnState

from bot.action_router import ActionRouter
from bot.background import BackgroundWork
from bot.card_actions import CardActions
from bot.convening_actions import ConveningActions
from bot.credentials import graph_credential, partner_credential
from bot.front import Front, build_front
from bot.graph_webhook import GraphWebhook
from bot.language import LanguageChooser
from bot.media import media_route
from bot.meeting_actions import MeetingActions
from bot.meeting_chat import MeetingChat
from bot.paths import LATER_ROUTES, LIFECYCLE, NOTIFICATIONS, QUESTION_PREFIX
from bot.proactive import ConversationBook, Messenger
from bot.proposal_cards import ChatProposalCards
from bot.question_page import question_routes
from bot.readiness_actions import ReadinessActions
from bot.safe_logging import log_failure, new_reference
from bot.scheduler import CardNotices, Scheduler
from bot.settings import BotSettings
from bot.short_links import short_link_route
from bot.statistics_actions import StatisticsActions
from bot.status_cards import ChatStatusCards
from bot.team_config import ConfigError, TeamConfig, load_team_config
from bot.teams_app import TurnHandlers, turn_handlers
from documents.renderer import DocumentRenderer
from documents.star_config import load_stars
from domain.convening import Convening
from domain.finnish_calendar import FinnishHolidays
from domain.organisations import CalendarAccess
from graph.calendar import GraphCalendar
from graph.client import GraphClientHolder, GraphSettings
from graph.directory import GraphDirectory
from graph.drive import GraphDrive
from graph.mail import GraphMail, GraphOutbox
from graph.readiness import GraphReadinessProbe
from graph.subscriptions import GraphSubscriptions
from services.answers import Answers, StatusUpdater
from services.availability import AvailabilityReader
from services.availability_questions import AvailabilityQuestions
from services.booking import Bookings
from services.convenings import ConveningQueries
from services.errors import ServiceUnavailableError
from services.finalizing import Finalizing
from services.housekeeping import Housekeeping
from services.meeting_access import MeetingAccess
from services.meeting_settings import MeetingSettings
from services.meetings import MeetingService
from services.ports import ConveningStore
from services.proposing import Proposing
from services.readiness import Readiness
from services.statistics_service import StatisticsService
from services.status_overview import StatusOverview
from services.subscription_service import SubscriptionService
from services.teams import TeamRegistry
from state.convenings import DocumentConveningStore
from state.conversations import ConversationStore
from state.document_store import DocumentStore
from state.leases import WorkLeases
from state.media import MediaStore
from state.meetings import DocumentMeetingStore
from state.preferences import DocumentPreferenceStore
from state.questions import DocumentQuestionStore
from state.reservations import ReservationIndex
from state.short_links import ShortLinkStore
from state.statistics import DocumentStatisticsStore
from state.subscriptions import DocumentSubscriptionStore

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

log = logging.getLogger(__name__)


@dataclass
class Bot:
    """Everything the running bot holds; ``close`` releases it."""

    front: Front
    turns: TurnHandlers
    routes: list[web.RouteDef]  # served through bot.web's routes for bot.paths.LATER_ROUTES
    teams: TeamRegistry
    convenings: ConveningQueries
    proposing: Proposing
    bookings: Bookings
    answers: Answers
    meetings: MeetingService
    finalizing: Finalizing
    housekeeping: Housekeeping
    media: MediaStore
    scheduler: Scheduler
    messenger: Messenger
    status: StatusUpdater
    webhook: GraphWebhook
    subscriptions: SubscriptionService
    documents: DocumentStore  # the state every store above keeps (tests look at it)
    convening_store: ConveningStore
    graph_credential: AsyncTokenCredential | None = None  # closed with the Graph client
    work: BackgroundWork | None = None  # card work past its time budget
    questions: AvailabilityQuestions | None = None  # asking by e-mail; its page is served when set
    short_links: ShortLinkStore | None = None  # the family's short Teams links; served when set
    _closers: list[Callable[[], object]] = field(default_factory=list)

    @property
    def settings(self) -> BotSettings:
        """The settings it was built from."""
        return self.front.settings

    @property
    def agent(self) -> AgentApplication[TurnState]:
        """The SDK application (bot.front)."""
        return self.front.agent

    @property
    def adapter(self) -> CloudAdapter:
        """The SDK adapter (bot.front)."""
        return self.front.adapter

    @property
    def auth_config(self) -> AgentAuthConfiguration:
        """How the bot proves itself to the channel."""
        return self.front.auth_config

    async def close(self) -> None:
        """Closes HTTP clients and the database."""
        for closer in reversed(self._closers):
            result = closer()
            if hasattr(result, "__await__"):
                await result


@dataclass(frozen=True)
class _UseCases:
    """The service layer, built over the stores and Graph."""

    teams: TeamRegistry
    directory: GraphDirectory
    calendar: GraphCalendar
    convenings: ConveningQueries
    proposing: Proposing
    bookings: Bookings
    answers: Answers
    meetings: MeetingService
    finalizing: Finalizing
    housekeeping: Housekeeping
    access: MeetingAccess
    statistics: StatisticsService
    statistics_store: DocumentStatisticsStore
    subscriptions: SubscriptionService
    convening_store: ConveningStore
    short_links: ShortLinkStore
    overview: StatusOverview


def _partner_holders(settings: BotSettings, team_config: TeamConfig) -> dict[str, GraphClientHolder]:
    """A Graph client per partner organisation (access: partner), each with its own tenant's token; none
    when the bot has no way to get one (YA_PARTNER_AUTH=none: their availability is then unknown)."""
    graph = GraphSettings(settings.graph_base_url, settings.graph_timeout_seconds,
                          settings.graph_max_retry_after_seconds)
    holders: dict[str, GraphClientHolder] = {}
    for organisation in team_config.organisations:
        if organisation.access is CalendarAccess.PARTNER and organisation.tenant_id:
            credential = partner_credential(settings, organisation.tenant_id)
            if credential is not None:
                holders[organisation.key] = GraphClientHolder(graph, credential)
    return holders


def _use_cases(settings: BotSettings, clock: Callable[[], datetime], team_config: TeamConfig,
               documents: DocumentStore, holder: GraphClientHolder,
               partners: dict[str, GraphClientHolder] | None = None) -> _UseCases:
    """The use cases on the document store and Graph (ConfigError for a configuration they cannot run on)."""
    teams = TeamRegistry(team_config.teams, team_config.default_team)
    directory = GraphDirectory(holder.client)
    calendar = GraphCalendar(holder.client)
    partner_calendars = {key: GraphCalendar(partner.client) for key, partner in (partners or {}).items()}
    partner_drives = {key: GraphDrive(partner.client, partner.http) for key, partner in (partners or {}).items()}
    availability = AvailabilityReader(calendar, partner_calendars)
    # "Counted" marks outlive every record that could be replayed (a convening: its meeting + retention).
    statistics_store = DocumentStatisticsStore(documents, clock, timedelta(days=settings.retention_days + 90))
    statistics = StatisticsService(store=statistics_store, directory=directory, teams=teams.teams,
                                   coordinators=team_config.coordinators, clock=clock)
    stars = load_stars(settings.stars_dir)
    if settings.default_star not in stars:
        raise ConfigError(f"{settings.stars_dir}: no star with key {settings.default_star!r} (YA_DEFAULT_STAR)")
    meeting_settings = MeetingSettings(warn_minutes=settings.warn_minutes, retention_days=settings.retention_days,
                                       reminder_hours=settings.reminder_hours, default_star=settings.default_star)
    convening_store = DocumentConveningStore(documents, timedelta(days=settings.retention_days))
    meeting_store = DocumentMeetingStore(documents, meeting_settings)
    fresh_for = timedelta(minutes=settings.proposals_fresh_minutes)
    reservations = ReservationIndex(documents, max(2 * fresh_for, timedelta(minutes=2)), clock)
    convenings = ConveningQueries(convening_store)
    # The family's short Teams links, served by the bot itself (GET /t/{token}).
    short_links = ShortLinkStore(documents, settings.public_base_url, clock)
    proposing = Proposing(teams=teams, directory=directory, calendar=calendar, store=convening_store, clock=clock,
                          is_holiday=FinnishHolidays(), availability=availability)
    meetings = MeetingService(teams=teams, convenings=convening_store, store=meeting_store, stars=stars,
                              settings=meeting_settings, clock=clock, statistics=statistics)
    return _UseCases(
        teams=teams, directory=directory, calendar=calendar, convenings=convenings, proposing=proposing,
        bookings=Bookings(teams=teams, calendar=calendar, store=convening_store, clock=clock, proposing=proposing,
                          reservations=reservations, fresh_for=fresh_for, statistics=statistics,
                          short_links=short_links),
        answers=Answers(teams=teams, calendar=calendar, store=convening_store, reservations=reservations),
        meetings=meetings,
        finalizing=Finalizing(meetings=meetings, store=meeting_store, calendar=calendar,
                              drive=GraphDrive(holder.client, holder.http), renderer=DocumentRenderer(),
                              clock=clock, statistics=statistics, partner_drives=partner_drives,
                              partner_calendars=partner_calendars),
        housekeeping=Housekeeping(convenings=convening_store, meetings=meeting_store, settings=meeting_settings,
                                  clock=clock),
        access=MeetingAccess(meetings=meeting_store, convenings=convenings, directory=directory, clock=clock),
        statistics=statistics, statistics_store=statistics_store,
        subscriptions=SubscriptionService(
            GraphSubscriptions(holder.client), DocumentSubscriptionStore(documents),
            f"{settings.public_base_url}{NOTIFICATIONS}", f"{settings.public_base_url}{LIFECYCLE}", clock),
        convening_store=convening_store, short_links=short_links,
        overview=StatusOverview(convenings=convening_store, meetings=meeting_store, teams=teams, clock=clock))


def bootstrap(settings: BotSettings, *, clock: Callable[[], datetime] | None = None) -> Bot:
    """Builds the bot from settings, both stages. Raises ConfigError/ValidationError with a clear message on bad
    config.

    ``clock`` is every part's "now" (tests give the sandbox's); by default the settings' clock.
    """
    return complete(build_front(settings, clock=clock))


def complete(front: Front) -> Bot:
    """The second stage: everything that needs cards, Graph or the services, built on the first; the front's
    turns wait for it (``front.loaded``). Raises ConfigError for a configuration the bot cannot run on."""
    settings, clock, documents, adapter = front.settings, front.clock, front.documents, front.adapter
    team_config = load_team_config(settings.teams_file)
    holder = GraphClientHolder(GraphSettings(settings.graph_base_url, settings.graph_timeout_seconds,
                                               settings.graph_max_retry_after_seconds),
                               graph_credential(settings))
    partners = _partner_holders(settings, team_config)
    uc = _use_cases(settings, clock, team_config, documents, holder, partners)
    subscriptions = uc.subscriptions

    async def watch_answers(convening: Convening) -> None:
        # Outlook answers reach the status card through change notifications on the organizer's calendar.
        try:
            await subscriptions.ensure(convening.convener_id)
        except ServiceUnavailableError as err:
            log_failure(log, "subscribe to answers", err, new_reference())  # retried by the scheduler

    media = MediaStore(documents, settings.public_base_url, clock)
    book = ConversationBook(ConversationStore(documents), uc.directory)
    messenger = Messenger(adapter, settings.client_id or "", book,
                          submit=settings.card_actions is CardActions.SUBMIT)
    router = ActionRouter()
    chat = MeetingChat(uc.meetings, uc.access, book, messenger)
    chat.register(router)
    # Booking and finalizing answer within the budget; longer work goes on and updates the card.
    leases = WorkLeases(documents, instance=f"{socket.gethostname()}:{settings.port}", lease_seconds=60.0,
                        clock=time.time)
    work = BackgroundWork(leases, messenger, settings.action_budget_seconds)
    # Asking by e-mail whose calendars cannot be read: mails from the convener's mailbox, answered on our page.
    question_store = DocumentQuestionStore(documents, clock)
    questions = AvailabilityQuestions(teams=uc.teams, store=uc.convening_store, questions=question_store,
                                      mail=GraphOutbox(holder.client), cards=ChatProposalCards(uc.teams, messenger),
                                      clock=clock, page_url=f"{settings.public_base_url}{QUESTION_PREFIX}/")
    ConveningActions(teams=uc.teams, convenings=uc.convenings, proposing=uc.proposing, bookings=uc.bookings,
                     answers=uc.answers, on_booked=watch_answers, work=work, questions=questions,
                     overview=uc.overview).register(router)
    MeetingActions(meetings=uc.meetings, finalizing=uc.finalizing, proposing=uc.proposing, teams=uc.teams,
                   media=media, messenger=messenger, chat=chat, work=work).register(router)
    StatisticsActions(uc.statistics, media).register(router)
    # "valmius": what the bot can do in each organisation, measured by read-only calls on each one's token.
    probe = GraphReadinessProbe(holder.client, {key: partner.client for key, partner in partners.items()})
    ReadinessActions(Readiness(probe=probe, directory=uc.directory, teams=uc.teams.teams,
                               organisations=team_config.organisations, coordinators=team_config.coordinators,
                               clock=clock)).register(router)
    turns = turn_handlers(router, book, chat, LanguageChooser(DocumentPreferenceStore(documents)),
                          settings.card_actions)
    status = StatusUpdater(uc.answers, uc.convenings, uc.calendar,
                           ChatStatusCards(uc.teams, messenger), GraphMail(holder.client))
    webhook = GraphWebhook(subscriptions, status.on_change, status.on_missed)
    scheduler = Scheduler(uc.housekeeping, CardNotices(messenger, uc.teams, clock), media, settings.scheduler_seconds,
                          extra_jobs=(webhook.renew_subscriptions, uc.statistics_store.purge, question_store.purge,
                                      uc.short_links.purge))
    routes = [media_route(media), short_link_route(uc.short_links), *question_routes(questions), *webhook.routes()]
    if [(r.method, r.path) for r in routes] != list(LATER_ROUTES):
        raise RuntimeError("bot.paths.LATER_ROUTES is not what the bot serves")  # a programming error: fail fast
    bot = Bot(front=front, turns=turns, routes=routes, teams=uc.teams,
              convenings=uc.convenings, proposing=uc.proposing, bookings=uc.bookings, answers=uc.answers,
              meetings=uc.meetings, finalizing=uc.finalizing, housekeeping=uc.housekeeping, media=media,
              scheduler=scheduler, messenger=messenger, status=status, webhook=webhook, subscriptions=subscriptions,
              documents=documents, convening_store=uc.convening_store, graph_credential=holder.credential, work=work,
              questions=questions, short_links=uc.short_links)
    # Closed in reverse: card work and pending notification work first, then HTTP clients and the database.
    bot._closers += [documents.close, holder.close, *(p.close for p in partners.values()), webhook.aclose,
                     work.wait_idle]
    front.loaded.set(bot)
    return bot
