"""Playwright helpers that drive the Microsoft 365 Agents Playground like a person would.

The Playground (npm ``@microsoft/m365agentsplayground`` 0.2.28) is a React app built from
Fluent UI v9 components; Adaptive Cards are rendered by the ``adaptivecards`` JS renderer with
Fluent inputs.  What the helpers rely on (see docs/e2e-notes.md for the full list):

* compose box: ``[data-lexical-editor="true"][role="textbox"]`` (a Lexical contenteditable);
  Enter sends.  In a group chat the bot only gets messages that @mention it: type ``@`` and
  part of its name, then pick ``#typeahead-menu [role="menuitem"]``.
* chats in the left pane: ``[role="treeitem"][aria-label="<name>"]`` ("Personal Chat", the
  group chat's name, "<team> - <channel>").
* a message: ``[aria-label="Message header"]`` (author, timestamp) followed by its body (the
  text bubble or the card); nothing else marks the message list.
* a bot card: ``.ac-preview-panel > .ac-adaptiveCard``; an action button:
  ``button[title="<action title>"]`` inside it.
* an input's ``label`` is ``label.ac-richTextBlock[for=<input DOM id>]``; DOM ids are generated
  (``__ac-<uuid>``), the card's input ids do not appear in the DOM.  So an input is found by its
  label, placeholder or aria-label, or by its card ``id`` through the card JSON the page received
  (recorded from the Playground's websocket and invoke responses), which gives its label.
* Input.Toggle and expanded multi-select choices are checkboxes whose ``aria-label`` is the
  title; expanded single-select choices are radios (title only in ``label[for]``); a compact
  ChoiceSet is a combobox whose list (``aria-controls``) holds ``role=option`` items, or
  ``role=menuitemcheckbox`` items when multi-select; Input.Time is a combobox too; Input.Date is a
  Fluent DatePicker that parses ISO ``YYYY-MM-DD`` (but reads ``4.12.2026`` as 12 April).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.client
import json
import os
import re
import urllib.request
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Locator, Page, Playwright, Response, Route, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from scripts.demo import DemoConfig, Service, start_bot

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
CHROMIUM_MISSING = (
    "Chromium not found at /usr/bin/chromium: install Debian's chromium (CI does) "
    "to run the Playground end-to-end tests"
)
ARTIFACTS_DIR = Path(os.environ.get("E2E_ARTIFACTS_DIR", str(ROOT / "test-artifacts")))
DEFAULT_TIMEOUT_MS = 20_000
VIEWPORT: ViewportSize = {"width": 1400, "height": 1000}

EDITOR = '[data-lexical-editor="true"][role="textbox"]'
SEND_BUTTON = 'button[aria-label="Send Message"]'
CARD = ".ac-preview-panel > .ac-adaptiveCard"
MESSAGE_BODY = 'xpath=//*[@aria-label="Message header"]/following-sibling::*'
MENTION_ITEM = '#typeahead-menu [role="menuitem"]'
INPUT_LABEL = "label.ac-richTextBlock"


def chromium_missing_reason() -> str | None:
    """The skip message if Debian's Chromium is not installed, else ``None``."""
    return None if CHROMIUM_PATH.is_file() and os.access(CHROMIUM_PATH, os.X_OK) else CHROMIUM_MISSING


@dataclass
class Stack:
    """Services started for a test session (see ``tests/e2e/conftest.py``)."""

    config: DemoConfig
    services: list[Service]
    activity_log: Path | None = None

    @property
    def playground_url(self) -> str:
        """The Playground page."""
        return self.service("playground").url

    def service(self, name: str) -> Service:
        """The running service called ``name`` (sandbox, bot, playground)."""
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def assert_running(self) -> None:
        """Fail with the end of its log if a service has died."""
        for service in self.services:
            code = service.returncode()
            if code is not None:
                raise AssertionError(f"{service.name} exited with {code}:\n{service.log_tail(40)}")

    def now(self) -> dt.datetime:
        """The stack's "now": the sandbox's clock, which the bot follows (never the test's wall clock)."""
        with urllib.request.urlopen(f"{self.config.sandbox_url}/_admin/clock", timeout=10) as response:
            clock = json.load(response)
        return dt.datetime.fromisoformat(str(clock["now"]).replace("Z", "+00:00"))

    def date_after_last_meeting(self, user_id: str, days: int) -> dt.date:
        """``days`` after the latest Yhdessä aika meeting in ``user_id``'s calendar (dates typed into a card
        follow the booked meeting: the first free time moves with the calendar)."""
        start = self.last_meeting_start(user_id)
        return (start.astimezone(ZoneInfo("Europe/Helsinki")) + dt.timedelta(days=days)).date()

    def last_meeting_start(self, user_id: str) -> dt.datetime:
        """The start of the latest Yhdessä aika meeting in ``user_id``'s calendar."""
        url = f"{self.config.graph_base_url}/users/{user_id}/events?$top=500"
        with urllib.request.urlopen(url, timeout=10) as response:
            events = json.load(response)["value"]
        starts = [dt.datetime.fromisoformat(e["start"]["dateTime"]).replace(tzinfo=ZoneInfo(e["start"]["timeZone"]))
                  for e in events if str(e.get("transactionId") or "").startswith("yhdessa-aika-")
                  and not str(e.get("transactionId") or "").startswith("yhdessa-aika-next-")]
        assert starts, "no Yhdessä aika meeting booked"
        return max(starts)

    def move_clock(self, moment: dt.datetime | None) -> None:
        """Runs the stack from ``moment`` on (``None``: the real time again), as ``DEMO_NOW`` would: the sandbox's
        clock through its admin API, the bot restarted on the same state with ``YA_DEV_NOW`` (its clock is fixed
        at start). The Playground and its chat stay as they are."""
        sandbox = self.service("sandbox")
        change = {"now": moment.astimezone(dt.UTC).isoformat()} if moment else {"reset": True}
        sandbox_request(self, "PUT", "/_admin/clock", change)
        old = self.service("bot")
        old.stop()
        config = dataclasses.replace(self.config, now=moment)
        bot = start_bot(config, None, sandbox.env)
        self.services[self.services.index(old)] = bot

    def restart_bot(self, env: Mapping[str, str]) -> None:
        """The bot restarted on the same state and clock with exactly ``env`` as its extra settings (e.g.
        ``{"YA_CARD_ACTIONS": "submit"}``; ``{}`` gives back the usual bot). The Playground's chat stays."""
        sandbox = self.service("sandbox")
        old = self.service("bot")
        old.stop()
        self.config = dataclasses.replace(self.config, bot_env=dict(env))
        self.services[self.services.index(old)] = start_bot(self.config, None, sandbox.env)

    def activities(self) -> list[dict[str, Any]]:
        """Activities the echo bot received (its ``ECHO_BOT_ACTIVITY_LOG``), oldest first."""
        if self.activity_log is None or not self.activity_log.exists():
            return []
        lines = self.activity_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


# --- browser and page -------------------------------------------------------------------------


def launch_chromium(playwright: Playwright) -> Browser:
    """Launch Debian's Chromium headless with the flags CI uses (never downloads a browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM_PATH), args=list(CHROMIUM_ARGS), headless=True)


def sandbox_request(stack: Stack, method: str, path: str, body: dict[str, Any] | None = None,
                    token: str | None = None) -> Any:
    """A JSON request to the stack's sandbox (Graph or its admin routes), as a test's own look; the answer."""
    config = stack.config
    connection = http.client.HTTPConnection(config.host, config.sandbox_port, timeout=10)
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        text = response.read()
        assert response.status < 300, (response.status, text)
        return json.loads(text) if text else None
    finally:
        connection.close()


@dataclass
class _Traffic:
    """What the Playground's backend sent to one page, in arrival order (parsed lazily)."""

    items: list[str | Response] = field(default_factory=list)


_TRAFFIC: weakref.WeakKeyDictionary[Page, _Traffic] = weakref.WeakKeyDictionary()


def _only_local(route: Route) -> None:
    url = route.request.url
    if url.startswith(("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "ws://localhost")):
        route.continue_()
    else:  # web fonts from the Office CDN etc.: fail fast instead of waiting for DNS
        route.abort()


def _record_traffic(page: Page) -> None:
    traffic = _Traffic()
    _TRAFFIC[page] = traffic

    def on_frame(payload: str | bytes) -> None:
        traffic.items.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    def on_websocket(websocket: Any) -> None:
        if "_ws_conversation" in websocket.url:
            websocket.on("framereceived", on_frame)

    def on_response(response: Response) -> None:
        if "/_conversation/v1/invoke" in response.url:
            traffic.items.append(response)

    page.on("websocket", on_websocket)
    page.on("response", on_response)


def open_playground(
    browser: Browser,
    url: str,
    *,
    locale: str = "fi-FI",
    timezone_id: str = "Europe/Helsinki",
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> Page:
    """Open the Playground in a new browser context and wait until the compose box is ready.

    Requests to anything but the local Playground are aborted (it asks a CDN for fonts).
    Close the page's context when done: ``page.context.close()``.
    """
    context = browser.new_context(viewport=VIEWPORT, locale=locale, timezone_id=timezone_id)
    context.set_default_timeout(timeout_ms)
    page = context.new_page()
    page.route("**/*", _only_local)
    _record_traffic(page)
    page.goto(url)
    page.locator(EDITOR).wait_for(state="visible")
    return page


def open_chat(page: Page, name: str) -> None:
    """Switch to a chat in the left pane: "Personal Chat", the group chat's name, "<team> - <channel>"."""
    page.locator(f'[role="treeitem"][aria-label={_css_string(name)}]').click()
    page.locator(EDITOR).wait_for(state="visible")


# --- messages ---------------------------------------------------------------------------------


def send_message(page: Page, text: str, *, mention: str | None = None) -> None:
    """Type ``text`` in the compose box and send it.

    ``mention`` (the bot's name) @mentions the bot first, which a group chat or channel needs
    for the bot to receive the message at all.
    """
    editor = page.locator(EDITOR)
    editor.click()
    if mention:
        page.keyboard.type("@" + mention[: max(3, len(mention) // 2)])
        page.locator(MENTION_ITEM, has_text=mention).first.click()
        page.keyboard.type(" ")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def messages(page: Page, containing: str | None = None) -> Locator:
    """The bodies (text bubbles and cards) of the open conversation's messages, oldest first.

    Only the conversation: the log panel and the chat list's previews repeat message texts.
    """
    found = page.locator(MESSAGE_BODY)
    return found.filter(has_text=containing) if containing else found


def wait_for_text(page: Page, text: str, timeout: float = DEFAULT_TIMEOUT_MS) -> Locator:
    """Wait until a message of the open conversation contains ``text``; return the last such message."""
    match = messages(page, text).last
    match.wait_for(state="visible", timeout=timeout)
    return match


def cards(page: Page, containing: str | None = None) -> Locator:
    """All top-level Adaptive Cards on the page, optionally only those containing ``containing``."""
    found = page.locator(CARD)
    return found.filter(has_text=containing) if containing else found


def last_card(page: Page, containing: str | None = None) -> Locator:
    """The last card (optionally the last one containing ``containing``)."""
    return cards(page, containing).last


def wait_for_card_text(page: Page, text: str, timeout: float = DEFAULT_TIMEOUT_MS) -> Locator:
    """Wait until a card contains ``text``; return the last such card."""
    card = last_card(page, text)
    card.wait_for(state="visible", timeout=timeout)
    return card


def _card(page: Page, card_text: str | None) -> Locator:
    card = last_card(page, card_text)
    card.wait_for(state="visible")
    return card


# --- card inputs ------------------------------------------------------------------------------


def _css_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def _label_pattern(text: str) -> re.Pattern[str]:
    # Required inputs get a trailing "*" in their label.
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def recorded_cards(page: Page) -> list[dict[str, Any]]:
    """Adaptive Card JSON the page received (new and updated messages, invoke answers), oldest first."""
    found: list[dict[str, Any]] = []
    for item in _TRAFFIC.get(page, _Traffic()).items:
        try:
            data: Any = json.loads(item) if isinstance(item, str) else item.json()
        except Exception:
            continue
        found.extend(_cards_in(data))
    return found


def _cards_in(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if data.get("type") == "AdaptiveCard":
            yield data
            return
        for value in data.values():
            yield from _cards_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from _cards_in(value)


def _elements(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _elements(value)
    elif isinstance(data, list):
        for value in data:
            yield from _elements(value)


def card_input_definition(page: Page, input_id: str) -> dict[str, Any] | None:
    """The JSON of the newest received card input whose ``id`` is ``input_id``."""
    for card in reversed(recorded_cards(page)):
        for element in _elements(card):
            if element.get("id") == input_id and str(element.get("type", "")).startswith("Input."):
                return element
    return None


def find_input(page: Page, label_or_id: str, *, card_text: str | None = None) -> Locator:
    """The DOM element of a card input, found by label, placeholder, aria-label or card input id.

    For a ChoiceSet this is the combobox (compact) or the group ``div`` holding its checkboxes
    or radios (expanded).  The card is the last one containing ``card_text`` (or the last card).
    """
    card = _card(page, card_text)
    located = _locate_input(card, label_or_id)
    if located is not None:
        return located
    definition = card_input_definition(page, label_or_id)
    if definition is not None:
        for key in ("label", "placeholder", "title"):
            hint = definition.get(key)
            if isinstance(hint, str) and hint:
                located = _locate_input(card, hint)
                if located is not None:
                    return located
        raise LookupError(
            f"card input {label_or_id!r} has no label, placeholder or title to find it by: give it a label"
        )
    labels = [text.strip() for text in card.locator(INPUT_LABEL).all_inner_texts()]
    raise LookupError(f"no input {label_or_id!r} in the card; its labels are {labels}")


def _locate_input(card: Locator, key: str) -> Locator | None:
    labels = card.locator(INPUT_LABEL).filter(has_text=_label_pattern(key))
    if labels.count():
        target = labels.first.get_attribute("for")
        if target:
            return card.locator(f"[id={_css_string(target)}]")
    by_placeholder = card.get_by_placeholder(key, exact=True)
    if by_placeholder.count():
        return by_placeholder.first
    by_aria = card.locator(f"input[aria-label={_css_string(key)}], textarea[aria-label={_css_string(key)}]")
    if by_aria.count():
        return by_aria.first
    return None


def fill_input(page: Page, label_or_id: str, value: str | dt.date | dt.time, *, card_text: str | None = None) -> None:
    """Fill a text, number, date or time input of a card.

    Dates are typed as ISO ``YYYY-MM-DD`` (the Playground's DatePicker reads ``4.12.2026`` as
    12 April) and times as ``HH:MM``; ``datetime.date``/``datetime.time`` values are converted.
    """
    if isinstance(value, dt.time):
        text = value.strftime("%H:%M")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = value
    element = find_input(page, label_or_id, card_text=card_text)
    element.fill(text)
    if element.get_attribute("role") == "combobox":  # Input.Date / Input.Time pickers
        element.press("Enter")
        page.keyboard.press("Escape")


def toggle(page: Page, label_or_id: str, on: bool = True, *, card_text: str | None = None) -> None:
    """Set an ``Input.Toggle`` (found by label, title or card input id) on or off."""
    element = find_input(page, label_or_id, card_text=card_text)
    if element.get_attribute("type") != "checkbox":
        element = element.locator('input[type="checkbox"]').first
    element.set_checked(on)


def choose(page: Page, label_or_id: str, *titles: str, card_text: str | None = None) -> None:
    """Pick choices of an ``Input.ChoiceSet`` by their titles.

    A multi-select ChoiceSet ends up with exactly ``titles`` selected; a single-select one with
    ``titles[0]``.  Works for expanded (checkboxes, radios) and compact (combobox) styles.
    """
    if not titles:
        raise ValueError("choose() needs at least one choice title")
    element = find_input(page, label_or_id, card_text=card_text)
    if element.get_attribute("role") == "combobox":
        _choose_compact(page, element, label_or_id, titles)
    else:
        _choose_expanded(element, label_or_id, titles)


def _choose_compact(page: Page, combobox: Locator, label_or_id: str, titles: Sequence[str]) -> None:
    if combobox.get_attribute("aria-expanded") != "true":
        combobox.click()
    popup_id = combobox.get_attribute("aria-controls")
    if not popup_id:
        raise LookupError(f"ChoiceSet {label_or_id!r}: its list did not open")
    # Single-select: role=option (aria-selected); multi-select: role=menuitemcheckbox (aria-checked).
    options = page.locator(f"[id={_css_string(popup_id)}]").locator('[role="option"], [role="menuitemcheckbox"]')
    options.first.wait_for(state="visible")
    available = [text.strip() for text in options.all_inner_texts()]
    missing = [title for title in titles if title not in available]
    if missing:
        page.keyboard.press("Escape")
        raise LookupError(f"ChoiceSet {label_or_id!r} has no choices {missing}; it has {available}")
    if options.first.get_attribute("role") == "option":
        options.nth(available.index(titles[0])).click()
    else:
        for index, title in enumerate(available):
            option = options.nth(index)
            if (option.get_attribute("aria-checked") == "true") != (title in titles):
                option.click()
    if combobox.get_attribute("aria-expanded") == "true":
        page.keyboard.press("Escape")


def _choose_expanded(group: Locator, label_or_id: str, titles: Sequence[str]) -> None:
    # Checkboxes carry the choice title as aria-label, radios only as their <label for=...>.
    options = group.locator('input[type="checkbox"], input[type="radio"]')
    available: list[str] = []
    for index in range(options.count()):
        option = options.nth(index)
        title = option.get_attribute("aria-label") or ""
        option_id = option.get_attribute("id")
        if not title and option_id:
            title = group.locator(f"label[for={_css_string(option_id)}]").inner_text().strip()
        available.append(title)
    missing = [title for title in titles if title not in available]
    if missing:
        raise LookupError(f"ChoiceSet {label_or_id!r} has no choices {missing}; it has {available}")
    for index, title in enumerate(available):
        option = options.nth(index)
        if option.get_attribute("type") == "radio":
            if title == titles[0]:
                option.check()
        else:
            option.set_checked(title in titles)


def click_action(page: Page, title: str, *, card_text: str | None = None, nth: int = 0) -> None:
    """Click the action button titled ``title`` on the last card containing ``card_text``.

    ``nth`` picks among several buttons with the same title (e.g. one "Book this time" per row).
    """
    card = _card(page, card_text)
    card.locator(f"button[title={_css_string(title)}]").nth(nth).click()


# --- artifacts --------------------------------------------------------------------------------


def screenshot(page: Page, name: str) -> Path:
    """Save a PNG of the page as ``test-artifacts/<name>.png`` and return its path."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "screenshot"
    path = ARTIFACTS_DIR / f"{safe}.png"
    page.screenshot(path=str(path))
    return path


#: A small phone's width: the narrowest the cards are designed for (issue 13 item 8).
PHONE_WIDTH = 320


def phone_screenshot(page: Page, name: str, card_text: str, *, width: int = PHONE_WIDTH,
                     timeout: float = DEFAULT_TIMEOUT_MS) -> Path:
    """A screenshot of the last card containing ``card_text`` laid out ``width`` px wide, as a phone shows it.

    The Playground's chat column does not narrow below about 414 px however small the window, so the card
    element itself is given the phone's width (the renderer lays a card out to its element's width, as Teams
    mobile does to the screen's) and only the card is captured. Its style is given back afterwards.
    """
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "screenshot"
    path = ARTIFACTS_DIR / f"{safe}.png"
    with phone_width(page, card_text, width=width, timeout=timeout) as card:
        card.screenshot(path=str(path), timeout=timeout)
    return path


@contextmanager
def phone_width(page: Page, card_text: str, *, width: int = PHONE_WIDTH,
                timeout: float = DEFAULT_TIMEOUT_MS) -> Iterator[Locator]:
    """The last card containing ``card_text``, laid out ``width`` px wide while the block runs."""
    wide = page.viewport_size
    card = last_card(page, card_text)
    card.wait_for(state="visible", timeout=timeout)
    # A window tall enough for the whole card, so that a screenshot shows all of it, not the part in view.
    height = card.evaluate("e => e.getBoundingClientRect().height")
    page.set_viewport_size({"width": wide["width"] if wide else 1280, "height": min(5000, int(height * 2) + 600)})
    card = last_card(page, card_text)
    for _ in range(5):
        try:
            card.evaluate(
                """(e, width) => {
                    e.dataset.yaStyle = e.getAttribute('style') || '';
                    e.style.width = e.style.maxWidth = e.style.minWidth = `${width}px`;
                    e.scrollIntoView({block: 'center', inline: 'start'});
                }""", width, timeout=timeout)
            break
        except PlaywrightError:  # re-rendered between lookup and evaluation: look again
            page.wait_for_timeout(200)
            card = last_card(page, card_text)
    page.wait_for_timeout(100)  # one layout pass of the renderer's own resize handling
    try:
        yield card
    finally:
        with suppress(PlaywrightError):  # a card re-rendered meanwhile has its own style already
            card.evaluate("e => { e.setAttribute('style', e.dataset.yaStyle || ''); delete e.dataset.yaStyle; }")
        if wide is not None:
            page.set_viewport_size(wide)


#: What a phone user could not read or reach, found in a card laid out at phone width: sideways scrolling,
#: a word broken across two lines (with or without a hyphen; a compound may break at its own hyphen, dash or
#: slash, as in print), text smaller than Teams mobile's small size.
PHONE_PROBLEMS_SCRIPT = r"""(card, minFont) => {
    const problems = [];
    const box = card.getBoundingClientRect();
    for (const x of [card, ...card.querySelectorAll('*')]) {
        const style = getComputedStyle(x);
        if (x.scrollWidth > x.clientWidth + 1 && style.overflowX !== 'visible' && style.overflowX !== 'hidden')
            problems.push(`scrolls sideways: ${x.tagName} ${x.scrollWidth}>${x.clientWidth} `
                          + (x.innerText || '').slice(0, 40));
        const r = x.getBoundingClientRect();
        if (r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1) && style.visibility !== 'hidden'
            && !x.closest('[aria-hidden="true"]'))
            problems.push(`sticks out of the card: ${x.tagName} ` + (x.innerText || x.getAttribute('aria-label')
                          || '').slice(0, 40));
    }
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || !node.textContent.trim() || parent.getClientRects().length === 0) continue;
        const size = parseFloat(getComputedStyle(parent).fontSize);
        if (size < minFont) problems.push(`text ${size}px: ` + node.textContent.trim().slice(0, 40));
        for (const m of node.textContent.matchAll(/[^\s\-–—\/]{2,}/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top)));
            if (tops.size > 1) problems.push(`word broken across lines: ${m[0]}`);
        }
    }
    return [...new Set(problems)];
}"""


def phone_problems(card: Locator, *, min_font_px: float = 12) -> list[str]:
    """What keeps a phone user from reading or reaching the (already narrowed) ``card``; empty when nothing."""
    problems: list[str] = card.evaluate(PHONE_PROBLEMS_SCRIPT, min_font_px)
    return problems


AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def axe_violations(page: Page, card: Locator, *, disabled_rules: Sequence[str] = ()) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations inside ``card`` only: rule id, impact and the offending targets.

    The script is injected once per page (``npm install`` puts it in node_modules). Only the card element is
    checked, so the Playground's own chrome around it does not count against the bot's cards.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    options = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)},
               "rules": {rule: {"enabled": False} for rule in disabled_rules}}
    result: list[dict[str, Any]] = card.evaluate(
        """async (element, options) => {
            const results = await window.axe.run(element, options);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }""",
        options,
    )
    return result
