"""Every card of the journey in the Agents Playground, checked as a phone user and a screen-reader user meet it.

For each card: axe-core finds no WCAG 2.1 A/AA violation inside the card; laid out 320 px wide (the card
element itself, as the Playground's chat column stops narrowing at about 414 px), nothing scrolls sideways or
sticks out, no word is broken across lines (three columns once broke "Ammattilai-set") and no text is under
12 px. Only the card element is checked, so the Playground's own chrome does not count. One rule is disabled on
one card: "aria-valid-attr-value" on the convening form, whose Action.ToggleVisibility buttons get
aria-controls="networkBox" from the Playground's Adaptive Cards renderer while the hidden container it
controls is rendered without that HTML id; the card itself only names the target element, as the schema says.
"aria-allowed-attr" is disabled where a card has Action.ShowCard (the booked card's translations): the
renderer puts aria-expanded on the <div> inside the button, markup the card cannot influence.
"""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.playground import (
    PHONE_WIDTH,
    axe_violations,
    choose,
    click_action,
    fill_input,
    last_card,
    phone_problems,
    phone_screenshot,
    phone_width,
    send_message,
    toggle,
    wait_for_card_text,
)
from tests.e2e.test_meeting_e2e import FORM


def _check_card(page: Page, name: str, card_text: str, *, disabled_rules: tuple[str, ...] = ()) -> None:
    """axe on the card, then the card laid out 320 px wide: a screenshot, and nothing a phone user could not read."""
    # A button under the pointer or with focus shows its hover/focus colours (with a CSS transition), not the
    # colours a reader sees at rest: move away, drop the focus and let the transition end.
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement instanceof HTMLElement && document.activeElement.blur()")
    page.wait_for_timeout(400)
    card = last_card(page, card_text)
    violations = axe_violations(page, card, disabled_rules=disabled_rules)
    assert violations == [], f"{name}: {violations}"
    phone_screenshot(page, f"everywhere-{name}", card_text)  # kept also when the checks below fail
    with phone_width(page, card_text) as narrow:
        width = narrow.evaluate("e => e.getBoundingClientRect().width")
        assert width <= PHONE_WIDTH, f"{name}: laid out {width} px wide"
        problems = phone_problems(narrow)
        assert problems == [], f"{name} at {PHONE_WIDTH} px: {problems}"


def test_journey_cards_pass_axe_and_fit_a_phone(playground_page: Page) -> None:
    page = playground_page
    send_message(page, "ohje")
    wait_for_card_text(page, "Komennot")
    _check_card(page, "welcome", "Komennot")
    send_message(page, "kieli")
    wait_for_card_text(page, "Vaihda kieli kirjoittamalla")
    _check_card(page, "language", "Vaihda kieli kirjoittamalla")
    send_message(page, "uusi")
    wait_for_card_text(page, FORM)
    _check_card(page, "convening-form", FORM, disabled_rules=("aria-valid-attr-value",))  # see above
    fill_input(page, "familyRef", "Perhe Saavutettava", card_text=FORM)
    toggle(page, "consent", True, card_text=FORM)
    choose(page, "roles", "Äitiys- ja lastenneuvola", "Koulukuraattori", card_text=FORM)
    click_action(page, "Etsi aikoja", card_text=FORM)
    wait_for_card_text(page, "Ehdotetut ajat")
    _check_card(page, "proposals", "Ehdotetut ajat")
    click_action(page, "Varaa tämä aika", card_text="Ehdotetut ajat")
    wait_for_card_text(page, "Kutsu lähetetty")
    _check_card(page, "booked", "Kutsu lähetetty", disabled_rules=("aria-allowed-attr",))  # see above
    click_action(page, "Aloita Yhdessä aika", card_text="Kutsu lähetetty")
    wait_for_card_text(page, "Yhdessä ajan rakenne")
    _check_card(page, "meeting-steps", "Yhdessä ajan rakenne")
    click_action(page, "Hyvinvoinnin tähti", card_text="Yhdessä ajan rakenne")
    wait_for_card_text(page, "Voimavarat")
    _check_card(page, "star", "Voimavarat")
    star = last_card(page, "Voimavarat")
    labels = star.locator("input, textarea").evaluate_all(
        "els => els.map(e => (e.labels && e.labels[0] ? e.labels[0].innerText : e.getAttribute('aria-label'))"
        " || '')")
    assert len(labels) > 6 and len(set(labels)) == len(labels), "every star input has its own accessible name"
    click_action(page, "Takaisin rakenteeseen", card_text="Voimavarat")
    wait_for_card_text(page, "Yhdessä ajan rakenne")
    click_action(page, "Yhteinen suunnitelma", card_text="Yhdessä ajan rakenne")
    wait_for_card_text(page, "Konkreettiset asiat")
    _check_card(page, "plan", "Konkreettiset asiat")
    click_action(page, "Palaute", card_text="Konkreettiset asiat")
    wait_for_card_text(page, "Miten tapaaminen onnistui?")
    _check_card(page, "feedback", "Miten tapaaminen onnistui?")
    send_message(page, "tilanne")
    wait_for_card_text(page, "Omat kutsusi")
    _check_card(page, "status", "Omat kutsusi")
    send_message(page, "tilastot")
    wait_for_card_text(page, "Kutsuttu koolle")
    _check_card(page, "statistics", "Kutsuttu koolle")
