"""The convening journey in the real Agents Playground, clicking the cards as a person would."""

from __future__ import annotations

import http.client
import json

from playwright.sync_api import Page, expect

from tests.e2e.playground import (
    Stack,
    choose,
    click_action,
    fill_input,
    screenshot,
    send_message,
    toggle,
    wait_for_card_text,
)

LIISA = "liisa.lahinen@esimerkkila.onmicrosoft.com"


def _events(stack: Stack) -> list[dict[str, object]]:
    config = stack.config
    connection = http.client.HTTPConnection(config.host, config.sandbox_port, timeout=10)
    try:
        connection.request("GET", f"/v1.0/users/{LIISA}/events?$top=200")
        body = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    return [e for e in body["value"] if str(e.get("transactionId") or "").startswith("yhdessa-aika-")]


def test_convene_from_the_playground_books_an_outlook_event(playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    before = len(_events(playground_stack))
    send_message(page, "uusi")
    wait_for_card_text(page, "Täytä yhdessä perheen kanssa")
    fill_input(page, "familyRef", "Perhe E2E", card_text="Täytä yhdessä perheen kanssa")
    toggle(page, "consent", True, card_text="Täytä yhdessä perheen kanssa")
    choose(page, "roles", "Äitiys- ja lastenneuvola", "Koulukuraattori", card_text="Täytä yhdessä perheen kanssa")
    choose(page, "venue", "Tila + Teams", card_text="Täytä yhdessä perheen kanssa")
    screenshot(page, "convening-form")
    click_action(page, "Etsi aikoja", card_text="Täytä yhdessä perheen kanssa")
    wait_for_card_text(page, "Ehdotetut ajat")
    screenshot(page, "convening-proposals")
    click_action(page, "Varaa tämä aika", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Kutsu lähetetty")
    wait_for_card_text(page, "Teille on varattu Yhdessä aika")
    screenshot(page, "convening-booked")
    events = _events(playground_stack)
    assert len(events) == before + 1
    event = events[-1]
    assert event["sensitivity"] == "private"
    assert "Perhe E2E" not in json.dumps(event, ensure_ascii=False)


def test_identity_code_is_refused_in_the_playground(playground_page: Page) -> None:
    page = playground_page
    send_message(page, "uusi")
    wait_for_card_text(page, "Täytä yhdessä perheen kanssa")
    fill_input(page, "familyRef", "131052-308T", card_text="Täytä yhdessä perheen kanssa")
    toggle(page, "consent", True, card_text="Täytä yhdessä perheen kanssa")
    choose(page, "roles", "Sosiaalityö", card_text="Täytä yhdessä perheen kanssa")
    click_action(page, "Etsi aikoja", card_text="Täytä yhdessä perheen kanssa")
    wait_for_card_text(page, "näyttää henkilötunnukselta")
    screenshot(page, "convening-refused")


def test_markup_in_the_family_reference_shows_as_typed_in_the_playground(playground_page: Page) -> None:
    """Outside text is escaped for Teams' Markdown; the Playground's renderer must show it as typed, too."""
    page = playground_page
    page.set_viewport_size({"width": 360, "height": 780})  # a phone
    form = "Täytä yhdessä perheen kanssa"
    send_message(page, "uusi")
    wait_for_card_text(page, form)
    fill_input(page, "familyRef", "Perhe *K* _L_ [x]", card_text=form)
    toggle(page, "consent", True, card_text=form)
    choose(page, "roles", "Sosiaalityö", card_text=form)
    click_action(page, "Etsi aikoja", card_text=form)
    card = wait_for_card_text(page, "Ehdotetut ajat")
    shown = card.inner_text()
    screenshot(page, "convening-markup-as-text-phone")
    assert "Perhe *K* _L_ [x]" in shown, shown
    assert "\\" not in shown, "no escape character is drawn"


def test_the_family_place_field_shows_only_when_it_applies(playground_page: Page) -> None:
    """Hidden until the family's own place is chosen; choosing it without a place re-shows the form with it."""
    page = playground_page
    form_title = "Täytä yhdessä perheen kanssa"
    send_message(page, "uusi")
    form = wait_for_card_text(page, form_title)
    place = form.locator("label.ac-richTextBlock").filter(has_text="Perheen valitsema paikka (esim.")
    expect(place).to_be_hidden()
    expect(form.locator("label.ac-richTextBlock").filter(has_text="Perheen nykyinen verkosto")).to_be_hidden()
    fill_input(page, "familyRef", "Perhe Paikka", card_text=form_title)
    toggle(page, "consent", True, card_text=form_title)
    choose(page, "roles", "Äitiys- ja lastenneuvola", card_text=form_title)
    choose(page, "venue", "Perheen valitsema paikka", card_text=form_title)
    click_action(page, "Etsi aikoja", card_text=form_title)
    refused = wait_for_card_text(page, "Kirjoita paikka, jonka perhe valitsi.")
    expect(refused.locator("label.ac-richTextBlock").filter(has_text="Perheen valitsema paikka (esim.")).to_be_visible()
    screenshot(page, "convening-family-place-asked")
