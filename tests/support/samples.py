"""Sample domain objects for card and service tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.team_config import load_teams
from domain.convening import Booking, Convening, ConveningRequest, ConveningStatus, Person, Venue
from domain.slots import Slot
from domain.team import Team

ROOT = Path(__file__).resolve().parents[2]
HEL = ZoneInfo("Europe/Helsinki")


def demo_team() -> Team:
    """The demo municipality's team from config/teams.yaml."""
    teams, default = load_teams(ROOT / "config" / "teams.yaml")
    return teams[default]


def sample_request(venue: Venue = Venue.HYBRID) -> ConveningRequest:
    """A request for neuvola + koulukuraattori."""
    return ConveningRequest(family_ref="Perhe K.", consent=True, existing_client=False, team_key="esimerkkila",
                            roles=("neuvola", "koulukuraattori"), network=(), venue=venue, family_place="",
                            duration=timedelta(minutes=90), earliest=date(2026, 12, 1), latest=date(2027, 1, 20))


def sample_convening(status: ConveningStatus = ConveningStatus.BOOKED, venue: Venue = Venue.HYBRID) -> Convening:
    """A convening in ``status`` with two invitees and three proposals."""
    start = datetime(2026, 12, 3, 8, 0, tzinfo=HEL)
    slots = tuple(Slot(start + timedelta(days=7 * i), start + timedelta(days=7 * i, minutes=90),
                       "kaste@esimerkkila.onmicrosoft.com") for i in range(3))
    invitees = (Person("hanna.heikkinen@esimerkkila.onmicrosoft.com", "Hanna Heikkinen", "neuvola"),
                Person("mikko.miettinen@esimerkkila.onmicrosoft.com", "Mikko Miettinen", "koulukuraattori"))
    booking = Booking("event-1", slots[0].start, slots[0].end, slots[0].room,
                      "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0") \
        if status is ConveningStatus.BOOKED else None
    return Convening(id="0123456789abcdef", convener_id="00000000-0000-0000-0000-000000000001",
                     convener_email="liisa.lahinen@esimerkkila.onmicrosoft.com", convener_name="Liisa Lähinen",
                     team_key="esimerkkila", created_at=datetime(2026, 11, 22, 9, tzinfo=UTC), status=status,
                     request=sample_request(venue), invitees=invitees, proposals=slots, shown=2,
                     booking=booking)
