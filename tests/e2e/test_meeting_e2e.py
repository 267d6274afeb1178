"""The meeting in the Agents Playground: the star card, the plan card and feedback, clicked as a person would."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from scripts.demo import current_user_id
from tests.e2e.playground import (
    Stack,
    cards,
    choose,
    click_action,
    fill_input,
    phone_screenshot,
    sandbox_request,
    screenshot,
    send_message,
    toggle,
    wait_for_card_text,
)

FORM = "Täytä yhdessä perheen kanssa"
TIMEOUT_MS = 40_000  # a CI run may share the CPU
FEEDBACK = "Miten tapaaminen onnistui?"
STATISTICS = "Kutsuttu koolle"  # a figure's label: only the Finnish statistics card has it
FEW_ANSWERS = "ei näytetä – alle 3 vastausta (yksityisyyden suoja)"
HANNA = "hanna.heikkinen@esimerkkila.onmicrosoft.com"
GRAPH_PATH = "/v1.0"


def convene_and_book(page: Page, family_ref: str) -> None:
    """Types 'uusi', fills the form, books the first proposed time."""
    send_message(page, "uusi")
    wait_for_card_text(page, FORM)
    fill_input(page, "familyRef", family_ref, card_text=FORM)
    toggle(page, "consent", True, card_text=FORM)
    choose(page, "roles", "Äitiys- ja lastenneuvola", "Koulukuraattori", card_text=FORM)
    click_action(page, "Etsi aikoja", card_text=FORM)
    wait_for_card_text(page, "Ehdotetut ajat")
    click_action(page, "Varaa tämä aika", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Kutsu lähetetty")


def test_star_and_plan_cards_in_the_playground(playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    convene_and_book(page, "Perhe Tähti")
    booked = _last_card_with(page, "Kutsu lähetetty")
    expect(booked).to_contain_text(": odottaa vastausta", timeout=TIMEOUT_MS)
    assert "…" not in booked.inner_text(), "no answer yet reads in words, not as text cut short"
    screenshot(page, "booked-waiting-for-answers")
    click_action(page, "Aloita Yhdessä aika", card_text="Kutsu lähetetty")
    wait_for_card_text(page, "Yhdessä ajan rakenne")
    # The structure came below: the booked card with the family's invitation text is still there, as it was.
    expect(cards(page, "Kutsu perheelle")).to_have_count(1)
    expect(page.get_by_text("Avattu uutena korttina alle.").first).to_be_visible(timeout=TIMEOUT_MS)
    click_action(page, "Tehty", card_text="Yhdessä ajan rakenne")
    steps = _last_card_with(page, "1/9 vaihetta tehty")
    expect(steps.locator('button[title="Poista merkintä"]')).to_have_count(1)
    expect(steps.locator('button[title="Peru"]')).to_have_count(0)
    screenshot(page, "meeting-step-marked-done")
    click_action(page, "Hyvinvoinnin tähti", card_text="Yhdessä ajan rakenne")
    wait_for_card_text(page, "Voimavarat")
    fill_input(page, "s_0", "Piirtää mielellään", card_text="Voimavarat")
    fill_input(page, "f_0", "2", card_text="Voimavarat")
    fill_input(page, "p_0", "3", card_text="Voimavarat")
    click_action(page, "Tallenna", card_text="Voimavarat")
    wait_for_card_text(page, "Tallennettu")
    page.locator(".ac-preview-panel img").last.wait_for(state="visible")
    page.locator(".ac-preview-panel img").last.scroll_into_view_if_needed()
    assert page.evaluate("Array.from(document.querySelectorAll('.ac-preview-panel img'))"
                         ".some(i => i.complete && i.naturalWidth > 300)"), "the star picture loads from the bot"
    screenshot(page, "meeting-star-card")

    click_action(page, "Takaisin rakenteeseen", card_text="Voimavarat")
    wait_for_card_text(page, "Yhdessä ajan rakenne")
    click_action(page, "Yhteinen suunnitelma", card_text="Yhdessä ajan rakenne")
    wait_for_card_text(page, "Konkreettiset asiat")
    plan = "Konkreettiset asiat"
    fill_input(page, "things", "Aamut ovat riitaisia.", card_text=plan)
    fill_input(page, "home", "Iltarutiini kuvina.", card_text=plan)
    fill_input(page, "reachFamily", "Hanna soittaa äidille.", card_text=plan)
    fill_input(page, "reachWorker", "Äiti soittaa neuvolaan.", card_text=plan)
    choose(page, "responsible", "Hanna Heikkinen – Äitiys- ja lastenneuvola", card_text=plan)
    next_date = playground_stack.date_after_last_meeting(current_user_id(playground_stack.config), days=14)
    fill_input(page, "nextDate", next_date, card_text=plan)
    fill_input(page, "nextTime", dt.time(9, 30), card_text=plan)
    screenshot(page, "meeting-plan-card")
    # Days before the meeting: refused, saying from when; nothing shared.
    click_action(page, "Valmis – tallenna ja jaa", card_text=plan)
    refused = _last_card_with(page, "Tapaamista ei voi vielä viimeistellä")
    start = playground_stack.last_meeting_start(current_user_id(playground_stack.config))
    local = start.astimezone(ZoneInfo("Europe/Helsinki"))
    when = f"{local.day}.{local.month}.{local.year} klo {local.hour}.{local.minute:02d}"
    expect(refused).to_contain_text(f"{when} alkaen")
    refused.get_by_text("Tapaamista ei voi vielä viimeistellä").scroll_into_view_if_needed()
    screenshot(page, "meeting-finalize-too-early")
    playground_stack.move_clock(start)  # the meeting begins (the bot restarts at that moment)
    try:
        # The bot's notices at the start arrive (the meeting was started early, so its reserved time reads as
        # used up); the Playground then redraws the chat from the messages, without the cards' in-place
        # updates, so the plan is opened again from the notice (prefilled from what was saved).
        _last_card_with(page, "Yhdessä aika alkaa pian")
        _last_card_with(page, "Varattu aika on käytetty")
        click_action(page, "Yhteinen suunnitelma", card_text="Varattu aika on käytetty")
        expect(_last_card_with(page, plan).locator("textarea").first).to_have_value("Aamut ovat riitaisia.")
        # Hanna has an appointment over the next contact typed above: the plan card comes back with her free
        # times near it as buttons, and one click finalizes with the one chosen.
        sandbox_request(playground_stack, "POST", f"{GRAPH_PATH}/users/{HANNA}/events", {
            "subject": "Neuvolan vastaanotto", "showAs": "busy",
            "start": {"dateTime": f"{next_date}T09:00:00", "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": f"{next_date}T10:00:00", "timeZone": "Europe/Helsinki"}})
        click_action(page, "Valmis – tallenna ja jaa", card_text=plan)
        taken = _last_card_with(page, "Vapaita aikoja lähellä")
        expect(taken).to_contain_text("Hanna Heikkinen: kalenterissa on jo menoa")
        phone_screenshot(page, "meeting-next-contact-taken-320", "Vapaita aikoja lähellä")
        taken.locator("button").filter(has_text=re.compile(r"^\S+ \d{1,2}\.\d{1,2}\.\d{4} klo ")).first.click()
        asked = _last_card_with(page, "Viimeistelläänkö, vaikka vaiheita puuttuu?")
        expect(asked).to_contain_text("8/9 vaihetta on merkitsemättä tehdyksi:")
        screenshot(page, "meeting-finalize-confirm")
        click_action(page, "Viimeistele silti", card_text="Viimeistelläänkö")
        wait_for_card_text(page, "Suunnitelma valmis")
        screenshot(page, "meeting-finalized")
    finally:
        playground_stack.move_clock(None)  # the session's other tests run on the real time again


def test_feedback_shows_no_score_and_statistics_say_what_is_withheld(playground_page: Page) -> None:
    """One answer before the family: the card shows only that it was saved; the statistics say why no mean."""
    page = playground_page
    convene_and_book(page, "Perhe Palaute")
    click_action(page, "Aloita Yhdessä aika", card_text="Kutsu lähetetty")
    steps = wait_for_card_text(page, "Yhdessä ajan rakenne")
    found = re.search(r"\b\d{1,2}\.\d{1,2}\.(\d{4})\b", steps.inner_text())
    assert found, steps.inner_text()
    meeting_year = found.group(1)  # feedback counts in the meeting's year
    click_action(page, "Palaute", card_text="Yhdessä ajan rakenne")
    card = wait_for_card_text(page, FEEDBACK)
    assert "Kommentti" not in card.inner_text(), "no comment is asked: it would not be kept"
    choose(page, "q_family_heard", "4", card_text=FEEDBACK)
    choose(page, "q_family_useful", "5 – täysin", card_text=FEEDBACK)
    click_action(page, "Tallenna palaute", card_text=FEEDBACK)
    card = _last_card_with(page, "Kiitos! Palaute tallennettu")
    shown = card.inner_text()
    assert "Vastauksia tähän mennessä: 1" in shown, shown
    assert not re.search(r"keskiarvo \d|\d,\d|vast\.\)", shown), "the family's answer is not shown back"
    phone_screenshot(page, "meeting-feedback-after-answer-320", "Kiitos! Palaute tallennettu")

    before = cards(page, STATISTICS).count()
    send_message(page, "tilastot")
    expect(cards(page, STATISTICS)).to_have_count(before + 1, timeout=TIMEOUT_MS)
    statistics = cards(page, STATISTICS).nth(before)
    choose(page, "year", meeting_year, card_text=STATISTICS)
    statistics.locator('button[title="Näytä"]').click()
    expect(statistics).to_contain_text(FEW_ANSWERS, timeout=TIMEOUT_MS)
    lines = [line.strip() for line in statistics.inner_text().splitlines()]
    assert not [line for line in lines if line in ("alle 3", "<3")], "nothing reads as a small figure"
    url = statistics.locator('button[aria-label="Lataa CSV"]').get_attribute("title") or ""
    download = page.context.request.get(url)
    assert download.ok, download.status
    rows = list(csv.DictReader(io.StringIO(download.text())))
    assert FEW_ANSWERS in {row["feedback_family_heard"] for row in rows}, "the CSV says the same as the card"
    assert not [c for row in rows for c in row.values() if c.startswith("<")]
    phone_screenshot(page, "statistics-withheld-320", FEW_ANSWERS)


def _last_card_with(page: Page, text: str) -> Locator:
    """The last card containing ``text``, once it does (an action's answer replaces the card in place)."""
    expect(cards(page, text).last).to_be_visible(timeout=TIMEOUT_MS)
    return cards(page, text).last
