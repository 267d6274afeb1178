"""A small family-centre team built in code (no configuration file): the rosters the service tests need."""

from __future__ import annotations

from datetime import time

from domain.convening import Person
from domain.roles import DEFAULT_ROLES
from domain.star import StarDefinition, StarGroup, StarPoint
from domain.team import InvitationPractice, Member, PracticeWindow, Room, Team

DOMAIN = "esimerkkila.example"


def email(name: str) -> str:
    """A team address: ``email("hanna")`` → hanna@esimerkkila.example."""
    return f"{name}@{DOMAIN}"


LIISA = Person(email("liisa"), "Liisa Lähinen")  # the near worker who convenes
LIISA_ID = "00000000-0000-4000-8000-000000000001"
NIKO = Person(email("niko"), "Niko Nieminen")  # another near worker
NIKO_ID = "00000000-0000-4000-8000-000000000002"
HANNA = Person(email("hanna"), "Hanna Heikkinen", "neuvola")
PIRJO = Person(email("pirjo"), "Pirjo Partanen", "neuvola")
MIKKO = Person(email("mikko"), "Mikko Miettinen", "koulukuraattori")
SANNA = Person(email("sanna"), "Sanna Savolainen", "koulukuraattori")
KASTE = email("kaste")  # the small room (8 seats)
SOINTU = email("sointu")  # the big room (12 seats)


def team() -> Team:
    """Tuesdays 12–15 and Thursdays 8–11, invite by Monday of the previous week; two of each role invited."""
    practice = InvitationPractice(
        windows=(PracticeWindow(1, time(12), time(15)), PracticeWindow(3, time(8), time(11))),
        default_duration_minutes=90, deadline_weekday=0, deadline_weeks_before=1, horizon_days=56,
        slot_step_minutes=30)
    members = tuple(Member(p.email, p.display_name, (p.role or "",)) for p in (HANNA, PIRJO, MIKKO, SANNA))
    rooms = (Room(KASTE, "Neuvotteluhuone Kaste", 8, True), Room(SOINTU, "Kokoushuone Sointu", 12, True))
    roles = tuple(r for r in DEFAULT_ROLES if r.key in ("neuvola", "koulukuraattori"))
    return Team(key="esimerkkila", name="Esimerkkilän perhekeskustiimi", roles=roles, members=members,
                rooms=rooms, practice=practice, contacts={"neuvola": "Neuvola, p. 017 000 1001"})


def star() -> StarDefinition:
    """A two-point star (enough for a reading; the documents are not drawn by the fake renderer)."""
    group = StarGroup("family", {"fi": "Perhe"}, "#336699")
    points = (StarPoint("home", {"fi": "Koti"}, "family"), StarPoint("health", {"fi": "Terveys"}, "family"))
    return StarDefinition("test-star", {"fi": "Testitähti"}, (group,), points)
