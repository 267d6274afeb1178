"""One search over mixed knowledge: people whose free/busy is readable must be free; people whose
availability is unknown (no calendar, named by e-mail only, not shared with us, a partner tenant that does
not answer) do not block a time, and the convening says whose and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from domain.availability import BusyStatus
from domain.convening import ConveningStatus, Person
from domain.organisations import CalendarAccess, Organisation, UnknownReason
from domain.team import Member, Team
from services.errors import ServiceUnavailableError, UserFacingError
from services.proposing import SearchOutcome
from tests.fakes.calendar import FakeCalendar
from tests.fakes.clock import HELSINKI, ORDINARY
from tests.fakes.drive import FakeDrive
from tests.fakes.team import HANNA, LIISA, team
from tests.fakes.world import World, world
from tests.services.journey import form, local

COUNTY = Organisation("hva", "Hyvinvointialue", CalendarAccess.SHARED_FREE_BUSY,
                      "11111111-1111-4111-8111-111111111111", ("hva.example",))
PARISH = Organisation("srk", "Seurakunta", CalendarAccess.PARTNER, "22222222-2222-4222-8222-222222222222",
                      ("srk.example",))
NGO = Organisation("ensikoti", "Ensi- ja turvakoti", CalendarAccess.NO_CALENDAR, None, ("ensikoti.example",))
NURSE = Person("satu@hva.example", "Satu Salminen")
COUNSELLOR = Person("ville@hva.example", "Ville Vartiainen")
DEACON = Person("paula@srk.example", "Paula Pesonen")
NGO_WORKER = Person("eeva@ensikoti.example", "Eeva Ensio")
STRANGER = "joku@muualla.example"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in May 2027 on Helsinki's clock (ORDINARY is Monday 3.5.2027)."""
    return datetime(2027, 5, day, hour, minute, tzinfo=HELSINKI)


def networked(parish: FakeCalendar | None = None) -> World:
    """A world whose team employs people of four organisations; the parish's tenant has its own calendar
    (None: the bot has no token there, YA_PARTNER_AUTH=none)."""
    base = team()
    home = Organisation("kunta", "Esimerkkilän kunta", CalendarAccess.HOME, None, ("esimerkkila.example",))
    members = (*base.members, Member(NURSE.email, NURSE.display_name, ("neuvola",), "hva"))
    the_team: Team = replace(base, members=members, organisations=(home, COUNTY, PARISH, NGO))
    partners = {"srk": (parish, FakeDrive())} if parish is not None else {}
    w = world(ORDINARY, the_team=the_team, partners=partners)
    for person in (NURSE, COUNSELLOR, DEACON, NGO_WORKER):
        w.directory.add(person)
    return w


async def search_network(w: World, entries: str) -> SearchOutcome:
    convening = await w.proposing.start(w.liisa)
    the_form = replace(form(w), existing_client=True, roles=())
    return await w.proposing.search(convening.id, w.liisa, the_form, entries)


async def test_readable_people_must_be_free_and_unknown_ones_do_not_block() -> None:
    parish = FakeCalendar()
    w = networked(parish)
    # Readable and busy: the county nurse (shared free/busy) on Tuesday 11.5. 12–15, the parish deacon
    # (partner tenant, read with its own token) on Thursday 13.5. 8–11.
    w.calendar.block(NURSE.email, at(11, 12), at(11, 15))
    parish.block(DEACON.email, at(13, 8), at(13, 11))
    # The county counsellor's schedule is not shared with us: Graph answers 5009 for it.
    w.calendar.unknown_mailboxes.add(COUNSELLOR.email)

    outcome = await search_network(
        w, f"{NURSE.email}, {COUNSELLOR.email}, {DEACON.email}, {NGO_WORKER.email}, Outi Ulko <{STRANGER}>")

    convening = outcome.convening
    starts = [local(s.start) for s in convening.proposals]
    assert starts, "unknown availability must not leave the worker without times"
    assert not any(s.date() == at(11, 0).date() for s in starts), "the nurse is busy all of Tuesday 11.5."
    assert not any(s.date() == at(13, 0).date() for s in starts), "the deacon is busy all of Thursday 13.5."
    assert convening.unknown == {
        COUNSELLOR.email: UnknownReason.NOT_SHARED,
        NGO_WORKER.email: UnknownReason.NO_CALENDAR,
        STRANGER: UnknownReason.OUTSIDE,
    }
    assert not convening.unavailable, "nobody readable was busy at every time"
    stranger = next(p for p in convening.invitees if p.email == STRANGER)
    assert stranger.display_name == "Outi Ulko" and stranger.external


async def test_a_partner_tenant_that_does_not_answer_leaves_its_people_unknown_not_never_free() -> None:
    parish = FakeCalendar()
    w = networked(parish)
    parish.failures.append(ServiceUnavailableError(401, "tokenRefused"))  # consent withdrawn

    outcome = await search_network(w, f"{DEACON.email}, {HANNA.email}")

    convening = outcome.convening
    assert convening.unknown == {DEACON.email: UnknownReason.UNREADABLE}
    assert convening.proposals


async def test_without_a_partner_client_the_partner_is_unreadable_and_the_home_busy_still_blocks() -> None:
    w = networked(None)  # YA_PARTNER_AUTH=none: no token for the parish
    w.calendar.block(HANNA.email, at(11, 8), at(14, 16), BusyStatus.OOF)

    outcome = await search_network(w, f"{DEACON.email}, {HANNA.email}")

    convening = outcome.convening
    assert convening.unknown == {DEACON.email: UnknownReason.UNREADABLE}
    assert all(local(s.start) >= at(17, 0) for s in convening.proposals), "Hanna is away 11.–14.5."


async def test_the_convener_whose_schedule_cannot_be_read_still_blocks() -> None:
    w = networked(FakeCalendar())
    w.calendar.unknown_mailboxes.add(LIISA.email)

    outcome = await search_network(w, NGO_WORKER.email)

    convening = outcome.convening
    assert not convening.proposals and LIISA.email in convening.unavailable


async def test_a_name_not_in_the_directory_is_refused_and_so_is_a_broken_address() -> None:
    w = networked(FakeCalendar())
    with pytest.raises(UserFacingError) as refused:
        await search_network(w, "Tuntematon Henkilö")
    assert refused.value.key == "convening.network_not_found"
    with pytest.raises(UserFacingError) as bad:
        await search_network(w, "eeva@@ensikoti")
    assert bad.value.key == "convening.network_bad_address"


async def test_a_time_proposed_long_ago_is_booked_with_the_people_whose_calendars_are_unknown() -> None:
    w = networked(FakeCalendar())
    outcome = await search_network(w, f"{NGO_WORKER.email}, {COUNSELLOR.email}")
    w.calendar.unknown_mailboxes.add(COUNSELLOR.email)  # not shared with us (5009) at booking time
    w.clock.advance(timedelta(hours=2))  # past the freshness window: free/busy is read again

    convening = await w.bookings.book(outcome.convening.id, w.liisa, 0)

    assert convening.status is ConveningStatus.BOOKED
    [event] = w.calendar.live_events()
    assert {p.email for p in event.draft.attendees} >= {NGO_WORKER.email, COUNSELLOR.email}


async def test_a_time_someone_readable_has_since_taken_is_refused_at_booking() -> None:
    w = networked(FakeCalendar())
    outcome = await search_network(w, f"{NGO_WORKER.email}, {NURSE.email}")
    first = outcome.convening.proposals[0]
    w.calendar.block(NURSE.email, first.start, first.end)
    w.clock.advance(timedelta(hours=2))

    with pytest.raises(UserFacingError) as refused:
        await w.bookings.book(outcome.convening.id, w.liisa, 0)
    assert refused.value.key == "convening.slot_taken"
