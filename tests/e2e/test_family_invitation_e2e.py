"""The family's invitation in the Playground: after booking a room + Teams meeting the card shows the text to
send the family, with the street address, how to get in, the near worker's phone, the invited people by name
and profession and the bot's own short Teams link; the plain-language version opens below it."""

from __future__ import annotations

import http.client
import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.e2e.playground import (
    Stack,
    choose,
    click_action,
    fill_input,
    last_card,
    phone_screenshot,
    screenshot,
    send_message,
    toggle,
    wait_for_card_text,
)

FORM = "Täytä yhdessä perheen kanssa"
BOOKED = "Kutsu lähetetty"
TIMEOUT_MS = 40_000  # a CI run may share the CPU


def _redirect(url: str) -> tuple[int, str]:
    """(status, Location) of GET ``url``, not following the redirect."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        return response.status, response.getheader("Location") or ""
    finally:
        connection.close()


def test_the_familys_invitation_has_the_address_the_phone_the_people_and_a_short_link(
        playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    send_message(page, "uusi")
    wait_for_card_text(page, FORM)
    fill_input(page, "familyRef", "Perhe Kutsu", card_text=FORM)
    toggle(page, "consent", True, card_text=FORM)
    choose(page, "roles", "Äitiys- ja lastenneuvola", "Koulukuraattori", card_text=FORM)
    choose(page, "venue", "Tila + Teams", card_text=FORM)
    click_action(page, "Etsi aikoja", card_text=FORM)
    wait_for_card_text(page, "Ehdotetut ajat")
    click_action(page, "Varaa tämä aika", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Teille on varattu Yhdessä aika")

    booked = last_card(page, BOOKED)
    for shown in ("Osoite: ", "Näin pääset sisään: ", "Soita: Liisa Lähinen, puh. 040 100 0001",
                  "Liisa Lähinen, varhaiskasvatuksen opettaja (lähityöntekijäsi)", "terveydenhoitaja",
                  "Liity etänä Teamsilla: http"):
        expect(booked).to_contain_text(shown, timeout=TIMEOUT_MS)
    text = booked.inner_text()
    invitation = text[text.index("Teille on varattu"):]
    assert "Perhe Kutsu" not in invitation, "never the family's reference in the family's text"
    assert "meetup-join" not in invitation, "the short link, never the 330-character join URL"
    link = re.search(r"Liity etänä Teamsilla: (\S+)", invitation)
    assert link is not None and "/t/" in link.group(1) and len(link.group(1)) < 50, invitation
    status, location = _redirect(link.group(1))
    assert status == 302 and "meetup-join" in location, "the short link opens the Teams meeting"
    booked.get_by_text("Osoite: ").scroll_into_view_if_needed()
    screenshot(page, "family-invitation")
    phone_screenshot(page, "phone-family-invitation", "Teille on varattu Yhdessä aika")

    click_action(page, "Selkokielellä", card_text=BOOKED)
    plain = last_card(page, BOOKED)
    expect(plain).to_contain_text("Tapaaminen alkaa kello", timeout=TIMEOUT_MS)
    expect(plain).to_contain_text("Puhelinnumero on 040 100 0001", timeout=TIMEOUT_MS)
    plain.get_by_text("Tapaaminen alkaa kello").scroll_into_view_if_needed()
    screenshot(page, "family-invitation-plain-language")
