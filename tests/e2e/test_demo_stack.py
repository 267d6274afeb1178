"""``make demo``'s three services run together: the Playground reaches the real bot, which reaches the sandbox."""

from __future__ import annotations

import http.client
import json

from playwright.sync_api import Page

from tests.e2e.playground import Stack, cards, screenshot, send_message


def test_uusi_gets_a_card_from_the_real_bot(playground_page: Page, playground_stack: Stack) -> None:
    send_message(playground_page, "uusi")
    cards(playground_page).first.wait_for(state="visible")
    screenshot(playground_page, "demo-stack-uusi")
    playground_stack.assert_running()


def test_sandbox_answers_for_the_playground_user(playground_stack: Stack) -> None:
    config = playground_stack.config
    connection = http.client.HTTPConnection(config.host, config.sandbox_port, timeout=10)
    try:
        connection.request("GET", "/v1.0/users?$select=id,displayName")
        body = json.loads(connection.getresponse().read())
    finally:
        connection.close()
    assert any(user.get("displayName") == "Liisa Lähinen" for user in body["value"])
