"""The Graph webhook with a fake subscription service: parsing, verification, de-duplication, errors, shutdown."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.graph_webhook import LIFECYCLE_PATH, NOTIFICATIONS_PATH, GraphWebhook, event_id_from_resource
from services.subscription_service import LifecycleOutcome, Outcome, RenewalReport

SECRET = "s3cret"
SECRET_EVENT_TEXT = "Perhe K. asuu osoitteessa"  # stands for family data in an exception message


@dataclass
class FakeService:
    """Knows subscription ``sub-1`` of organizer ``org-1`` with clientState SECRET."""

    lifecycle: list[tuple[str, str]] = field(default_factory=list)
    fail_verify: bool = False
    report: RenewalReport = field(default_factory=RenewalReport)

    async def verify(self, subscription_id: str, client_state: str | None) -> str | None:
        if self.fail_verify:
            raise RuntimeError(SECRET_EVENT_TEXT)
        return "org-1" if (subscription_id, client_state) == ("sub-1", SECRET) else None

    async def on_lifecycle(self, subscription_id: str, event: str, client_state: str | None
                           ) -> LifecycleOutcome | None:
        self.lifecycle.append((subscription_id, event))
        return LifecycleOutcome("org-1", event, Outcome.RESYNC, resync=event == "missed")

    async def renew_due(self) -> RenewalReport:
        return self.report


@dataclass
class Calls:
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    fail_on: str | None = None
    block: asyncio.Event | None = None

    async def on_change(self, organizer_id: str, event_id: str, change_type: str) -> None:
        if self.block is not None:
            await self.block.wait()
        if event_id == self.fail_on:
            raise RuntimeError(SECRET_EVENT_TEXT)
        self.changes.append((organizer_id, event_id, change_type))

    async def on_missed(self, organizer_id: str) -> None:
        self.missed.append(organizer_id)


class Ticker:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    client: TestClient[web.Request, web.Application]
    webhook: GraphWebhook
    service: FakeService
    calls: Calls
    ticker: Ticker

    async def post(self, items: list[dict[str, Any]], path: str = NOTIFICATIONS_PATH) -> int:
        response = await self.client.post(path, data=json.dumps({"value": items}),
                                          headers={"Content-Type": "application/json"})
        return response.status


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    service, calls, ticker = FakeService(), Calls(), Ticker()
    webhook = GraphWebhook(service, calls.on_change, calls.on_missed, dedup_seconds=60, monotonic=ticker,
                           drain_seconds=0.05)
    app = web.Application()
    app.router.add_routes(webhook.routes())
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Harness(client, webhook, service, calls, ticker)
    finally:
        if calls.block is not None:
            calls.block.set()
        await webhook.aclose()
        await client.close()


def change(event_id: str, change_type: str = "updated", etag: str = 'W/"1"', **extra: Any) -> dict[str, Any]:
    resource = f"Users/org-1/Events/{event_id}"
    item = {"subscriptionId": "sub-1", "clientState": SECRET, "changeType": change_type, "resource": resource,
            "resourceData": {"@odata.id": resource, "@odata.etag": etag, "id": event_id}}
    item.update(extra)
    return item


@pytest.mark.parametrize(("resource", "expected"), [
    ("Users/7d1c/Events/AAMkAGI2TAAA=", "AAMkAGI2TAAA="),
    ("users/7d1c/events/AAMk-_x", "AAMk-_x"),
    ("/Users/7d1c/Events/AAMk/with/slash==", "AAMk/with/slash=="),
    ("Users('7d1c')/Events('AAMkQ')", "AAMkQ"),
    ("users/7d1c/calendars/AAMkC/events/AAMkE", "AAMkE"),
    ("Users/7d1c/Events/AAMk%3D%3D", "AAMk=="),
    ("Users/7d1c/Messages/AAMk", None),
    ("Users/7d1c/Events", None),
    ("", None),
    (None, None),
])
def test_event_id_from_resource(resource: object, expected: str | None) -> None:
    assert event_id_from_resource(resource) == expected


async def test_verified_changes_are_processed_after_a_202(harness: Harness) -> None:
    forged = change("E9", clientState="guess")
    unknown = change("E8", subscriptionId="sub-x")
    assert await harness.post([change("E1"), forged, unknown, change("E2", "deleted"), {"nonsense": 1}]) == 202
    await harness.webhook.drain()
    assert harness.calls.changes == [("org-1", "E1", "updated"), ("org-1", "E2", "deleted")]


async def test_event_id_falls_back_to_resource_data(harness: Harness) -> None:
    item = change("E1")
    item["resource"] = "Users/org-1"
    assert await harness.post([item]) == 202
    await harness.webhook.drain()
    assert harness.calls.changes == [("org-1", "E1", "updated")]


async def test_repeated_deliveries_are_processed_once_within_the_window(harness: Harness) -> None:
    for _ in range(3):
        assert await harness.post([change("E1")]) == 202
    assert await harness.post([change("E1", etag='W/"2"')]) == 202, "a new change of the same event"
    assert await harness.post([change("E1", "deleted")]) == 202
    await harness.webhook.drain()
    assert harness.calls.changes == [("org-1", "E1", "updated")] * 2 + [("org-1", "E1", "deleted")]
    harness.ticker.now += 61
    assert await harness.post([change("E1")]) == 202
    await harness.webhook.drain()
    assert len(harness.calls.changes) == 4, "after the window the same key is new again"


async def test_bad_bodies_get_400(harness: Harness) -> None:
    for body in (b"", b"{", b"\xff\xfe", b"[]", b'{"value": {}}', b"[" * 100_000,
                 json.dumps({"value": [{}] * 1001}).encode(), b" " * 300_000):
        response = await harness.client.post(NOTIFICATIONS_PATH, data=body)
        assert response.status == 400, body[:20]
    assert harness.webhook.pending == 0


async def test_handshake(harness: Harness) -> None:
    response = await harness.client.post(f"{LIFECYCLE_PATH}?validationToken=Validation%3A%20a%2Bb%20%C3%A4")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    assert await response.text() == "Validation: a+b ä"
    assert (await harness.client.post(f"{NOTIFICATIONS_PATH}?validationToken=")).status == 400
    assert (await harness.client.post(f"{NOTIFICATIONS_PATH}?validationToken={'a' * 3000}")).status == 400


async def test_processing_errors_never_escape_and_logs_hold_no_text(harness: Harness,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    harness.calls.fail_on = "E1"
    with caplog.at_level(logging.INFO):
        assert await harness.post([change("E1"), change("E2")]) == 202
        await harness.webhook.drain()
    assert harness.calls.changes == [("org-1", "E2", "updated")], "one failing item does not stop the others"
    assert "RuntimeError" in caplog.text
    assert SECRET_EVENT_TEXT not in caplog.text and SECRET not in caplog.text


async def test_a_failing_store_gives_503_without_its_text(harness: Harness,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    harness.service.fail_verify = True
    assert await harness.post([change("E1")]) == 503
    assert SECRET_EVENT_TEXT not in caplog.text


async def test_lifecycle_items_go_to_the_service_and_resync_calls_on_missed(harness: Harness) -> None:
    items = [{"subscriptionId": "sub-1", "clientState": SECRET, "lifecycleEvent": event}
             for event in ("reauthorizationRequired", "missed")]
    forged = {"subscriptionId": "sub-1", "clientState": "guess", "lifecycleEvent": "subscriptionRemoved"}
    assert await harness.post([*items, forged], path=LIFECYCLE_PATH) == 202
    assert await harness.post(items[1:], path=NOTIFICATIONS_PATH) == 202, "the same URL may take both"
    await harness.webhook.drain()
    assert harness.service.lifecycle == [("sub-1", "reauthorizationRequired"), ("sub-1", "missed"),
                                         ("sub-1", "missed")]
    assert harness.calls.missed == ["org-1", "org-1"]


async def test_renew_subscriptions_resyncs_recreated_organizers(harness: Harness) -> None:
    harness.service.report = RenewalReport(renewed=2, recreated=1, resync=("org-1",))
    report = await harness.webhook.renew_subscriptions()
    assert report.renewed == 2
    assert harness.calls.missed == ["org-1"]


async def test_aclose_cancels_stuck_work_and_refuses_more(harness: Harness) -> None:
    harness.calls.block = asyncio.Event()
    assert await harness.post([change("E1")]) == 202
    assert harness.webhook.pending == 1
    await harness.webhook.aclose()
    assert harness.webhook.pending == 0
    assert harness.calls.changes == []
    assert await harness.post([change("E2")]) == 503, "Graph retries later"
