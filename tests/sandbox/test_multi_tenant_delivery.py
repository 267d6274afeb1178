"""An asynchronous Exchange: deliveries between mailboxes and change notifications arrive late, shuffled, twice."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sandbox_receiver import Receiver
from sandbox_support import LIISA_ID, StartSandbox
from test_multi_tenant import EEVA, PARISH, PAULA_ID, bearer, fixed, token_for
from test_multi_tenant_mail import PAULA, book

from m365_sandbox.core.transport import Transport, TransportConfig

DELAY = 0.4


async def drained(http: httpx.AsyncClient, seconds: float = 5.0) -> dict[str, Any]:
    """Wait until no delivery waits; returns GET /_admin/transport."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = dict((await http.get("/_admin/transport")).json())
        if state["pending"] == 0 or asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.02)


async def send(http: httpx.AsyncClient, to: str, subject: str) -> None:
    """Liisa mails ``subject`` to ``to`` (sendMail, 202)."""
    answer = await http.post(f"/v1.0/users/{LIISA_ID}/sendMail", json={"message": {
        "subject": subject, "body": {"contentType": "text", "content": subject},
        "toRecipients": [{"emailAddress": {"address": to}}]}})
    assert answer.status_code == 202


async def test_default_delivery_is_synchronous(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        await send(http, EEVA, "heti")
        assert [m["subject"] for m in (await http.get("/_admin/outside-mail")).json()] == ["heti"]
        state = (await http.get("/_admin/transport")).json()
    assert state["config"] == {"delay_seconds": 0.0, "reorder": False, "duplicate": False, "seed": 0}
    assert state["pending"] == 0 and state["delivered"] == 1


async def test_delivery_is_late(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed(), delivery_delay=DELAY)
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        event = await book(http, [PAULA, EEVA])
        # Right after the request: nothing has arrived yet.
        assert (await http.get("/_admin/outside-mail")).json() == []
        copies = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        assert all(e["iCalUId"] != event["iCalUId"] for e in copies)
        assert (await http.get("/_admin/transport")).json()["pending"] == 2
        await drained(http)
        copies = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        (copy,) = [e for e in copies if e["iCalUId"] == event["iCalUId"]]
        assert [m["to"] for m in (await http.get("/_admin/outside-mail")).json()] == [[EEVA]]
        # The answer travels late too: the organizer's event and Inbox change only after the delay.
        declined = await http.post(f"/v1.0/users/{PAULA_ID}/events/{copy['id']}/decline", headers=bearer(parish),
                                   json={"comment": "Ei käy", "sendResponse": True})
        assert declined.status_code == 202
        organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
        assert {a["status"]["response"] for a in organizer["attendees"]} == {"none"}
        assert (await http.get(f"/v1.0/users/{LIISA_ID}/messages")).json()["value"] == []
        await drained(http)
        organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
        statuses = {a["emailAddress"]["address"]: a["status"]["response"] for a in organizer["attendees"]}
        assert statuses[PAULA] == "declined"
        (reply,) = (await http.get(f"/v1.0/users/{LIISA_ID}/messages")).json()["value"]
        assert reply["bodyPreview"] == "Ei käy"


async def test_delivery_is_reordered_and_duplicated(start: StartSandbox, receiver: Receiver) -> None:
    sandbox = await start(clock=fixed(), delivery_delay=DELAY, delivery_reorder=True, delivery_duplicate=True,
                          delivery_seed=7)
    parish = await token_for(sandbox, PARISH)
    subjects = [f"viesti {n}" for n in range(6)]
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        for subject in subjects:
            await send(http, EEVA, subject)
        assert (await http.get("/_admin/outside-mail")).json() == []
        state = await drained(http)
        assert state["delivered"] == 12
        arrived = [m["subject"] for m in (await http.get("/_admin/outside-mail")).json()]
        assert sorted(arrived) == sorted(subjects * 2)  # each twice
        assert arrived != sorted(arrived)  # not in the order sent (seeded: the same order on every run)
        # An invitation delivered twice still makes one calendar copy, but two meeting requests.
        event = await book(http, [PAULA])
        await drained(http)
        copies = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        assert len([e for e in copies if e["iCalUId"] == event["iCalUId"]]) == 1
        kinds = [m["meetingMessageType"] for m in
                 (await http.get(f"/v1.0/users/{PAULA_ID}/messages", headers=bearer(parish))).json()["value"]]
        assert kinds == ["meetingRequest", "meetingRequest"]
        # Change notifications are doubled as well.
        created = await http.post("/v1.0/subscriptions", json={
            "changeType": "created,updated,deleted", "notificationUrl": receiver.url,
            "resource": f"/users/{LIISA_ID}/events", "expirationDateTime": "2031-03-04T06:00:00Z",
            "clientState": "s"})
        assert created.status_code == 201, created.text
        await http.patch(f"/v1.0/users/{LIISA_ID}/events/{event['id']}", json={"subject": "Uusi aihe"})
        await drained(http)
        for _ in range(100):
            if len(receiver.received) >= 2:
                break
            await asyncio.sleep(0.05)
        resources = [entry["resourceData"]["id"] for r in receiver.received for entry in r.payload["value"]]
        assert resources.count(event["id"]) == 2


async def test_a_newer_request_wins_over_an_older_one_that_arrives_later(start: StartSandbox) -> None:
    """Seed 1 swaps the two requests (create, then update): the older one, arriving last, is dropped."""
    sandbox = await start(clock=fixed(), delivery_delay=DELAY, delivery_reorder=True, delivery_seed=1)
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        event = await book(http, [PAULA])
        changed = await http.patch(f"/v1.0/users/{LIISA_ID}/events/{event['id']}", json={"subject": "Uusi aihe"})
        assert changed.status_code == 200
        state = await drained(http)
        assert state["recent"][-2:] == [f"meetingRequest {PAULA}"] * 2
        copies = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        (copy,) = [e for e in copies if e["iCalUId"] == event["iCalUId"]]
    assert copy["subject"] == "Uusi aihe"


def test_without_an_event_loop_deliveries_happen_at_once() -> None:
    """A script using the services without a running loop still gets its deliveries (in order)."""
    transport = Transport(TransportConfig(delay_seconds=1.0, reorder=True, seed=3))
    assert not transport.config.synchronous
    ran: list[str] = []
    transport.send("a", lambda: ran.append("a"))
    transport.send("b", lambda: ran.append("b"))
    assert ran == ["a", "b"] and transport.delivered == 2
