"""The service layer wired on the fakes, as bot/bootstrap.py wires it on Graph and the document store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from domain.finnish_calendar import FinnishHolidays
from domain.team import Team
from services.answers import Answers, StatusUpdater
from services.availability import AvailabilityReader
from services.booking import Bookings
from services.caller import Caller
from services.convenings import ConveningQueries
from services.finalizing import Finalizing
from services.housekeeping import Housekeeping
from services.meeting_access import MeetingAccess
from services.meeting_settings import MeetingSettings
from services.meetings import MeetingService
from services.proposing import Proposing
from services.subscription_service import SubscriptionService
from services.teams import TeamRegistry
from tests.fakes.calendar import FakeCalendar
from tests.fakes.clock import FakeClock
from tests.fakes.directory import FakeDirectory
from tests.fakes.documents import FakeRenderer
from tests.fakes.drive import FakeDrive
from tests.fakes.mail import FakeMail
from tests.fakes.reservations import FakeReservations
from tests.fakes.statistics import FakeStatistics
from tests.fakes.stores import InMemoryConveningStore, InMemoryMeetingStore, InMemorySubscriptionStore
from tests.fakes.subscriptions import FakeSubscriptionGateway
from tests.fakes.team import HANNA, LIISA, LIISA_ID, MIKKO, NIKO, NIKO_ID, PIRJO, SANNA, star, team
from tests.fakes.teams_side import FakeNotices, FakeStatusCards


@dataclass
class World:
    """The fakes (read them back in assertions) and the use cases over them."""

    clock: FakeClock
    directory: FakeDirectory
    calendar: FakeCalendar
    mail: FakeMail
    drive: FakeDrive
    renderer: FakeRenderer
    reservations: FakeReservations
    statistics: FakeStatistics
    convening_store: InMemoryConveningStore
    meeting_store: InMemoryMeetingStore
    status_cards: FakeStatusCards
    notices: FakeNotices
    gateway: FakeSubscriptionGateway
    teams: TeamRegistry
    convenings: ConveningQueries
    proposing: Proposing
    bookings: Bookings
    answers: Answers
    status: StatusUpdater
    meetings: MeetingService
    finalizing: Finalizing
    housekeeping: Housekeeping
    access: MeetingAccess
    subscriptions: SubscriptionService

    @property
    def liisa(self) -> Caller:
        """The near worker who convenes."""
        return Caller(LIISA_ID, LIISA.display_name)

    @property
    def niko(self) -> Caller:
        """Another near worker."""
        return Caller(NIKO_ID, NIKO.display_name)


def world(now: datetime, settings: MeetingSettings | None = None, *, the_team: Team | None = None,
          partners: Mapping[str, tuple[FakeCalendar, FakeDrive]] | None = None) -> World:
    """A fresh world at ``now``: Liisa and Niko in the directory, the team's members, empty calendars.

    ``the_team`` replaces the default team (e.g. one whose people work for several organisations);
    ``partners`` are partner organisations' own tenants (calendar, OneDrive) by organisation key.
    """
    settings = settings or MeetingSettings(default_star="test-star")
    clock = FakeClock(now)
    directory = FakeDirectory()
    directory.add(LIISA, LIISA_ID)
    directory.add(NIKO, NIKO_ID)
    for person in (HANNA, PIRJO, MIKKO, SANNA):
        directory.add(person)
    calendar = FakeCalendar(organizer_emails={LIISA_ID: LIISA.email, NIKO_ID: NIKO.email})
    mail, drive, renderer = FakeMail(), FakeDrive(), FakeRenderer()
    reservations, statistics = FakeReservations(), FakeStatistics()
    convening_store, meeting_store = InMemoryConveningStore(), InMemoryMeetingStore(settings)
    status_cards, notices, gateway = FakeStatusCards(), FakeNotices(), FakeSubscriptionGateway()
    the_team = the_team or team()
    partner_calendars = {key: pair[0] for key, pair in (partners or {}).items()}
    partner_drives = {key: pair[1] for key, pair in (partners or {}).items()}
    teams = TeamRegistry({the_team.key: the_team}, the_team.key)
    convenings = ConveningQueries(convening_store)
    proposing = Proposing(teams=teams, directory=directory, calendar=calendar, store=convening_store, clock=clock,
                          is_holiday=FinnishHolidays(), new_id=_ids(),
                          availability=AvailabilityReader(calendar, partner_calendars))
    answers = Answers(teams=teams, calendar=calendar, store=convening_store, reservations=reservations)
    meetings = MeetingService(teams=teams, convenings=convening_store, store=meeting_store,
                              stars={"test-star": star()}, settings=settings, clock=clock, statistics=statistics)
    return World(
        clock=clock, directory=directory, calendar=calendar, mail=mail, drive=drive, renderer=renderer,
        reservations=reservations, statistics=statistics, convening_store=convening_store,
        meeting_store=meeting_store, status_cards=status_cards, notices=notices, gateway=gateway, teams=teams,
        convenings=convenings, proposing=proposing,
        bookings=Bookings(teams=teams, calendar=calendar, store=convening_store, clock=clock, proposing=proposing,
                          reservations=reservations, statistics=statistics),
        answers=answers, status=StatusUpdater(answers, convenings, calendar, status_cards, mail),
        meetings=meetings,
        finalizing=Finalizing(meetings=meetings, store=meeting_store, calendar=calendar, drive=drive,
                              renderer=renderer, clock=clock, statistics=statistics,
                              partner_drives=partner_drives, partner_calendars=partner_calendars),
        housekeeping=Housekeeping(convenings=convening_store, meetings=meeting_store, settings=settings,
                                  clock=clock),
        access=MeetingAccess(meetings=meeting_store, convenings=convenings, directory=directory, clock=clock),
        subscriptions=SubscriptionService(gateway, InMemorySubscriptionStore(), "https://bot.example/n",
                                          "https://bot.example/l", clock))


def _ids() -> Callable[[], str]:
    """Record ids in order: 16 hex digits, like the real ones."""
    count = iter(range(1, 1_000_000))
    return lambda: f"{next(count):016x}"
