"""Across organisations in the Playground: the near worker convenes a county nurse, a parish family worker and
an NGO worker with no calendar, asks the NGO worker by e-mail (answered on the bot's page in Chromium, also at
phone width), books, and sees the other employers' answers arrive on the status card."""

from __future__ import annotations

import json
import re
import ssl
import urllib.parse
import urllib.request

from playwright.sync_api import Browser, Page

from tests.e2e.playground import (
    Stack,
    choose,
    click_action,
    fill_input,
    sandbox_request,
    screenshot,
    send_message,
    toggle,
    wait_for_card_text,
)

FORM = "Täytä yhdessä perheen kanssa"
LIISA = "liisa.lahinen@esimerkkila.onmicrosoft.com"
SATU = "satu.salminen@esimerkkilanhva.onmicrosoft.com"
PAULA = "paula.pesonen@esimerkkilanseurakunta.onmicrosoft.com"
PARISH = "c3a9e1d4-6f28-4b7e-8a15-9e0d7b2c5f84"
EEVA = "eeva.ensio@ensikoti.example"


def _parish_token(stack: Stack) -> str:
    """The parish tenant's app-only token from the sandbox's Entra stand-in (our app is consented there)."""
    env = stack.services[0].env
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": env["YA_GRAPH_CLIENT_ID"],
                                   "client_secret": env["YA_GRAPH_CLIENT_SECRET"],
                                   "scope": "https://graph.microsoft.com/.default"}).encode()
    request = urllib.request.Request(f"{env['YA_GRAPH_AUTHORITY']}/{PARISH}/oauth2/v2.0/token", data=form)
    context = ssl.create_default_context(cafile=env["YA_GRAPH_CA_FILE"])
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return str(json.loads(response.read())["access_token"])


def _question_link(stack: Stack) -> str:
    mail = sandbox_request(stack, "GET", "/_admin/outside-mail")
    questions = [m for m in mail if EEVA in m["to"] and "/saatavuus/" in m["body"]]
    assert questions, mail
    link = re.search(r"https?://[^\s\"'<>]+/saatavuus/[A-Za-z0-9_\-]+", questions[-1]["body"])
    assert link is not None
    return link.group(0)


def test_a_network_of_three_employers_and_no_calendar_is_convened_from_the_playground(
        playground_page: Page, playground_stack: Stack, browser: Browser) -> None:
    page = playground_page
    send_message(page, "uusi")
    wait_for_card_text(page, FORM)
    fill_input(page, "familyRef", "Perhe Verkosto", card_text=FORM)
    toggle(page, "consent", True, card_text=FORM)
    choose(page, "existingClient", "Kyllä – kutsutaan perheen nykyinen verkosto", card_text=FORM)
    click_action(page, "Jo asiakas: lisää verkosto", card_text=FORM)  # shows the field
    fill_input(page, "network", f"{SATU}, {PAULA}, Eeva Ensio <{EEVA}>", card_text=FORM)
    choose(page, "venue", "Tila + Teams", card_text=FORM)
    click_action(page, "Etsi aikoja", card_text=FORM)
    wait_for_card_text(page, "Ehdotetut ajat")
    wait_for_card_text(page, "Kalenteri ei näy: Eeva Ensio")
    screenshot(page, "organisations-proposals")

    click_action(page, "Kysy sopivia aikoja sähköpostilla", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Kysytty sähköpostilla")
    link = _question_link(playground_stack)

    question = browser.new_page(viewport={"width": 320, "height": 720})  # the NGO worker's phone
    try:
        question.goto(link)
        assert "Perhe Verkosto" not in question.content(), "no family data on the page"
        question.get_by_role("checkbox").first.check()
        screenshot(question, "organisations-question-page-320")
        question.get_by_role("button").first.click()
        question.wait_for_load_state()
        screenshot(question, "organisations-question-answered-320")
        replay = question.goto(link)
        assert replay is not None and replay.status == 410, "the link works once"
    finally:
        question.close()
    wait_for_card_text(page, "sopii", timeout=15_000)
    screenshot(page, "organisations-proposals-answered")

    click_action(page, "Varaa tämä aika", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Kutsu lähetetty")
    events = sandbox_request(playground_stack, "GET", f"/v1.0/users/{LIISA}/events?$top=200")["value"]
    event = [e for e in events if str(e.get("transactionId") or "").startswith("yhdessa-aika-")][-1]
    assert {SATU, PAULA, EEVA} <= {a["emailAddress"]["address"].lower() for a in event["attendees"]}

    # The parish worker declines in her own tenant; the NGO worker accepts by e-mail.
    token = _parish_token(playground_stack)
    copies = sandbox_request(playground_stack, "GET", f"/v1.0/users/{PAULA}/events?$top=100", token=token)["value"]
    copy = next(e for e in copies if e.get("iCalUId") == event["iCalUId"])
    sandbox_request(playground_stack, "POST", f"/v1.0/users/{PAULA}/events/{copy['id']}/decline",
             {"comment": "Olen lomalla", "sendResponse": True}, token=token)
    sandbox_request(playground_stack, "POST", "/_admin/outside/respond",
             {"iCalUId": event["iCalUId"], "email": EEVA, "response": "accepted"})
    wait_for_card_text(page, "Paula Pesonen: ei pääse", timeout=20_000)
    wait_for_card_text(page, "Eeva Ensio: hyväksyi", timeout=20_000)
    wait_for_card_text(page, "Viesti: Olen lomalla", timeout=20_000)
    screenshot(page, "organisations-status-answers")
