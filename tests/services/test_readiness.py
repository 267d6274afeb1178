"""The readiness check (``valmius``): each organisation of the teams file probed with one of its roster members,
every tenant at once, each failure a ✗ with the administrator's next step, never an error; coordinators only."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from domain.organisations import CalendarAccess, Organisation
from domain.statistics import CoordinatorAccess
from domain.team import Member, Team
from services.caller import Caller
from services.errors import UserFacingError
from services.readiness import Advice, Check, CheckLine, Mark, Readiness, ReadinessReport
from tests.fakes.clock import ORDINARY, FakeClock
from tests.fakes.directory import FakeDirectory
from tests.fakes.readiness import FakeReadinessProbe
from tests.fakes.team import HANNA, LIISA, LIISA_ID, NIKO, NIKO_ID, PIRJO, team

HOME = Organisation("kunta", "Esimerkkilän kunta", CalendarAccess.HOME, None, ("esimerkkila.example",))
COUNTY = Organisation("hva", "Hyvinvointialue", CalendarAccess.SHARED_FREE_BUSY,
                      "11111111-1111-4111-8111-111111111111", ("hva.example",))
PARISH = Organisation("srk", "Seurakunta", CalendarAccess.PARTNER, "22222222-2222-4222-8222-222222222222",
                      ("srk.example",))
NGO = Organisation("ensikoti", "Ensi- ja turvakoti", CalendarAccess.NO_CALENDAR, None, ("ensikoti.example",))
CLUB = Organisation("yhdistys", "Perheyhdistys", CalendarAccess.PARTNER, "33333333-3333-4333-8333-333333333333",
                    ("yhdistys.example",))
NURSE = "satu@hva.example"
DEACON = "paula@srk.example"
NGO_WORKER = "eeva@ensikoti.example"
ORGANISATIONS = (HOME, COUNTY, PARISH, NGO)


def network(*organisations: Organisation) -> Team:
    """The test team with a nurse of the county, a deacon of the parish and an NGO worker on its roster."""
    base = team()
    members = (*base.members, Member(NURSE, "Satu Salminen", ("neuvola",), "hva"),
               Member(DEACON, "Paula Pesonen", ("koulukuraattori",), "srk"),
               Member(NGO_WORKER, "Eeva Ensio", ("neuvola",), "ensikoti"))
    return replace(base, members=members, organisations=organisations or ORGANISATIONS)


def healthy() -> FakeReadinessProbe:
    """Every tenant set up as deploy/README.md says: consent given, free/busy shared, OneDrives there."""
    home_people = {m.email for m in team().members}
    return FakeReadinessProbe(home_mailboxes=home_people, home_drives=home_people, shared={NURSE},
                              partner_mailboxes={"srk": {DEACON}}, partner_drives={"srk": {DEACON}},
                              consented={"srk"}, clients={"srk"})


def readiness(probe: FakeReadinessProbe, the_team: Team | None = None, *, timeout: float = 6.0,
              coordinators: CoordinatorAccess | None = None) -> Readiness:
    directory = FakeDirectory()
    directory.add(LIISA, LIISA_ID)
    directory.add(NIKO, NIKO_ID)
    the_team = the_team or network()
    return Readiness(probe=probe, directory=directory, teams={the_team.key: the_team},
                     organisations=the_team.organisations,
                     coordinators=coordinators or CoordinatorAccess(everywhere=frozenset({LIISA.email})),
                     clock=FakeClock(ORDINARY), timeout_seconds=timeout)


LIISA_CALLS = Caller(LIISA_ID, "Liisa")


def lines(report: ReadinessReport, key: str) -> dict[Check, CheckLine]:
    found = next(o for o in report.organisations if o.organisation.key == key)
    return {line.check: line for line in found.lines}


async def test_a_well_set_up_network_is_ready_everywhere_and_each_tenant_is_asked_the_right_way() -> None:
    probe = healthy()

    report = await readiness(probe).check(LIISA_CALLS)

    assert [o.organisation.key for o in report.organisations] == ["kunta", "hva", "srk", "ensikoti"]
    assert report.ready_count == 4
    assert {c: line.mark for c, line in lines(report, "kunta").items()} == {
        Check.FREE_BUSY: Mark.OK, Check.BOOKING: Mark.OK, Check.DRIVE: Mark.OK}
    assert {c: line.mark for c, line in lines(report, "hva").items()} == {
        Check.FREE_BUSY: Mark.OK, Check.BOOKING: Mark.OTHER_WAY, Check.DRIVE: Mark.OTHER_WAY}
    assert {line.mark for line in lines(report, "ensikoti").values()} == {Mark.OTHER_WAY}
    assert set(probe.calls) == set([
        ("free_busy", None, HANNA.email), ("calendar", None, HANNA.email), ("drive", None, HANNA.email),
        ("free_busy", None, NURSE),  # the shared tenant: our own getSchedule
        ("free_busy", "srk", DEACON), ("calendar", "srk", DEACON), ("drive", "srk", DEACON),  # their own token
    ]), "nothing is asked of the NGO, which has no calendar"


async def test_a_partner_without_consent_is_told_to_give_admin_consent() -> None:
    probe = healthy()
    probe.consented.clear()

    found = lines(await readiness(probe).check(LIISA_CALLS), "srk")

    assert {c: (line.mark, line.advice) for c, line in found.items()} == {
        Check.FREE_BUSY: (Mark.MISSING, Advice.PARTNER_CONSENT), Check.BOOKING: (Mark.MISSING, Advice.PARTNER_CONSENT),
        Check.DRIVE: (Mark.MISSING, Advice.PARTNER_CONSENT)}


async def test_a_partner_that_consented_without_files_keeps_plans_in_the_near_workers_onedrive() -> None:
    probe = healthy()
    probe.partner_drives["srk"].clear()

    report = await readiness(probe).check(LIISA_CALLS)

    assert lines(report, "srk")[Check.DRIVE] == CheckLine(Check.DRIVE, Mark.MISSING, Advice.PARTNER_DRIVE)
    assert lines(report, "srk")[Check.BOOKING].mark is Mark.OK
    assert report.ready_count == 3


async def test_a_tenant_that_does_not_share_free_busy_is_told_to_share_it_through_the_cross_tenant_policy() -> None:
    probe = healthy()
    probe.shared.clear()

    found = lines(await readiness(probe).check(LIISA_CALLS), "hva")

    assert found[Check.FREE_BUSY] == CheckLine(Check.FREE_BUSY, Mark.MISSING, Advice.SHARE_FREE_BUSY)


async def test_our_own_missing_grants_are_named_for_our_administrator() -> None:
    probe = healthy()
    probe.permissions -= {"calendar", "free_busy"}
    probe.home_drives.clear()

    report = await readiness(probe).check(LIISA_CALLS)

    assert {c: line.advice for c, line in lines(report, "kunta").items()} == {
        Check.FREE_BUSY: Advice.HOME_FREE_BUSY, Check.BOOKING: Advice.HOME_CALENDAR, Check.DRIVE: Advice.NO_ONEDRIVE}
    assert lines(report, "hva")[Check.FREE_BUSY].advice is Advice.HOME_FREE_BUSY, "read through our own token"


async def test_a_partner_the_bot_has_no_credential_for_is_not_called_and_the_bots_administrator_is_told() -> None:
    probe = healthy()
    probe.clients.clear()

    found = lines(await readiness(probe).check(LIISA_CALLS), "srk")

    assert {line.advice for line in found.values()} == {Advice.PARTNER_CREDENTIAL}
    assert not [call for call in probe.calls if call[1] == "srk"]


async def test_an_organisation_without_a_roster_member_is_named_and_not_probed() -> None:
    probe = healthy()

    report = await readiness(probe, network(*ORGANISATIONS, CLUB)).check(LIISA_CALLS)

    club = next(o for o in report.organisations if o.organisation.key == "yhdistys")
    assert not club.probed and not club.ready
    assert {line.mark for line in club.lines} == {Mark.UNCHECKED}
    assert not [call for call in probe.calls if call[1] == "yhdistys"]


async def test_a_tenant_that_never_answers_is_a_cross_within_the_time_limit_and_the_others_are_read() -> None:
    probe = healthy()
    probe.hanging.add("srk")

    started = time.monotonic()
    report = await readiness(probe, timeout=0.05).check(LIISA_CALLS)

    assert time.monotonic() - started < 2, "every tenant is asked at once, each within the limit"
    assert {line.advice for line in lines(report, "srk").values()} == {Advice.TRY_AGAIN}
    assert {line.mark for line in lines(report, "kunta").values()} == {Mark.OK}


async def test_a_probe_that_breaks_unexpectedly_is_a_cross_not_an_error() -> None:
    probe = healthy()

    async def broken(partner: str | None, user: str) -> None:
        raise RuntimeError("socket said something with an address in it")

    probe.drive = broken  # type: ignore[method-assign]
    report = await readiness(probe).check(LIISA_CALLS)

    assert lines(report, "kunta")[Check.DRIVE] == CheckLine(Check.DRIVE, Mark.MISSING, Advice.TRY_AGAIN)


async def test_the_shared_tenant_is_asked_as_the_coordinator_when_no_home_member_is_on_a_roster() -> None:
    probe = healthy()
    probe.home_mailboxes.add(LIISA.email)
    only_others = replace(network(), members=tuple(m for m in network().members if "@esimerkkila" not in m.email))

    report = await readiness(probe, only_others).check(LIISA_CALLS)

    assert lines(report, "hva")[Check.FREE_BUSY].mark is Mark.OK
    assert not next(o for o in report.organisations if o.organisation.key == "kunta").probed


@pytest.mark.parametrize("access", [CoordinatorAccess(), CoordinatorAccess(per_team={"muu": frozenset({NIKO.email})})])
async def test_anyone_but_a_coordinator_is_refused_and_nothing_is_probed(access: CoordinatorAccess) -> None:
    probe = healthy()

    with pytest.raises(UserFacingError) as refused:
        await readiness(probe, coordinators=access).check(Caller(NIKO_ID, "Niko"))

    assert refused.value.key == "readiness.not_coordinator"
    assert probe.calls == []


async def test_a_team_coordinator_may_check() -> None:
    probe = healthy()
    access = CoordinatorAccess(per_team={"esimerkkila": frozenset({PIRJO.email, NIKO.email})})

    report = await readiness(probe, coordinators=access).check(Caller(NIKO_ID, "Niko"))

    assert report.ready_count == 4

