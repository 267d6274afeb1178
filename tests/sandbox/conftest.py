"""Fixtures for the Graph sandbox tests: a running sandbox, msgraph-sdk clients, contract checks.

Every /v1.0 response the sandbox sends during a test is recorded and, after the test, checked
against Graph's CSDL (see sandbox_csdl.py), so each test is also a contract test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphServiceClient
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as graph_default_options
from msgraph_core import GraphClientFactory
from sandbox_csdl import Schema, check_response
from sandbox_receiver import Receiver, start_receiver
from sandbox_support import TODAY, GraphFactory, StartSandbox

from m365_sandbox.calendar.seed import seed_calendars
from m365_sandbox.calendar.store import CalendarStore
from m365_sandbox.core.context import ObservedResponse
from m365_sandbox.core.faults import FaultConfig
from m365_sandbox.core.tenant import default_tenant_path, load_tenant
from m365_sandbox.runner import RunningSandbox, start_sandbox


@pytest.fixture(scope="session")
def csdl() -> Schema:
    """Graph's v1.0 CSDL, parsed once per session."""
    return Schema.load()


@pytest.fixture
def recorded() -> list[ObservedResponse]:
    """Every /v1.0 response of the sandboxes started in this test."""
    return []


@pytest.fixture(autouse=True)
def _contract(request: pytest.FixtureRequest, recorded: list[ObservedResponse]) -> Any:
    yield
    if not recorded:
        return
    schema: Schema = request.getfixturevalue("csdl")
    problems = [
        problem
        for item in recorded
        for problem in check_response(schema, item.method, item.route, item.status, item.body)
    ]
    assert not problems, "responses that break Graph's contract:\n" + "\n".join(problems[:30])


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo calendars seeded for TODAY (copied per test: faster than seeding)."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    tenant = load_tenant(default_tenant_path())
    store = CalendarStore(path, tenant.tenant_id)
    seed_calendars(tenant, store, TODAY, datetime.combine(TODAY, time(6), UTC))  # stamps: TODAY, not the wall clock
    store.close()
    return path


@pytest.fixture
async def start(tmp_path: Path, seeded_db: Path, recorded: list[ObservedResponse]) -> AsyncIterator[StartSandbox]:
    """Start sandboxes (db in tmp_path unless given, fixed TODAY); all are stopped after the test."""
    running: list[RunningSandbox] = []

    async def _start(db: Path | None = None, faults: FaultConfig | None = None, **kwargs: Any) -> RunningSandbox:
        kwargs.setdefault("today", TODAY)
        db = db or tmp_path / "sandbox.db"
        if not db.exists() and kwargs["today"] == TODAY:
            shutil.copyfile(seeded_db, db)
        sandbox = await start_sandbox(default_tenant_path(), db, faults, observers=[recorded.append], **kwargs)
        running.append(sandbox)
        return sandbox

    yield _start
    for sandbox in running:
        await sandbox.close()


@pytest.fixture
async def sandbox(start: StartSandbox) -> RunningSandbox:
    """A running sandbox with the demo tenant and a fresh database."""
    return await start()


@pytest.fixture
async def http(sandbox: RunningSandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client for raw requests (base URL = the sandbox root)."""
    async with httpx.AsyncClient(base_url=sandbox.root_url) as client:
        yield client


@pytest.fixture
async def graph_for() -> AsyncIterator[GraphFactory]:
    """Build msgraph-sdk clients for a base URL, exactly as the bot would (retries off by default).

    msgraph-core's transport wrapper does not close the pooled transport, so the underlying
    httpx transport is closed explicitly after the test.
    """
    opened: list[tuple[httpx.AsyncClient, httpx.AsyncHTTPTransport]] = []

    def _build(base_url: str, retries: bool = False) -> GraphServiceClient:
        transport = httpx.AsyncHTTPTransport()
        client = httpx.AsyncClient(transport=transport, timeout=10)
        options = dict(graph_default_options)
        if not retries:
            options[RetryHandlerOption.get_key()] = RetryHandlerOption(should_retry=False)
        http_client = GraphClientFactory.create_with_default_middleware(client=client, options=options)
        adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), client=http_client)
        adapter.base_url = base_url
        opened.append((http_client, transport))
        return GraphServiceClient(request_adapter=adapter)

    yield _build
    for client, transport in opened:
        await client.aclose()
        await transport.aclose()


@pytest.fixture
def graph(sandbox: RunningSandbox, graph_for: GraphFactory) -> GraphServiceClient:
    """An msgraph-sdk client talking to ``sandbox``."""
    return graph_for(sandbox.base_url)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A notification endpoint that echoes validation tokens and records notifications."""
    endpoint, runner = await start_receiver()
    yield endpoint
    await runner.cleanup()
