"""Steps of the journey as a worker takes them, on a World of fakes (tests/fakes/world.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.convening import Convening, ConveningStatus, Venue
from domain.meeting import MEETING_STEPS, Meeting
from domain.slots import default_range
from services.convening_form import ConveningForm
from services.meetings import PlanForm
from services.proposing import SearchOutcome
from tests.fakes.world import World

HELSINKI = ZoneInfo("Europe/Helsinki")


def form(w: World, *, roles: tuple[str, ...] = ("neuvola", "koulukuraattori"), venue: Venue = Venue.ROOM,
         minutes: int = 90, earliest: date | None = None, latest: date | None = None) -> ConveningForm:
    """The convening card as Liisa fills it in: the team's default period unless told otherwise."""
    team = w.teams.team()
    first, last = default_range(team.practice, w.clock(), team.timezone)
    return ConveningForm(family_ref="Perhe K.", consent=True, existing_client=False, team_key=team.key, roles=roles,
                         network=(), venue=venue, family_place="", duration_minutes=minutes,
                         earliest=earliest or first, latest=latest or last)


async def proposed(w: World, *, venue: Venue = Venue.ROOM) -> SearchOutcome:
    """A new convening searched with the form's defaults at ``venue``."""
    convening = await w.proposing.start(w.liisa)
    return await w.proposing.search(convening.id, w.liisa, form(w, venue=venue))


async def booked(w: World, slot: int = 0, *, venue: Venue = Venue.ROOM) -> Convening:
    """A convening booked at proposal ``slot``."""
    outcome = await proposed(w, venue=venue)
    convening = await w.bookings.book(outcome.convening.id, w.liisa, slot)
    assert convening.status is ConveningStatus.BOOKED
    return convening


def plan_form(meeting: Meeting, *, responsible: tuple[int, ...] = (1,), recipients: tuple[int, ...] = (),
              next_in: timedelta = timedelta(days=21)) -> PlanForm:
    """A complete joint plan: ``responsible`` and ``recipients`` are attendee indices (0 is the near worker)."""
    next_day = (meeting.scheduled_start.astimezone(HELSINKI) + next_in).date()
    return PlanForm(things_to_change="Aamut sujuvammiksi", at_home="Iltarutiini", everyday_environment="",
                    elsewhere="", elsewhere_where="", workers_reach_family="Puhelimella arkisin",
                    family_reaches_worker="Viestillä", responsible=responsible, recipients=recipients,
                    next_date=next_day, next_time=time(9, 30), lang="fi", family_present="Äiti, Lapsi 8 v")


async def meeting_with_plan(w: World, *, recipients: tuple[int, ...] = (), steps_done: int = len(MEETING_STEPS)
                            ) -> Meeting:
    """A booked meeting, started at its time, the first ``steps_done`` steps marked done (all unless told), with a
    complete plan saved (Hanna responsible): ready to be finalized without being asked to confirm."""
    convening = await booked(w)
    assert convening.booking is not None
    w.clock.set(convening.booking.start)
    meeting = await w.meetings.start(convening.id, w.liisa)
    for step in MEETING_STEPS[:steps_done]:
        meeting = await w.meetings.toggle_step(meeting.id, w.liisa, step.key)
    return await w.meetings.save_plan(meeting.id, w.liisa, plan_form(meeting, recipients=recipients))


def local(moment: datetime) -> datetime:
    """``moment`` on Helsinki's clock."""
    return moment.astimezone(HELSINKI)
