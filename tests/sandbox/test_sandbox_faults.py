"""Fault injection and the admin endpoints (faults, request counts, health, respond)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from kiota_abstractions.api_error import APIError
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.response_type import ResponseType
from sandbox_support import LIISA_ID, MIKKO_ID, GraphFactory, StartSandbox, local, mail, week_day

from m365_sandbox.core.faults import FaultConfig
from m365_sandbox.runner import RunningSandbox


async def test_429_with_retry_after_at_p429_one(start: StartSandbox, graph_for: GraphFactory) -> None:
    sandbox = await start(faults=FaultConfig(p429=1.0, retry_after_seconds=7))
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        response = await http.get(f"/v1.0/users/{MIKKO_ID}")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        error = response.json()["error"]
        assert error["code"] == "TooManyRequests"
        assert error["innerError"]["request-id"] == response.headers["request-id"]
        health = await http.get("/_admin/health")
        assert health.status_code == 200  # admin paths are never faulted
    graph = graph_for(sandbox.base_url)
    with pytest.raises(APIError) as caught:
        await graph.users.by_user_id(MIKKO_ID).get()
    assert caught.value.response_status_code == 429


async def test_toggle_faults_at_run_time(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    assert (await http.get("/_admin/faults")).json() == {
        "latencyMs": 0,
        "p429": 0.0,
        "p503": 0.0,
        "pDrop": 0.0,
        "retryAfterSeconds": 1,
        "seed": None,
        "pathContains": None,
        "method": None,
    }
    changed = await http.put("/_admin/faults", json={"p503": 1.0, "seed": 3})
    assert changed.json()["p503"] == 1.0 and changed.json()["seed"] == 3
    response = await http.get(f"/v1.0/users/{MIKKO_ID}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ServiceUnavailable"
    await http.put("/_admin/faults", json={"p503": 0})
    assert (await http.get(f"/v1.0/users/{MIKKO_ID}")).status_code == 200
    bad = await http.put("/_admin/faults", json={"p429": 2})
    assert bad.status_code == 400


async def test_faults_targeted_by_path_and_method(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    changed = await http.put("/_admin/faults", json={"p503": 1.0, "pathContains": "/users/", "method": "GET"})
    assert changed.json()["pathContains"] == "/users/" and changed.json()["method"] == "GET"
    assert (await http.get(f"/v1.0/users/{MIKKO_ID}")).status_code == 503
    assert (await http.get("/v1.0/places/microsoft.graph.room")).status_code == 200  # another path: untouched
    await http.put("/_admin/faults", json={"method": "POST"})
    assert (await http.get(f"/v1.0/users/{MIKKO_ID}")).status_code == 200  # another method: untouched
    assert (await http.put("/_admin/faults", json={"pathContains": 3})).status_code == 400
    await http.put("/_admin/faults", json={"p503": 0, "pathContains": None, "method": None})


async def test_sdk_retry_handler_honours_retry_after(sandbox: RunningSandbox, graph_for: GraphFactory) -> None:
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        # Seed 13 makes the first of four draws a 429 and the others pass (one draw per request).
        await http.put("/_admin/faults", json={"p429": 0.5, "retryAfterSeconds": 1, "seed": 13})
        await http.delete("/_admin/requests")
        graph = graph_for(sandbox.base_url, retries=True)
        for _ in range(3):
            user = await graph.users.by_user_id(MIKKO_ID).get()
            assert user is not None and user.display_name == "Mikko Miettinen"
        counts = (await http.get("/_admin/requests")).json()
    assert counts["byRoute"]["GET /v1.0/users/{user}"] == counts["total"] == 4
    assert counts["faults"] == {"429": 1}
    assert counts["byStatus"] == {"200": 3, "429": 1}


async def test_dropped_connection(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    await http.put("/_admin/faults", json={"pDrop": 1.0})
    with pytest.raises(httpx.RemoteProtocolError):
        await http.get(f"/v1.0/users/{MIKKO_ID}")
    await http.put("/_admin/faults", json={"pDrop": 0.0})
    assert (await http.get(f"/v1.0/users/{MIKKO_ID}")).status_code == 200


async def test_latency(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    await http.put("/_admin/faults", json={"latencyMs": 150})
    response = await http.get(f"/v1.0/users/{MIKKO_ID}")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.14


async def test_request_counter_and_reset(sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    await http.delete("/_admin/requests")
    await http.get(f"/v1.0/users/{MIKKO_ID}")
    await http.get(f"/v1.0/users/{mail('hanna.heikkinen')}")
    await http.get("/v1.0/places/microsoft.graph.room")
    await http.get("/v1.0/nope")
    counts = (await http.get("/_admin/requests")).json()
    assert counts["total"] == 4
    assert counts["byRoute"]["GET /v1.0/users/{user}"] == 2
    assert counts["byRoute"]["GET /v1.0/places/microsoft.graph.room"] == 1
    assert counts["byStatus"] == {"200": 3, "400": 1}
    await http.delete("/_admin/requests")
    assert (await http.get("/_admin/requests")).json()["total"] == 0


async def test_health(http: httpx.AsyncClient) -> None:
    health = (await http.get("/_admin/health")).json()
    assert health["status"] == "ok"
    assert health["users"] == 19 and health["rooms"] == 4
    assert health["defaultUser"] == mail("liisa.lahinen")
    assert health["events"] > 500


async def test_admin_respond(sandbox: RunningSandbox, http: httpx.AsyncClient, graph_for: GraphFactory) -> None:
    graph = graph_for(sandbox.base_url)
    day = week_day(1, 1)
    created = await graph.users.by_user_id(mail("niko.nieminen")).events.post(
        Event(
            subject="Yhdessä aika",
            start=DateTimeTimeZone(date_time=local(day, 12), time_zone="Europe/Helsinki"),
            end=DateTimeTimeZone(date_time=local(day, 13, 30), time_zone="Europe/Helsinki"),
            attendees=[
                Attendee(email_address=EmailAddress(address=mail("outi.oksanen"))),
                Attendee(email_address=EmailAddress(address=mail("jari.jaaskelainen"))),
            ],
            transaction_id="admin-respond-1",
        )
    )
    assert created is not None and created.id
    answered = await http.post(
        "/_admin/respond",
        json={"user": mail("outi.oksanen"), "transactionId": "admin-respond-1", "response": "accept"},
    )
    assert answered.status_code == 202
    answered = await http.post(
        "/_admin/respond",
        json={"user": mail("jari.jaaskelainen"), "eventICalUId": created.i_cal_u_id, "response": "decline"},
    )
    assert answered.status_code == 202
    organizer = await graph.users.by_user_id(mail("niko.nieminen")).events.by_event_id(created.id).get()
    assert organizer is not None
    responses = {
        a.email_address.address: a.status.response for a in organizer.attendees or [] if a.email_address and a.status
    }
    assert responses == {mail("outi.oksanen"): ResponseType.Accepted, mail("jari.jaaskelainen"): ResponseType.Declined}
    missing = await http.post(
        "/_admin/respond", json={"user": mail("outi.oksanen"), "transactionId": "nope", "response": "accept"}
    )
    assert missing.status_code == 404
    invalid = await http.post("/_admin/respond", json={"user": mail("outi.oksanen"), "response": "maybe"})
    assert invalid.status_code == 400


async def test_a_fifth_request_at_once_to_one_mailbox_is_throttled_as_outlook_does(
        sandbox: RunningSandbox, http: httpx.AsyncClient) -> None:
    """Outlook allows an app 4 requests under way per mailbox: the fifth at once is 429 ApplicationThrottled
    with a Retry-After; another mailbox, and the directory, are not held back; once answered, the places are
    free again."""
    await http.put("/_admin/faults", json={"latencyMs": 300})
    liisa = [http.get(f"/v1.0/users/{LIISA_ID}/events") for _ in range(5)]
    others = [http.get(f"/v1.0/users/{MIKKO_ID}/calendarView?startDateTime=2030-01-01T00:00:00"
                       "&endDateTime=2030-01-02T00:00:00"),
              *(http.get(f"/v1.0/users/{LIISA_ID}") for _ in range(2))]
    answers = await asyncio.gather(*liisa, *others)
    await http.put("/_admin/faults", json={"latencyMs": 0})

    statuses = sorted(a.status_code for a in answers[:5])
    assert statuses == [200, 200, 200, 200, 429]
    [throttled] = [a for a in answers[:5] if a.status_code == 429]
    assert throttled.json()["error"]["code"] == "ApplicationThrottled"
    assert "MailboxConcurrency" in throttled.json()["error"]["message"]
    assert throttled.headers["Retry-After"] == "1"
    assert [a.status_code for a in answers[5:]] == [200, 200, 200]
    again = await asyncio.gather(*(http.get(f"/v1.0/users/{LIISA_ID}/events") for _ in range(4)))
    assert [a.status_code for a in again] == [200] * 4
