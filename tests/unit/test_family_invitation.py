"""The family's invitation says what a family needs: where to go and how to get in, whom to call, who comes (by
name and profession), a short link for Teams, and the same in plain language (selkokieli) and the other
languages — never the family's reference."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.team_config import ConfigError, load_teams, parse_teams
from cards.booked import booked_card
from cards.common import to_json
from domain.convening import Person, Venue
from services.invitation_text import family_invitation, plain_family_invitation
from tests.support.samples import ROOT, demo_team, sample_convening

SHORT = "https://bot.example/t/Ab3dE5gH7kQ"


def roles(lang: str = "fi") -> dict[str, str]:
    return {r.key: r.name(lang) for r in demo_team().roles}


def invitation(venue: Venue = Venue.ROOM, lang: str = "fi", link: str | None = None, **changes: Any) -> str:
    team = demo_team()
    convening = replace(sample_convening(venue=venue), **changes)
    return family_invitation(convening, roles(lang), team.rooms[0], link, lang, team=team)


def card_texts(value: Any) -> list[str]:
    """Every TextBlock's text in a card's JSON, in order (the ShowCards' too)."""
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "TextBlock" else []
        return own + [s for v in value.values() for s in card_texts(v)]
    if isinstance(value, list):
        return [s for v in value for s in card_texts(v)]
    return []


def test_a_room_meeting_tells_the_street_address_and_how_to_get_in() -> None:
    text = invitation(Venue.ROOM)
    assert "Osoite: Kauppakatu 12, 70100 Esimerkkilä" in text
    assert "Näin pääset sisään: Pääovi Kauppakadun puolella, 2. kerros (hissi)." in text
    remote = invitation(Venue.REMOTE, link=SHORT)
    assert "Osoite" not in remote and "Kauppakatu" not in remote, "no address for a meeting on Teams only"


def test_the_near_worker_is_named_with_the_phone_number_to_call() -> None:
    text = invitation()
    assert "• Liisa Lähinen, varhaiskasvatuksen opettaja (lähityöntekijäsi)" in text
    assert "Kysyttävää tai este? Soita: Liisa Lähinen, puh. 040 100 0001" in text
    # A near worker with no phone configured: the name stays, no empty number.
    other = invitation(convener_email="someone.else@esimerkkila.onmicrosoft.com", convener_name="Olli Muu")
    assert "Lisätietoja: Olli Muu" in other and "puh." not in other


def test_the_invited_are_listed_by_name_and_profession_not_by_service_only() -> None:
    text = invitation()
    assert "• Hanna Heikkinen, terveydenhoitaja (Äitiys- ja lastenneuvola)" in text
    assert "• Mikko Miettinen, koulukuraattori" in text and "(Koulukuraattori)" not in text
    network = invitation(invitees=(Person("aino.aho@example.fi", "Aino Aho", external=True),))
    assert "• Aino Aho" in network, "someone of the family's network: by name"


def test_a_teams_meeting_gets_a_short_instruction_and_the_short_link_never_the_long_url() -> None:
    text = invitation(Venue.REMOTE, link=SHORT)
    assert f"Liity etänä Teamsilla: {SHORT}" in text
    assert "Avaa linkki vähän ennen alkua puhelimella tai tietokoneella." in text
    assert "teams.microsoft.com" not in text
    without = invitation(Venue.REMOTE)
    assert "Liity etänä Teamsilla: Liisa Lähinen lähettää liittymislinkin erikseen." in without
    assert "teams.microsoft.com" not in without


def test_the_booked_card_puts_the_short_link_in_the_text_and_the_long_one_only_apart() -> None:
    convening = sample_convening(venue=Venue.HYBRID)
    assert convening.booking is not None
    long_url = convening.booking.join_url or ""
    with_short = replace(convening, booking=replace(convening.booking, family_link=SHORT))
    texts = card_texts(to_json(booked_card(with_short, demo_team())))
    assert f"Liity etänä Teamsilla: {SHORT}" in texts and long_url not in texts
    old = to_json(booked_card(convening, demo_team()))
    assert long_url not in card_texts(old)
    [field] = [n for n in _nodes(old) if n.get("id") == "familyLink"]
    assert field["label"] == "Teams-linkki perheelle (lähetä erikseen)" and field["value"] == long_url, \
        "a booking without a short link: the long link apart, in a field to copy"


def _nodes(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value] + [n for v in value.values() for n in _nodes(v)]
    if isinstance(value, list):
        return [n for v in value for n in _nodes(v)]
    return []


def test_the_plain_language_version_has_short_lines_written_dates_and_no_abbreviations() -> None:
    team = demo_team()
    convening = sample_convening(venue=Venue.HYBRID)
    text = plain_family_invitation(convening, team, team.rooms[0], SHORT, "fi")
    lines = text.splitlines()
    for line in ("Sinut on kutsuttu tapaamiseen.", "Tapaamisen nimi on Yhdessä aika.",
                 "Tapaaminen on torstaina 3. joulukuuta 2026.", "Tapaaminen alkaa kello 8.00.",
                 "Tapaaminen loppuu kello 9.30.", "Osoite on Kauppakatu 12, 70100 Esimerkkilä.",
                 "Avaa tämä linkki vähän ennen tapaamista:", SHORT, "Hanna Heikkinen, terveydenhoitaja",
                 "Liisa Lähinen on sinun lähityöntekijäsi.", "Puhelinnumero on 040 100 0001."):
        assert line in lines, line
    for abbreviation in ("klo", "puh.", " min", "3.12.", "ti ", "to "):
        assert abbreviation not in text, abbreviation
    directions = team.rooms[0].directions.get("fi")
    assert all(len(line) <= 50 and not re.search(r"[a-zåäö][.?!] [A-ZÅÄÖ]", line)
               for line in lines if line not in (directions, SHORT)), "one short sentence a line"


def test_the_card_offers_plain_language_swedish_and_english_beside_the_finnish_text() -> None:
    convening = sample_convening(venue=Venue.HYBRID)
    assert convening.booking is not None
    card = to_json(booked_card(replace(convening, booking=replace(convening.booking, family_link=SHORT)),
                               demo_team()))
    shows = {a["title"]: card_texts(a["card"]) for a in _show_cards(card)}
    assert set(shows) == {"Selkokielellä", "På svenska (ruotsiksi)", "In English (englanniksi)"}
    assert "Tapaaminen alkaa kello 8.00." in shows["Selkokielellä"]
    assert "Adress: Kauppakatu 12, 70100 Esimerkkilä" in shows["På svenska (ruotsiksi)"]
    assert "• Hanna Heikkinen, hälsovårdare (Mödra- och barnrådgivning)" in shows["På svenska (ruotsiksi)"]
    assert "Questions, or cannot come? Call Liisa Lähinen, tel. 040 100 0001" in shows["In English (englanniksi)"]
    assert ("How to get in: Main door on Kauppakatu, 2nd floor (lift). Please check in at the family centre lobby."
            in shows["In English (englanniksi)"])
    swedish_card = to_json(booked_card(convening, demo_team(), "sv"))
    assert {a["title"] for a in _show_cards(swedish_card)} == {"Lättläst", "Suomeksi (på finska)",
                                                                "In English (på engelska)"}
    assert "Perhe K" not in str([texts for texts in shows.values()]), "never the family's reference"


def _show_cards(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        own = [value] if value.get("type") == "Action.ShowCard" else []
        return own + [c for v in value.values() for c in _show_cards(v)]
    if isinstance(value, list):
        return [c for v in value for c in _show_cards(v)]
    return []


def test_no_variant_names_the_family() -> None:
    team = demo_team()
    convening = sample_convening(venue=Venue.HYBRID)
    for lang in ("fi", "sv", "en"):
        assert "Perhe K." not in family_invitation(convening, roles(lang), team.rooms[0], SHORT, lang, team=team)
        assert "Perhe K." not in plain_family_invitation(convening, team, team.rooms[0], SHORT, lang)


def _teams_file() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "config" / "teams.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def test_rooms_and_people_take_address_directions_title_and_phone_and_all_are_optional() -> None:
    data = _teams_file()
    team = data["teams"][0]
    team["rooms"][2]["directions"] = "Kirjaston 2. kerros"
    team["members"]["eeva.ensio@ensikoti.example"] = {"name": "Eeva Ensio", "title": "ohjaaja",
                                                      "phone": "+358 9 123 456"}
    teams, default = parse_teams(data)
    parsed = teams[default]
    assert parsed.rooms[2].directions.get("en") == "Kirjaston 2. kerros", "one language stands for all"
    assert parsed.details_of("EEVA.ENSIO@ensikoti.example").phone == "+358 9 123 456"
    assert parsed.details_of("nobody@esimerkkila.onmicrosoft.com").phone == ""
    for other in ("large_team", "exempelby"):  # the other teams files, without any of these fields, still load
        assert load_teams(ROOT / "tests" / "data" / other / "teams.yaml")


@pytest.mark.parametrize("phone", ["soita minulle", "123", "+358 40 100 0001 / iltaisin"])
def test_a_phone_that_is_not_a_number_is_refused_at_start_up(phone: str) -> None:
    data = _teams_file()
    data["teams"][0]["members"]["eeva.ensio@ensikoti.example"] = {"name": "Eeva Ensio", "phone": phone}
    with pytest.raises(ConfigError, match="phone"):
        parse_teams(data, "teams.yaml")


def test_the_repo_config_gives_every_room_an_address() -> None:
    assert all(room.address for room in load_teams(Path(ROOT / "config" / "teams.yaml"))[0]["esimerkkila"].rooms)
