"""In the Agents Playground: a coordinator's statistics card, and choosing the bot's language.

The Playground's user is Liisa Lähinen, a coordinator in config/teams.yaml, so ``tilastot`` shows her
the statistics card. The language choice is kept per user in the session-wide stack's state: the
language test switches back to Finnish in a ``finally`` so that later tests see Finnish cards.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from tests.e2e.playground import Stack, cards, choose, screenshot, send_message

TIMEOUT_MS = 40_000  # a CI run may share the CPU

TEAM = "Esimerkkilän perhekeskustiimi"
STATISTICS = "Kutsuttu koolle"  # a figure's label: only the Finnish statistics card has it
#: Texts of the notices a failed action answers with (fi): none may follow "Näytä".
ERRORS = ("Pahoittelut", "Kortin tiedot olivat puutteelliset", "Tätä toimintoa ei tunnistettu",
          "vain tiimien koordinaattoreille")


def _chart_loads(page: Page, card: Locator) -> None:
    chart = card.locator('img[alt^="Pylväskaavio"]')
    chart.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle(),
                           timeout=TIMEOUT_MS)


def _download_url(card: Locator) -> str:
    """The CSV button's URL: the Playground renders an Action.OpenUrl with aria-label = title, title = URL."""
    button = card.locator('button[aria-label="Lataa CSV"]')
    button.wait_for(state="visible")
    url = button.get_attribute("title") or ""
    assert url.startswith("http") and url.endswith(".csv"), url
    return url


def _answer(page: Page, message: str, containing: str) -> Locator:
    """Sends ``message`` and waits for a new card containing ``containing`` (the chat keeps earlier ones)."""
    before = cards(page, containing).count()
    send_message(page, message)
    expect(cards(page, containing)).to_have_count(before + 1, timeout=TIMEOUT_MS)
    return cards(page, containing).nth(before)


def test_statistics_card_in_the_playground(playground_page: Page, playground_stack: Stack) -> None:
    page = playground_page
    card = _answer(page, "tilastot", STATISTICS)
    this_year = playground_stack.now().astimezone(ZoneInfo("Europe/Helsinki")).year
    for shown in ("Tilastot", f"{TEAM}, {this_year}", "Pidetty", "Tapaamispaikat", "Palaute (keskiarvo 1–5)"):
        assert shown in card.inner_text(), shown
    _chart_loads(page, card)
    csv_url = _download_url(card)
    csv = page.context.request.get(csv_url)
    assert csv.ok, csv.status
    assert "text/csv" in csv.headers.get("content-type", "")
    assert csv.text().strip(), "the CSV has at least its header row"
    screenshot(page, "county-statistics")

    last_year = str(this_year - 1)
    choose(page, "year", last_year, card_text=STATISTICS)
    choose(page, "team", TEAM, card_text=STATISTICS)
    with page.expect_response(lambda r: "/_conversation/v1/invoke" in r.url, timeout=TIMEOUT_MS) as answer:
        card.locator('button[title="Näytä"]').click()
    assert answer.value.ok, answer.value.status
    # Re-rendered in place: the same card now shows last year, still as statistics, with no error notice.
    expect(card).to_contain_text(f"{TEAM}, {last_year}", timeout=TIMEOUT_MS)
    text = card.inner_text()
    assert STATISTICS in text
    assert not [error for error in ERRORS if error in text], text
    assert not [error for error in ERRORS if error in page.locator(".ac-preview-panel").last.inner_text()]
    _chart_loads(page, card)
    assert _download_url(card).endswith(".csv")
    screenshot(page, "county-statistics-rerendered")


def test_language_choice_in_the_playground(playground_page: Page) -> None:
    page = playground_page
    try:
        _answer(page, "kieli sv", "Språket är nu svenska.")
        help_card = _answer(page, "hjälp", "Kommandon")
        shown = help_card.inner_text()
        for swedish in ("Tillsammans-tid", "den här hjälpen", "byt språk"):
            assert swedish in shown, swedish
        # The commands as a Swedish speaker types them, not the Finnish words.
        assert {"ny", "hjälp", "språk"} <= set(shown.split()) and "uusi" not in shown.split()
        assert help_card.locator('button[title="Sammankalla"]').is_visible()
        screenshot(page, "county-language-sv-help")
    finally:
        _answer(page, "kieli fi", "Kieli on nyt suomi.")
    help_card = _answer(page, "ohje", "Komennot")
    assert "tämä ohje" in help_card.inner_text()
    assert help_card.locator('button[title="Kutsu koolle"]').is_visible()
    screenshot(page, "county-language-fi-help")
