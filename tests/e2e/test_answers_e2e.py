"""In the Playground: the status card updates in place after a team member answers (through the sandbox)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.playground import Stack, sandbox_request, screenshot, wait_for_card_text
from tests.e2e.test_meeting_e2e import convene_and_book

LIISA = "liisa.lahinen@esimerkkila.onmicrosoft.com"


def test_status_card_follows_answers_from_outlook(playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    convene_and_book(page, "Perhe Vastaus")
    events = sandbox_request(playground_stack, "GET", f"/v1.0/users/{LIISA}/events?$top=200")
    assert isinstance(events, dict)
    ours = [e for e in events["value"] if str(e.get("transactionId") or "").startswith("yhdessa-aika-")]
    transaction = ours[-1]["transactionId"]
    for user, answer in (("hanna.heikkinen@esimerkkila.onmicrosoft.com", "accept"),
                         ("mikko.miettinen@esimerkkila.onmicrosoft.com", "decline")):
        sandbox_request(playground_stack, "POST", "/_admin/respond",
                 {"user": user, "transactionId": transaction, "response": answer, "comment": ""})
    wait_for_card_text(page, "Äitiys- ja lastenneuvola: hyväksyi", timeout=15_000)
    wait_for_card_text(page, "Koulukuraattori: ei pääse", timeout=15_000)
    wait_for_card_text(page, "Kutsu toinen saman osaamisen edustaja")
    screenshot(page, "status-card-answers")
