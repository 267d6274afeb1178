"""`tilanne` in the Agents Playground: each convening's status in words, and a draft deleted from the card."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.playground import (
    Stack,
    cards,
    click_action,
    last_card,
    phone_screenshot,
    screenshot,
    send_message,
    wait_for_card_text,
)
from tests.e2e.test_meeting_e2e import FORM, TIMEOUT_MS, convene_and_book

STATUS = "Omat kutsusi"


def test_status_shows_words_and_deletes_a_draft(playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    convene_and_book(page, "Perhe Tilanne")
    send_message(page, "uusi")  # a new form left unfilled: a draft
    wait_for_card_text(page, FORM)

    send_message(page, "tilanne")
    status = wait_for_card_text(page, STATUS, timeout=TIMEOUT_MS)
    expect(status).to_contain_text("Perhe Tilanne")
    expect(status).to_contain_text("Varattu:")
    expect(status).to_contain_text("Luonnos – muokattu tänään, poistuu itsestään")
    expect(status.locator('button[title="Poista luonnos"]')).to_have_count(1)
    screenshot(page, "status-booked-and-draft")
    phone_screenshot(page, "status-booked-and-draft-320", STATUS)

    click_action(page, "Poista luonnos", card_text=STATUS)
    after = wait_for_card_text(page, "Luonnos poistettu.", timeout=TIMEOUT_MS)
    expect(after).to_contain_text("Varattu:")
    expect(after).not_to_contain_text("Luonnos – muokattu")
    expect(after.locator('button[title="Poista luonnos"]')).to_have_count(0)
    screenshot(page, "status-draft-deleted")
    phone_screenshot(page, "status-draft-deleted-320", "Luonnos poistettu.")

    send_message(page, "tilanne")  # asked again: the draft stays gone
    expect(cards(page, STATUS)).to_have_count(2, timeout=TIMEOUT_MS)
    expect(last_card(page, STATUS)).not_to_contain_text("Luonnos – muokattu", timeout=TIMEOUT_MS)
