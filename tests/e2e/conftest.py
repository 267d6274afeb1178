"""Fixtures for the Playground end-to-end tests.

* ``playground_stack``: the Graph sandbox + the real bot (``python -m bot``) + the Agents
  Playground on free ports, state in a temporary directory (session scope).
* ``echo_stack``: ``scripts/echo_bot.py`` + the Playground (session scope), for testing the
  helpers themselves; the echo bot logs every activity it receives (``Stack.activities()``).
* ``browser``: Debian's Chromium, headless (module scope).
* ``playground_page`` / ``echo_page``: a fresh browser context on the Playground of that stack;
  a failing test leaves ``test-artifacts/<test name>-failed.png``.

The services are started with the same functions as ``make demo`` (``scripts/demo.py``).
Tests that use a browser are skipped when Chromium or the Playground is not installed.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from scripts.demo import (
    DemoConfig,
    Service,
    free_port,
    playground_missing_reason,
    start_all,
    start_bot,
    start_playground,
    stop_services,
)
from tests.e2e.playground import (
    ROOT,
    Stack,
    chromium_missing_reason,
    launch_chromium,
    open_playground,
    screenshot,
)

_E2E_DIR = Path(__file__).resolve().parent
_BROWSER_FIXTURES = {"browser", "playground_page", "echo_page", "playground_stack", "echo_stack"}
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests here that drive the Playground as ``e2e``."""
    for item in items:
        if item.path.is_relative_to(_E2E_DIR) and _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report so that page fixtures can screenshot failures."""
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _require_tools() -> None:
    reason = chromium_missing_reason() or playground_missing_reason()
    if reason:
        pytest.skip(reason)


def _config(state_dir: Path, **bot_env: str) -> DemoConfig:
    return DemoConfig(
        state_dir=state_dir,
        sandbox_port=free_port(),
        bot_port=free_port(),
        playground_port=free_port(),
        bot_env=bot_env,
    )


@pytest.fixture(scope="session")
def playground_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Sandbox + real bot + Playground on free ports (skipped without Chromium or Playground)."""
    _require_tools()
    config = _config(tmp_path_factory.mktemp("playground-stack"))
    services = start_all(config)
    try:
        yield Stack(config=config, services=services)
    finally:
        stop_services(services)


@pytest.fixture(scope="session")
def echo_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Echo bot + Playground on free ports; the bot logs received activities to a JSONL file."""
    _require_tools()
    state_dir = tmp_path_factory.mktemp("echo-stack")
    activity_log = state_dir / "activities.jsonl"
    config = _config(state_dir, ECHO_BOT_ACTIVITY_LOG=str(activity_log))
    services: list[Service] = []
    try:
        command = [config.python, str(ROOT / "scripts" / "echo_bot.py"), "--port", str(config.bot_port)]
        services.append(start_bot(config, command))
        services.append(start_playground(config))
        yield Stack(config=config, services=services, activity_log=activity_log)
    finally:
        stop_services(services)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, with CI's flags (module scope: closed before other tests run)."""
    _require_tools()
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Browser, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Page]:
    stack.assert_running()
    page = open_playground(browser, stack.playground_url)
    try:
        yield page
    finally:
        reports = request.node.stash.get(_REPORTS, {})
        if any(report.failed for report in reports.values()):
            screenshot(page, f"{request.node.name}-failed")
        page.context.close()


@pytest.fixture
def playground_page(browser: Browser, playground_stack: Stack, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The Playground of ``playground_stack`` in a fresh browser context."""
    yield from _page(browser, playground_stack, request)


@pytest.fixture
def echo_page(browser: Browser, echo_stack: Stack, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The Playground of ``echo_stack`` in a fresh browser context."""
    yield from _page(browser, echo_stack, request)
