"""Graph's documented getSchedule limits and the form's own rules, over real HTTP (bot ↔ sandbox).

The sandbox refuses what Graph's documentation refuses (more than 20 schedules in one request, a window
of 62 days or more), so a search that would exceed them fails here as it may in a real tenant. Dates come
from the stack's clock, never the wall clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.team_config import load_teams
from domain.convening import ConveningStatus
from domain.slots import default_range
from m365_sandbox.runner import start_sandbox
from services.caller import Caller
from tests.integration.conftest import LIISA, Stack, _serve, start_bot
from tests.integration.test_convening_journey import events_of, open_form, propose
from tests.integration.test_invitation_answers import booked, latest_card, respond
from tests.support.clock import StackClock
from tests.support.connector import RecordingConnector
from tests.support.large_team import TEAMS_FILE, write_large_tenant
from tests.support.samples import demo_team
from tests.support.teams_client import TeamsUser, actions, card_text, input_defaults, walk

TWENTY_ROLES = ",".join(f"rooli_{letter}" for letter in "abcdefghijklmnopqrst")
VEERA_ID = "1103f11d-ce73-548b-80ce-3f213aea4b37"
VEERA = "veera.vaisanen@esimerkkila.onmicrosoft.com"
HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"


@pytest.fixture
async def large(tmp_path: Path) -> AsyncIterator[Stack]:
    """A stack whose team (tests/data/large_team) has 20 one-member roles, 6 big rooms and a 61-day horizon."""
    clock = StackClock()
    sandbox = await start_sandbox(write_large_tenant(tmp_path), tmp_path / "sandbox.db", clock=clock)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot, bot_runner, bot_url = await start_bot(sandbox, tmp_path / "bot.db", TEAMS_FILE)
    user = TeamsUser(bot_url=bot_url, connector_url=connector_url, connector=connector,
                     aad_object_id=LIISA, name="Liisa Lähinen")
    try:
        yield Stack(sandbox, bot, bot_url, connector, user, tmp_path, clock)
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()


def schedule_counts(counts: dict[str, Any]) -> tuple[int, int]:
    """(getSchedule requests, getSchedule round trips) in a /_admin/requests answer."""
    requests = sum(n for route, n in counts["byRoute"].items() if "getSchedule" in route)
    trips = sum(n for route, n in counts["roundTripsByRoute"].items() if "getSchedule" in route)
    return requests, trips


async def nothing_stored(stack: Stack, convening_id: str) -> None:
    """The refused search changed nothing: the draft has no request, and Graph was not asked or written."""
    stored = await stack.bot.convenings.own(convening_id, Caller(LIISA, ""))
    assert stored.request is None and stored.status is ConveningStatus.DRAFT and stored.invitees == ()
    assert schedule_counts(await stack.admin("GET", "/requests"))[0] == 0
    assert await events_of(stack, LIISA) == []


async def test_27_schedules_over_the_widest_range_are_one_round_trip_within_graphs_limits(large: Stack) -> None:
    convening_id, values = await open_form(large.user)
    earliest, latest = date.fromisoformat(values["earliest"]), date.fromisoformat(values["latest"])
    assert earliest >= large.today() and (latest - earliest).days == 61, "the form offers the widest range"
    # Answers take 100 ms, so that concurrent requests overlap at the sandbox and count as one round trip.
    await large.admin("PUT", "/faults", {"latencyMs": 100, "pathContains": "getSchedule"})
    await large.admin("DELETE", "/requests")
    values.update({"familyRef": "Perhe S.", "consent": "true", "roles": TWENTY_ROLES, "venue": "room"})
    card = await large.user.act("convening.search", {"conveningId": convening_id, **values})
    text = card_text(card)
    assert "Ehdotetut ajat" in text, text
    counts = await large.admin("GET", "/requests")
    # 20 invitees + the convener + 6 rooms = 27 schedules: two requests (≤ 20 each, < 62 days), sent at once.
    assert schedule_counts(counts) == (2, 1), counts
    assert set(counts["byStatus"]) == {"200"}, counts
    # Booked 11 minutes later, the proposals are no longer fresh: the time is checked with getSchedule
    # again, for 20 invitees + the convener + the room = 22 schedules, again as two requests at once.
    large.clock.advance(timedelta(minutes=11))
    await large.admin("DELETE", "/requests")
    book = next(a for a in actions(card) if a["verb"] == "convening.book")
    booked_card = await large.user.act("convening.book", book["data"])
    assert "Kutsu lähetetty" in card_text(booked_card)
    counts = await large.admin("GET", "/requests")
    assert schedule_counts(counts) == (2, 1) and set(counts["byStatus"]) <= {"200", "201"}, counts
    event = (await events_of(large, LIISA))[0]
    assert len([a for a in event["attendees"] if a["type"] == "required"]) == 20


async def test_latest_date_past_the_horizon_is_refused_naming_the_last_date(stack: Stack) -> None:
    first, last = default_range(demo_team().practice, stack.now(), "Europe/Helsinki")
    convening_id, values = await open_form(stack.user)
    await stack.admin("DELETE", "/requests")
    values.update({"familyRef": "Perhe H.", "consent": "true", "roles": "neuvola", "venue": "remote",
                   "earliest": first.isoformat(), "latest": (last + timedelta(days=1)).isoformat()})
    card = await stack.user.act("convening.search", {"conveningId": convening_id, **values})
    text = card_text(card)
    assert f"tapaamisen voi varata viimeistään {last.day}.{last.month}.{last.year}." in text, text
    assert "Uusi Yhdessä aika" in text, "the form again, to fix the date"
    await nothing_stored(stack, convening_id)


async def test_meeting_longer_than_every_practice_window_is_refused_at_the_form(stack: Stack) -> None:
    convening_id, card = await propose(stack.user, roles="neuvola", venue="remote", duration="210")
    text = card_text(card)
    assert "tiimin pisin aikaikkuna on 180 minuuttia" in text, text
    assert not [a for a in actions(card) if a["verb"] == "convening.widen"], "no way on that leads nowhere"
    await nothing_stored(stack, convening_id)


async def test_a_role_nobody_brings_is_not_offered_and_refused_if_posted(large: Stack) -> None:
    form = (await large.user.say("uusi"))[0]
    offered = {choice["value"] for node in walk(form) if node.get("id") == "roles" for choice in node["choices"]}
    assert "rooli_a" in offered and "poissa" in offered
    assert "tyhja" not in offered, "Musiikkiterapia: nobody on the roster brings it"
    convening_id = next(a for a in actions(form) if a["verb"] == "convening.search")["data"]["conveningId"]
    values = input_defaults(form)
    values.update({"familyRef": "Perhe T.", "consent": "true", "roles": "rooli_a,tyhja", "venue": "remote"})
    card = await large.user.act("convening.search", {"conveningId": convening_id, **values})
    assert "Valitsemallasi osaamisella ei ole tiimissä yhtään työntekijää" in card_text(card)
    await nothing_stored(large, convening_id)


async def test_a_convening_inviting_nobody_but_the_convener_is_refused(stack: Stack) -> None:
    # Veera is the team's only early-childhood special-education teacher: asking for her own role alone,
    # or naming only herself as the family's network, would invite nobody.
    veera = TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                      aad_object_id=VEERA_ID, name="Veera Väisänen", conversation_id="a:veera")
    for changes in ({"roles": "vaka_erityisopettaja"},
                    {"roles": "", "existingClient": "yes", "network": VEERA}):
        convening_id, values = await open_form(veera)
        values.update({"familyRef": "Perhe V.", "consent": "true", "venue": "remote", **changes})
        card = await veera.act("convening.search", {"conveningId": convening_id, **values})
        assert "Tapaamiseen ei ole ketään kutsuttavaa sinun lisäksesi" in card_text(card), changes
        stored = await stack.bot.convenings.own(convening_id, Caller(VEERA_ID, ""))
        assert stored.request is None and stored.status is ConveningStatus.DRAFT, changes
    assert await events_of(stack, VEERA) == []


async def test_no_time_card_offers_only_ways_that_lead_somewhere(large: Stack) -> None:
    # Pauli (the only family therapist) never works in the practice windows; the range reaches the horizon.
    convening_id, card = await propose(large.user, roles="poissa", venue="remote")
    text = card_text(card)
    assert "Yhteistä aikaa ei löytynyt" in text and "Pauli Poissa" in text
    verbs = {a["verb"] for a in actions(card)}
    assert verbs == {"convening.edit"}, "no wider range, nobody else with the role, nobody left without him"
    before = await large.bot.convenings.own(convening_id, Caller(LIISA, ""))
    await large.admin("DELETE", "/requests")
    for verb, refusal in (("convening.widen", "Hakujaksoa ei voi enää laajentaa"),
                          ("convening.substitute", "Samaa osaamista ei ole muilla"),
                          ("convening.drop", "tapaamiseen ei jää ketään kutsuttua")):
        refused = await large.user.act(verb, {"conveningId": convening_id})  # a stale card, or a hand-made one
        assert refusal in card_text(refused), verb
    after = await large.bot.convenings.own(convening_id, Caller(LIISA, ""))
    assert after == before and schedule_counts(await large.admin("GET", "/requests"))[0] == 0

    # With someone else invited and days left before the horizon: widen and leave him out are offered.
    teams, default = load_teams(TEAMS_FILE)
    first, _ = default_range(teams[default].practice, large.now(), "Europe/Helsinki")
    convening_id, card = await propose(large.user, roles="poissa,rooli_a", venue="remote",
                                       latest=(first + timedelta(days=13)).isoformat())
    assert {a["verb"] for a in actions(card)} == {"convening.widen", "convening.drop", "convening.edit"}
    drop = next(a for a in actions(card) if a["verb"] == "convening.drop")
    dropped = await large.user.act("convening.drop", drop["data"])
    assert "Ehdotetut ajat" in card_text(dropped) and "Pauli Poissa" not in card_text(dropped)


async def test_moving_a_meeting_everyone_has_left_is_refused(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola")
    await respond(stack, HANNA, convening_id, "decline", "Olen lomalla")
    await stack.bot.status.on_change(LIISA, event_id, "updated")
    without = next(a for a in actions(latest_card(stack)) if a["verb"] == "convening.without")
    await stack.user.act("convening.without", without["data"])
    before = await stack.graph(f"/users/{LIISA}/events/{event_id}")
    stored_before = await stack.bot.convenings.own(convening_id, Caller(LIISA, ""))
    card = await stack.user.act("convening.reschedule", {"conveningId": convening_id})
    assert "uutta aikaa ei ole kenelle etsiä" in card_text(card)
    stored = await stack.bot.convenings.own(convening_id, Caller(LIISA, ""))
    assert stored == stored_before and stored.status is ConveningStatus.BOOKED
    after = await stack.graph(f"/users/{LIISA}/events/{event_id}")
    assert (after["start"], after["attendees"]) == (before["start"], before["attendees"]), "the event is unchanged"
