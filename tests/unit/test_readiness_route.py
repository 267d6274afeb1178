"""``valmius`` is routed like ``tilastot``: the caller from the activity, coordinators only, the personal chat only;
anyone else gets a polite refusal and no tenant is probed."""

from __future__ import annotations

import json
from types import SimpleNamespace

from microsoft_agents.activity import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.action_router import ActionContext, ActionRouter
from bot.readiness_actions import ReadinessActions
from bot.teams_app import COMMANDS, _act
from cards.common import to_json
from cards.verbs import Verb
from domain.statistics import CoordinatorAccess
from i18n.messages import t
from services.caller import Caller
from services.readiness import Readiness
from tests.fakes.clock import ORDINARY, FakeClock
from tests.fakes.directory import FakeDirectory
from tests.fakes.readiness import FakeReadinessProbe
from tests.fakes.team import LIISA, LIISA_ID, NIKO, NIKO_ID, team


def routed() -> tuple[ActionRouter, FakeReadinessProbe]:
    """The verb table with the readiness handler; Liisa coordinates, Niko does not."""
    probe = FakeReadinessProbe(home_mailboxes={m.email for m in team().members},
                               home_drives={m.email for m in team().members})
    directory = FakeDirectory()
    directory.add(LIISA, LIISA_ID)
    directory.add(NIKO, NIKO_ID)
    the_team = team()
    readiness = Readiness(probe=probe, directory=directory, teams={the_team.key: the_team},
                          organisations=(the_team.home,),
                          coordinators=CoordinatorAccess(everywhere=frozenset({LIISA.email})),
                          clock=FakeClock(ORDINARY))
    router = ActionRouter()
    ReadinessActions(readiness).register(router)
    return router, probe


def test_the_command_is_valmius_beredskap_or_readiness() -> None:
    assert {word for word, verb in COMMANDS.items() if verb is Verb.READINESS} == {"valmius", "beredskap", "readiness"}


async def test_a_coordinator_gets_the_card_of_what_was_measured() -> None:
    router, probe = routed()

    card = await router.dispatch(Verb.READINESS.value, {}, ActionContext(Caller(LIISA_ID, "Liisa"), "fi"))

    shown = json.dumps(to_json(card), ensure_ascii=False)
    assert t("readiness.title", "fi") in shown and "✓ Vapaa/varattu-tiedot luetaan" in shown
    assert len(probe.calls) == 3


async def test_anyone_else_is_refused_politely_and_nothing_is_probed() -> None:
    router, probe = routed()

    card = await router.dispatch(Verb.READINESS.value, {"everywhere": True},
                                 ActionContext(Caller(NIKO_ID, "Niko"), "sv"))

    shown = json.dumps(to_json(card), ensure_ascii=False)
    assert t("readiness.not_coordinator", "sv") in shown
    assert t("readiness.title", "sv") not in shown
    assert probe.calls == []


async def test_in_a_group_chat_the_coordinator_is_sent_to_the_personal_chat_and_nothing_is_probed() -> None:
    router, probe = routed()
    activity = Activity(type=ActivityTypes.message, text="valmius",
                        from_property=ChannelAccount(id="29:liisa", aad_object_id=LIISA_ID, name="Liisa"),
                        conversation=ConversationAccount(id="19:group", conversation_type="groupChat", is_group=True))

    card = await _act(router, SimpleNamespace(activity=activity), Verb.READINESS.value, {}, "fi")  # type: ignore[arg-type]

    assert t("group.use_personal_chat", "fi") in json.dumps(to_json(card), ensure_ascii=False)
    assert probe.calls == []
