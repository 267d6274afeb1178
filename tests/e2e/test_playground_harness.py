"""The Playwright helpers work against the real Agents Playground (driven with the echo bot).

These tests document what the Playground does: how a card with inputs renders, what an
``Action.Execute`` sends and how its answer replaces the card, ``updateActivity``, proactive
messages through the connector ``serviceUrl`` (personal and group chat), and which Teams ids
the Playground sends (``from.aadObjectId`` is the tenant user's Graph id).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from playwright.sync_api import Page, expect

from scripts.playground_config import load_tenant
from tests.e2e.playground import (
    Stack,
    cards,
    choose,
    click_action,
    fill_input,
    messages,
    open_chat,
    screenshot,
    send_message,
    toggle,
    wait_for_card_text,
    wait_for_text,
)

GROUP_CHAT = "Yhdessä aika -ryhmächat"
BOT_NAME = "Yhdessä aika"


def _last(stack: Stack, kind: str, **match: Any) -> dict[str, Any]:
    for activity in reversed(stack.activities()):
        if activity.get("type") == kind and all(activity.get(key) == value for key, value in match.items()):
            found: dict[str, Any] = activity
            return found
    raise AssertionError(f"the bot received no {kind} activity matching {match}: {stack.activities()}")


def test_card_inputs_action_execute_and_card_replacement(echo_page: Page, echo_stack: Stack) -> None:
    page = echo_page
    send_message(page, "hei botti")
    card = wait_for_card_text(page, "Kaiku: hei botti")

    fill_input(page, "Nimi", "Maija", card_text="Kaiku: hei botti")  # by label
    toggle(page, "agree", card_text="Kaiku: hei botti")  # by card input id
    choose(page, "Asiantuntijat", "Neuvola", "Perhetyö", card_text="Kaiku: hei botti")  # multi, expanded
    choose(page, "place", "Etänä", card_text="Kaiku: hei botti")  # compact, by id
    choose(page, "venue", "Etäyhteys", card_text="Kaiku: hei botti")  # single, expanded (radios)
    choose(page, "Kielet", "suomi", "ruotsi", card_text="Kaiku: hei botti")  # multi, compact
    fill_input(page, "Päivä", dt.date(2026, 12, 4), card_text="Kaiku: hei botti")
    fill_input(page, "time", dt.time(8, 30), card_text="Kaiku: hei botti")
    expect(card.locator('input[aria-label="Neuvola"]')).to_be_checked()
    expect(card.locator('input[aria-label="Koulukuraattori"]')).not_to_be_checked()
    screenshot(page, "harness-card-filled")

    click_action(page, "Lähetä", card_text="Kaiku: hei botti")

    updated = wait_for_card_text(page, "Kiitos, Maija!")
    for fact in ("neuvola,perhetyo", "etana", "2026-12-04", "08:30"):
        expect(updated).to_contain_text(fact)
    # The invoke response's card replaced the question card in place.
    expect(cards(page, "Kaiku: hei botti")).to_have_count(0)
    screenshot(page, "harness-card-updated")

    invoke = _last(echo_stack, "invoke", name="adaptiveCard/action")
    action = invoke["value"]["action"]
    assert action["type"] == "Action.Execute"
    assert action["verb"] == "echo"
    assert action["data"] == {
        "kind": "echo",
        "name": "Maija",
        "agree": "true",
        "experts": "neuvola,perhetyo",
        "place": "etana",
        "venue": "remote",
        "languages": "fi,sv",
        "date": "2026-12-04",
        "time": "08:30",
    }
    current = load_tenant(echo_stack.config.tenant_file).current_user
    assert invoke["from"]["aadObjectId"] == current.id
    assert invoke["from"]["id"] == f"29:{current.id}"
    assert invoke["conversation"]["conversationType"] == "personal"
    assert invoke["localTimezone"] == "Europe/Helsinki"


def test_update_activity_and_proactive_message_in_personal_chat(echo_page: Page) -> None:
    page = echo_page
    send_message(page, "päivitä")
    wait_for_card_text(page, "Kiitos, päivitetty!")
    expect(messages(page, "Tämä viesti päivitetään hetken päästä")).to_have_count(0)

    send_message(page, "proaktiivinen")
    wait_for_text(page, "Proaktiivinen viesti")


def test_group_chat_needs_a_mention_and_takes_proactive_messages(echo_page: Page, echo_stack: Stack) -> None:
    page = echo_page
    open_chat(page, GROUP_CHAT)
    send_message(page, "ryhmässä", mention=BOT_NAME)
    wait_for_card_text(page, "Kaiku: ryhmässä")
    message = _last(echo_stack, "message", text="ryhmässä")
    assert message["conversation"]["conversationType"] == "groupChat"
    assert message["conversation"].get("isGroup") is True
    assert any(entity.get("type") == "mention" for entity in message.get("entities", []))

    send_message(page, "proaktiivinen", mention=BOT_NAME)
    wait_for_text(page, "Proaktiivinen viesti")
    screenshot(page, "harness-group-chat")
