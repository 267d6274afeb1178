"""A user's own language choice (``kieli sv``) over HTTP: kept per user, ahead of the client's locale."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Stack
from tests.support.teams_client import TeamsUser, actions, card_text, elements

NIKO = "46d4a612-bd93-58ac-84af-908804390a46"


def _other_user(stack: Stack) -> TeamsUser:
    return TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                     aad_object_id=NIKO, name="Niko Nieminen", conversation_id="a:niko")


async def test_kieli_sv_gives_liisa_swedish_cards_and_others_stay_finnish(stack: Stack) -> None:
    liisa = stack.user  # a Finnish client (fi-FI)
    (confirmation,) = await liisa.say("kieli sv")
    assert "Språket är nu svenska." in card_text(confirmation)
    assert confirmation["lang"] == "sv"

    (form,) = await liisa.say("uusi")
    assert "Ny Tillsammans-tid" in card_text(form) and "Uusi Yhdessä aika" not in card_text(form)
    assert form["lang"] == "sv"
    # Card actions (invokes) follow the choice too.
    (welcome,) = await liisa.say("ohje")
    start = next(a for a in actions(welcome) if a["verb"] == "convening.start")
    assert "Ny Tillsammans-tid" in card_text(await liisa.act("convening.start", start.get("data", {})))

    (other_form,) = await _other_user(stack).say("uusi")
    assert "Uusi Yhdessä aika" in card_text(other_form)
    assert other_form["lang"] == "fi"


async def test_the_choice_wins_over_the_locale_and_can_be_changed_back(stack: Stack) -> None:
    liisa = stack.user
    liisa.locale = "sv-SE"
    (welcome,) = await liisa.say("ohje")
    assert "Kommandon" in card_text(welcome)
    (confirmation,) = await liisa.say("språk en")
    assert "The language is now English." in card_text(confirmation)
    (welcome,) = await liisa.say("help")
    assert "Commands" in card_text(welcome) and "language" in card_text(welcome)
    (back,) = await liisa.say("language suomi")
    assert "Kieli on nyt suomi." in card_text(back)
    (form,) = await liisa.say("ny")
    assert "Uusi Yhdessä aika" in card_text(form)


async def test_without_a_language_the_choices_are_listed_and_nothing_is_stored(stack: Stack) -> None:
    liisa = stack.user
    (choices,) = await liisa.say("kieli")
    text = card_text(choices)
    assert "Käytössä on suomi." in text
    assert {"kieli fi", "kieli sv", "kieli en", "svenska", "English"} <= set(_fact_titles_and_values(choices))
    (unknown,) = await liisa.say("kieli klingon")
    assert "En tunnistanut kieltä." in card_text(unknown) and "klingon" not in card_text(unknown)
    (form,) = await liisa.say("uusi")
    assert "Uusi Yhdessä aika" in card_text(form)


def _fact_titles_and_values(card: dict[str, Any]) -> list[str]:
    return [v for fact_set in elements(card, "FactSet") for f in fact_set["facts"] for v in (f["title"], f["value"])]
