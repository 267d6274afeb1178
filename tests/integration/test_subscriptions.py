"""Change notifications end to end over HTTP: the sandbox's /subscriptions ↔ the bot's Graph webhook.

The sandbox validates the webhook (handshake), sends change notifications when events change
(an attendee's answer updates the organizer's event) and lifecycle notifications on demand;
the service reads the sandbox's clock, so moving that clock (``PUT /_admin/clock``) moves both to test renewal.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web

from bot.graph_webhook import LIFECYCLE_PATH, NOTIFICATIONS_PATH, GraphWebhook
from domain.convening import Person
from graph.calendar import GraphCalendar
from graph.client import GraphClientHolder, GraphSettings
from graph.errors import GraphUnavailableError
from graph.subscriptions import GraphSubscriptionError, GraphSubscriptions
from m365_sandbox.runner import RunningSandbox, start_sandbox
from services.ports import EventDraft
from services.subscription_service import SubscriptionService
from state.documents import SqliteDocuments
from state.subscriptions import DocumentSubscriptionStore
from tests.integration.conftest import LIISA, TENANT, free_port
from tests.support.clock import StackClock

NIKO = "46d4a612-bd93-58ac-84af-908804390a46"
MIKKO_MAIL = "mikko.miettinen@esimerkkila.onmicrosoft.com"
WAIT_SECONDS = 5.0


@dataclass
class Calls:
    """What the webhook's callbacks were called with."""

    changes: list[tuple[str, str, str]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    async def on_change(self, organizer_id: str, event_id: str, change_type: str) -> None:
        self.changes.append((organizer_id, event_id, change_type))

    async def on_missed(self, organizer_id: str) -> None:
        self.missed.append(organizer_id)


async def eventually(check: Callable[[], Any], what: str, seconds: float = WAIT_SECONDS) -> Any:
    """Polls ``check`` (sync or async) until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class Rig:
    """The sandbox, the webhook on its own port and the subscription service between them."""

    sandbox: RunningSandbox
    root: str
    state_db: Path
    holder: GraphClientHolder
    clock: Callable[[], datetime]  # the sandbox's clock
    calls: Calls
    service: SubscriptionService
    webhook: GraphWebhook
    documents: list[SqliteDocuments]

    def new_service(self) -> SubscriptionService:
        """A service as after a restart: a fresh store on the same database file."""
        documents = SqliteDocuments(self.state_db)
        self.documents.append(documents)
        return SubscriptionService(GraphSubscriptions(self.holder.client), DocumentSubscriptionStore(documents),
                                   f"{self.root}{NOTIFICATIONS_PATH}", f"{self.root}{LIFECYCLE_PATH}", self.clock)

    async def admin(self, method: str, path: str, body: object | None = None) -> tuple[int, Any]:
        """Calls the sandbox (``/_admin/…`` or ``/v1.0/…``)."""
        async with aiohttp.ClientSession() as s, s.request(method, f"{self.sandbox.root_url}{path}",
                                                           json=body) as r:
            return r.status, (await r.json() if r.content_type == "application/json" else await r.text())

    async def advance(self, minutes: int) -> None:
        """Moves the sandbox clock, which the service reads too."""
        status, _ = await self.admin("PUT", "/_admin/clock", {"advanceMinutes": minutes})
        assert status == 200

    async def expiry(self, subscription_id: str) -> datetime | None:
        """The subscription's expirationDateTime in the sandbox, None once it is gone."""
        status, body = await self.admin("GET", f"/v1.0/subscriptions/{subscription_id}")
        if status == 404:
            return None
        assert status == 200, body
        return datetime.fromisoformat(body["expirationDateTime"].replace("Z", "+00:00"))

    async def post(self, path: str, body: bytes, query: str = "") -> tuple[int, str, str]:
        """POSTs to the webhook as Graph would; returns status, content type and text."""
        async with aiohttp.ClientSession() as s, s.post(f"{self.root}{path}{query}", data=body,
                                                        headers={"Content-Type": "application/json"}) as r:
            return r.status, r.content_type, await r.text()


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db", clock=StackClock())
    holder = GraphClientHolder(GraphSettings(sandbox.base_url), None)
    port = free_port()
    root = f"http://127.0.0.1:{port}"
    calls = Calls()
    documents = SqliteDocuments(tmp_path / "bot.db")
    clock = sandbox.clock.now
    service = SubscriptionService(GraphSubscriptions(holder.client), DocumentSubscriptionStore(documents),
                                  f"{root}{NOTIFICATIONS_PATH}", f"{root}{LIFECYCLE_PATH}", clock)
    webhook = GraphWebhook(service, calls.on_change, calls.on_missed)
    app = web.Application()
    app.router.add_routes(webhook.routes())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    rig = Rig(sandbox, root, tmp_path / "bot.db", holder, clock, calls, service, webhook, [documents])
    try:
        yield rig
    finally:
        await webhook.aclose()
        await runner.cleanup()
        await holder.close()
        await sandbox.close()
        for docs in rig.documents:
            docs.close()


async def test_ensure_creates_one_subscription_after_the_handshake(rig: Rig) -> None:
    subscription_id = await rig.service.ensure(LIISA)
    assert subscription_id
    _, log = await rig.admin("GET", "/_admin/notifications")
    validations = [d for d in log["deliveries"] if d["kind"] == "validation"]
    assert {d["url"] for d in validations} == {f"{rig.root}{NOTIFICATIONS_PATH}", f"{rig.root}{LIFECYCLE_PATH}"}
    assert all(d["status"] == "delivered" and d["responses"] == [200] for d in validations)

    _, created = await rig.admin("GET", f"/v1.0/subscriptions/{subscription_id}")
    assert created["resource"] == f"users/{LIISA}/events"
    assert created["changeType"] == "created,updated,deleted"
    assert created["lifecycleNotificationUrl"] == f"{rig.root}{LIFECYCLE_PATH}"
    assert len(created["clientState"]) >= 43, "a random 32-byte secret"
    lifetime = await rig.expiry(subscription_id)
    assert lifetime is not None and lifetime - rig.clock() > timedelta(days=6, hours=22), "as long as Graph allows"

    assert await rig.service.ensure(LIISA) == subscription_id, "an active subscription is reused"
    # Two ensures at once for another organizer: the store's eTags let only one of them create.
    results = await asyncio.gather(rig.service.ensure(NIKO), rig.service.ensure(NIKO))
    _, listed = await rig.admin("GET", "/v1.0/subscriptions")
    assert sorted(s["resource"] for s in listed["value"]) == sorted([f"users/{LIISA}/events",
                                                                     f"users/{NIKO}/events"])
    assert [r for r in results if r] == [next(s["id"] for s in listed["value"] if NIKO in s["resource"])]
    record = await rig.service.current(LIISA)
    assert record is not None and created["clientState"] not in json.dumps(record.__dict__, default=str), \
        "only a digest of the clientState is stored"


async def test_an_attendee_answer_reaches_on_change(rig: Rig) -> None:
    await rig.service.ensure(LIISA)
    transaction_id = str(uuid.uuid4())
    start = (rig.clock() + timedelta(days=8)).replace(hour=9, minute=0, second=0, microsecond=0)
    created = await GraphCalendar(rig.holder.client).create_event(LIISA, EventDraft(
        subject="Yhdessä aika", body_html="<p>Aika ja paikka</p>", start=start, end=start + timedelta(hours=1),
        timezone="Europe/Helsinki", attendees=(Person(email=MIKKO_MAIL, display_name="Mikko Miettinen"),),
        room_email=None, room_name=None, location="Perheen toive", online=False, transaction_id=transaction_id))
    await eventually(lambda: (LIISA, created.id, "created") in rig.calls.changes, "the created notification")

    status, _ = await rig.admin("POST", "/_admin/respond",
                                {"user": MIKKO_MAIL, "transactionId": transaction_id, "response": "accept"})
    assert status == 202
    await eventually(lambda: (LIISA, created.id, "updated") in rig.calls.changes,
                     "on_change for the organizer's event after the answer")
    assert all(organizer == LIISA for organizer, _, _ in rig.calls.changes)
    _, log = await rig.admin("GET", "/_admin/notifications")
    changes = [d for d in log["deliveries"] if d["kind"] == "change"]
    assert changes and all(d["responses"] == [202] for d in changes if d["status"] != "pending"), \
        "answered 202 at the first attempt: Graph never had to retry"


async def test_forged_and_malformed_notifications_change_nothing(rig: Rig) -> None:
    subscription_id = await rig.service.ensure(LIISA)
    assert subscription_id
    _, sub = await rig.admin("GET", f"/v1.0/subscriptions/{subscription_id}")

    def payload(sub_id: str, client_state: str, event_id: str = "AAMkForged") -> bytes:
        resource = f"Users/{LIISA}/Events/{event_id}"
        return json.dumps({"value": [{
            "subscriptionId": sub_id, "clientState": client_state, "changeType": "updated",
            "resource": resource, "tenantId": str(uuid.uuid4()),
            "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "@odata.id": resource,
                             "@odata.etag": 'W/"x"', "id": event_id}}]}).encode()

    # Decision: a well-formed but unverifiable notification gets 202 like a genuine one (the forger
    # learns nothing and Graph does not retry a stale one); only a malformed body gets 400.
    for path in (NOTIFICATIONS_PATH, LIFECYCLE_PATH):
        assert (await rig.post(path, payload(subscription_id, "wrong-secret")))[0] == 202
        assert (await rig.post(path, payload(str(uuid.uuid4()), sub["clientState"])))[0] == 202
        assert (await rig.post(path, b"not json"))[0] == 400
        assert (await rig.post(path, b'{"value": 1}'))[0] == 400
        assert (await rig.post(path, b"[" * 300_000))[0] == 400, "oversized"
    assert rig.webhook.pending == 0, "nothing was accepted for processing"
    forged_lifecycle = json.dumps({"value": [{"subscriptionId": subscription_id, "clientState": "nope",
                                              "lifecycleEvent": "subscriptionRemoved"}]}).encode()
    assert (await rig.post(LIFECYCLE_PATH, forged_lifecycle))[0] == 202
    await rig.webhook.drain()
    assert rig.calls.changes == [] and rig.calls.missed == []
    assert await rig.expiry(subscription_id) is not None, "a forged subscriptionRemoved recreated nothing"
    assert (await rig.service.current(LIISA)).subscription_id == subscription_id  # type: ignore[union-attr]

    # The same notification with the right secret is processed once, however often Graph repeats it.
    genuine = payload(subscription_id, sub["clientState"], "AAMkGenuine")
    for _ in range(3):
        assert (await rig.post(NOTIFICATIONS_PATH, genuine))[0] == 202
    await rig.webhook.drain()
    assert rig.calls.changes == [(LIISA, "AAMkGenuine", "updated")]


async def test_handshake_answers_exactly_the_token_as_plain_text(rig: Rig) -> None:
    token = "Validation: Testing client application reachability for subscription Request-Id: a+b/c=d ä"
    for path in (NOTIFICATIONS_PATH, LIFECYCLE_PATH):
        async with aiohttp.ClientSession() as s, s.post(f"{rig.root}{path}?validationToken={quote(token, safe='')}",
                                                        data=b"", headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 200
            assert r.content_type == "text/plain"
            assert await r.read() == token.encode("utf-8")
    assert rig.calls.changes == []


async def test_renewal_before_expiry_and_after_a_restart(rig: Rig) -> None:
    subscription_id = await rig.service.ensure(LIISA)
    assert subscription_id
    first = await rig.expiry(subscription_id)
    assert first is not None
    report = await rig.webhook.renew_subscriptions()
    assert (report.renewed, report.recreated) == (0, 0), "nothing is due right after creation"

    await rig.advance(int((first - rig.clock()).total_seconds() // 60) - 20)  # 20 minutes before expiry
    report = await rig.webhook.renew_subscriptions()
    assert (report.renewed, report.recreated, report.failed) == (1, 0, 0)
    second = await rig.expiry(subscription_id)
    assert second is not None and second > first + timedelta(days=6), "the expiry moved forward"

    restarted = rig.new_service()
    await rig.advance(int((second - rig.clock()).total_seconds() // 60) - 20)
    report = await restarted.renew_due()
    assert (report.renewed, report.recreated, report.failed) == (1, 0, 0)
    third = await rig.expiry(subscription_id)
    assert third is not None and third > second + timedelta(days=6)
    assert (await restarted.current(LIISA)).subscription_id == subscription_id  # type: ignore[union-attr]


async def test_a_subscription_that_expired_is_created_anew(rig: Rig) -> None:
    subscription_id = await rig.service.ensure(LIISA)
    assert subscription_id
    await rig.advance(8 * 24 * 60)  # the bot was down for over a week: Graph forgot the subscription
    assert await rig.expiry(subscription_id) is None
    report = await rig.webhook.renew_subscriptions()
    assert (report.renewed, report.recreated) == (0, 1)
    assert rig.calls.missed == [LIISA], "changes while it was gone are re-read"
    record = await rig.service.current(LIISA)
    assert record is not None and record.subscription_id not in (None, subscription_id)
    assert await rig.expiry(record.subscription_id or "") is not None


async def test_lifecycle_notifications(rig: Rig) -> None:
    subscription_id = await rig.service.ensure(LIISA)
    assert subscription_id

    # missed: the organizer's events are re-read.
    status, _ = await rig.admin("POST", "/_admin/lifecycle",
                                {"subscriptionId": subscription_id, "lifecycleEvent": "missed"})
    assert status == 202
    await eventually(lambda: rig.calls.missed == [LIISA], "on_missed after a missed notification")

    # reauthorizationRequired: renewed (PATCH), the expiry moves forward.
    before = await rig.expiry(subscription_id)
    assert before is not None
    await rig.advance(60)
    status, _ = await rig.admin("POST", "/_admin/lifecycle",
                                {"subscriptionId": subscription_id, "lifecycleEvent": "reauthorizationRequired"})
    assert status == 202

    async def renewed() -> bool:
        after = await rig.expiry(subscription_id)
        return after is not None and after >= before + timedelta(minutes=60)

    await eventually(renewed, "the renewal after reauthorizationRequired")

    # subscriptionRemoved: a new subscription replaces the removed one, and events are re-read.
    status, _ = await rig.admin("POST", "/_admin/lifecycle",
                                {"subscriptionId": subscription_id, "lifecycleEvent": "subscriptionRemoved"})
    assert status == 202

    async def replaced() -> str | None:
        record = await rig.service.current(LIISA)
        new_id = record.subscription_id if record else None
        return new_id if new_id and new_id != subscription_id else None

    new_id = await eventually(replaced, "a new subscription after subscriptionRemoved")
    assert await rig.expiry(subscription_id) is None
    assert await rig.expiry(new_id) is not None
    await eventually(lambda: rig.calls.missed == [LIISA, LIISA], "a resync after the recreation")
    _, listed = await rig.admin("GET", "/v1.0/subscriptions")
    assert [s["id"] for s in listed["value"]] == [new_id]


# --- the service's repair paths, with a gateway that fails on demand (state on the real SQLite store) ---


class FlakyGateway:
    """An in-memory Graph that can fail the next calls or be slow to create."""

    def __init__(self) -> None:
        self.subscriptions: dict[str, datetime] = {}
        self.failures: list[int | None] = []  # statuses of the next failing calls
        self.deleted: list[str] = []
        self.create_started = asyncio.Event()
        self.release_create: asyncio.Event | None = None

    def _maybe_fail(self) -> None:
        if self.failures:
            raise GraphSubscriptionError(self.failures.pop(0), "Injected")

    async def create(self, resource: str, change_type: str, notification_url: str, lifecycle_url: str,
                     client_state: str, expires: datetime) -> tuple[str, datetime]:
        self.create_started.set()
        release, self.release_create = self.release_create, None  # only the first create waits
        if release is not None:
            await release.wait()
        self._maybe_fail()
        subscription_id = str(uuid.uuid4())
        self.subscriptions[subscription_id] = expires
        return subscription_id, expires

    async def renew(self, subscription_id: str, expires: datetime) -> datetime:
        self._maybe_fail()
        if subscription_id not in self.subscriptions:
            raise GraphSubscriptionError(404, "ResourceNotFound")
        self.subscriptions[subscription_id] = expires
        return expires

    async def delete(self, subscription_id: str) -> None:
        self.deleted.append(subscription_id)
        self.subscriptions.pop(subscription_id, None)


@pytest.fixture
def offline(tmp_path: Path) -> Iterator[tuple[FlakyGateway, StackClock, SubscriptionService]]:
    documents = SqliteDocuments(tmp_path / "state.db")
    gateway, clock = FlakyGateway(), StackClock()
    service = SubscriptionService(gateway, DocumentSubscriptionStore(documents), "https://bot.example/n",
                                  "https://bot.example/l", clock)
    yield gateway, clock, service
    documents.close()


async def test_a_failed_creation_is_retried_by_renew_due(
        offline: tuple[FlakyGateway, StackClock, SubscriptionService]) -> None:
    gateway, clock, service = offline
    gateway.failures = [503]
    with pytest.raises(GraphUnavailableError):
        await service.ensure(LIISA)
    assert gateway.subscriptions == {}
    assert (await service.renew_due()).recreated == 0, "not before the retry delay"
    clock.advance(timedelta(minutes=6))
    report = await service.renew_due()
    assert (report.recreated, report.resync) == (1, (LIISA,))
    assert len(gateway.subscriptions) == 1


async def test_renewal_failures_back_off_and_a_404_recreates(
        offline: tuple[FlakyGateway, StackClock, SubscriptionService]) -> None:
    gateway, clock, service = offline
    first = await service.ensure(LIISA)
    assert first
    clock.advance(timedelta(days=4))  # past half of the lifetime
    gateway.failures = [503]
    assert (await service.renew_due()).failed == 1
    assert (await service.renew_due()).failed == 0, "the failed one waits for the retry delay"
    clock.advance(timedelta(minutes=6))
    del gateway.subscriptions[first]  # Graph lost it meanwhile
    report = await service.renew_due()
    assert (report.renewed, report.recreated) == (0, 1)
    second = (await service.current(LIISA)).subscription_id  # type: ignore[union-attr]
    assert second in gateway.subscriptions and second != first
    assert await service.verify(first, "anything") is None


async def test_an_abandoned_claim_is_taken_over_and_the_late_creator_cleans_up(
        offline: tuple[FlakyGateway, StackClock, SubscriptionService]) -> None:
    gateway, clock, service = offline
    release = gateway.release_create = asyncio.Event()
    slow = asyncio.create_task(service.ensure(LIISA))
    await gateway.create_started.wait()
    assert await service.ensure(LIISA) is None, "someone is creating it right now"
    clock.advance(timedelta(minutes=3))  # the claim is older than claim_timeout: taken over
    taken_over = await service.ensure(LIISA)
    assert taken_over
    release.set()
    assert await slow is None, "the late creator lost its claim"
    assert gateway.deleted and gateway.deleted[0] != taken_over, "and deleted its duplicate"
    assert list(gateway.subscriptions) == [taken_over]
