"""A worker on a phone, in the Agents Playground (issue 13, items 5 and 8).

Teams iOS and Android do not run Action.Execute (MicrosoftDocs/msteams-docs issue 13924), so replies to a
phone carry Action.Submit (bot/card_actions.py). The Playground always reports a web client, so the bot is
restarted with ``YA_CARD_ACTIONS=submit`` — the same cards a phone gets — and the meeting is run with them in
the Playground's own renderer at 390 px; then the usual bot comes back for the other tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.playground import (
    Stack,
    cards,
    click_action,
    fill_input,
    phone_screenshot,
    recorded_cards,
    wait_for_card_text,
)
from tests.e2e.test_meeting_e2e import convene_and_book

TIMEOUT_MS = 40_000
STEPS = "Yhdessä ajan rakenne"


@pytest.fixture
def submit_bot(playground_stack: Stack) -> Iterator[Stack]:
    """The stack's bot answering every client with Action.Submit, for one test."""
    playground_stack.restart_bot({"YA_CARD_ACTIONS": "submit"})
    try:
        yield playground_stack
    finally:
        playground_stack.restart_bot({})


def test_a_phone_runs_the_meeting_with_action_submit(submit_bot: Stack, playground_page: Page) -> None:
    page = playground_page
    page.set_viewport_size({"width": 390, "height": 844})
    convene_and_book(page, "Perhe Puhelin")
    shown = recorded_cards(page)
    assert shown and all("Action.Execute" not in str(card) for card in shown), "a phone gets no Action.Execute"
    phone_screenshot(page, "phone-booked-320", "Kutsu lähetetty")

    click_action(page, "Aloita Yhdessä aika", card_text="Kutsu lähetetty")
    wait_for_card_text(page, STEPS, timeout=TIMEOUT_MS)
    booked = cards(page, "Kutsu lähetetty")
    expect(booked).to_have_count(1)
    expect(booked.first).to_contain_text("Kutsu perheelle", timeout=TIMEOUT_MS)  # the family's text stays in view
    click_action(page, "Tehty", card_text=STEPS)
    expect(cards(page, "1/9 vaihetta tehty")).to_have_count(1, timeout=TIMEOUT_MS)  # updated in place
    expect(cards(page, STEPS)).to_have_count(1)
    phone_screenshot(page, "phone-steps-320", STEPS)

    click_action(page, "Hyvinvoinnin tähti", card_text=STEPS)
    wait_for_card_text(page, "Voimavarat", timeout=TIMEOUT_MS)
    fill_input(page, "f_0", "2", card_text="Voimavarat")
    click_action(page, "Tallenna", card_text="Voimavarat")
    wait_for_card_text(page, "Tallennettu", timeout=TIMEOUT_MS)
    expect(cards(page, STEPS)).to_have_count(1)  # the structure stays above the star
    phone_screenshot(page, "phone-star-saved-320", "Tallennettu")
