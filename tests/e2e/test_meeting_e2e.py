"""The meeting in the Agents Playground: the star card and the plan card, clicked as a person would."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page

from scripts.demo import current_user_id
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

FORM = "Täytä yhdessä perheen kanssa"


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
    click_action(page, "Aloita Yhdessä aika", card_text="Kutsu lähetetty")
    wait_for_card_text(page, "Yhdessä ajan rakenne")
    click_action(page, "Tehty", card_text="Yhdessä ajan rakenne")
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
    click_action(page, "Valmis – tallenna ja jaa", card_text=plan)
    wait_for_card_text(page, "Suunnitelma valmis")
    screenshot(page, "meeting-finalized")
