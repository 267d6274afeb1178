"""The invitation states time, place, reserved duration and invitees — never the family."""

from __future__ import annotations

from dataclasses import replace

from cards.booked import booked_card
from cards.common import to_json
from domain.convening import Person, Venue
from i18n.formatting import format_span
from services.invitation_text import event_body_html, event_location, event_subject, family_invitation
from tests.support.samples import demo_team, sample_convening


def test_event_body_has_what_the_model_requires_and_no_family_reference() -> None:
    convening = sample_convening()
    team = demo_team()
    assert convening.request is not None and convening.booking is not None
    room = team.rooms[0]
    slot = convening.proposals[0]
    body = event_body_html(convening, convening.request, slot, room, "fi", {r.key: r.name("fi") for r in team.roles})
    assert "to 3.12.2026 klo 8.00–9.30" in body
    assert room.display_name in body and "90 min" in body
    assert "Hanna Heikkinen (Äitiys- ja lastenneuvola)" in body
    assert "Liisa Lähinen" in body
    assert "Perhe K." not in body
    assert event_subject("fi") == "Yhdessä aika"


def test_family_invitation_is_plain_finnish_with_the_short_link_for_hybrid() -> None:
    convening = sample_convening(venue=Venue.HYBRID)
    team = demo_team()
    assert convening.booking is not None
    text = family_invitation(convening, {r.key: r.name("fi") for r in team.roles}, team.rooms[0],
                             "https://bot.example/t/Ab3dE5gH7kQ", "fi")
    assert text.startswith("Hei!")
    assert "torstai 3.12.2026 klo 8.00–9.30" in text
    assert "Äitiys- ja lastenneuvola" in text and "Koulukuraattori" in text
    assert "Liity etänä Teamsilla: https://bot.example/t/Ab3dE5gH7kQ" in text
    assert "teams.microsoft.com" not in text, "never the 330-character join URL in a text message"
    assert "<" not in text, "plain text, ready for a text message"


def test_swedish_and_english_dates() -> None:
    convening = sample_convening()
    assert convening.booking is not None
    assert format_span(convening.booking.start, convening.booking.end, "sv") == "tors 3.12.2026 kl. 8.00–9.30"
    assert format_span(convening.booking.start, convening.booking.end, "en") == "Thu 3.12.2026 at 8:00–9:30"


def test_location_by_venue() -> None:
    team = demo_team()
    room = team.rooms[0]
    for venue, expected in ((Venue.ROOM, room.display_name), (Venue.REMOTE, "Teams-kokous"),
                            (Venue.HYBRID, f"{room.display_name} + Teams-kokous")):
        request = sample_convening(venue=venue).request
        assert request is not None
        assert event_location(request, room, "fi") == expected


def test_booked_card_shows_the_invitation_for_the_family() -> None:
    card = to_json(booked_card(sample_convening(), demo_team()))
    assert "Kutsu perheelle" in str(card) and "Tervetuloa!" in str(card)


def test_an_online_invitation_tells_people_of_other_employers_how_to_join_as_guests() -> None:
    team = demo_team()
    outside = Person("eeva.ensio@ensikoti.example", "Eeva Ensio", external=True)
    roles = {r.key: r.name("fi") for r in team.roles}
    for venue, external, expected in ((Venue.HYBRID, True, True), (Venue.HYBRID, False, False),
                                      (Venue.ROOM, True, False)):
        convening = sample_convening(venue=venue)
        if external:
            convening = replace(convening, invitees=(*convening.invitees, outside))
        assert convening.request is not None
        body = event_body_html(convening, convening.request, convening.proposals[0], team.rooms[0], "fi", roles)
        assert ("vieraana" in body) is expected, (venue, external)
