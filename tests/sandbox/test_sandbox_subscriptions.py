"""Change notifications: the validation handshake, limits, renewal, notifications, lifecycle, the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from msgraph import GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.subscription import Subscription
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import AcceptPostRequestBody
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import DeclinePostRequestBody
from sandbox_csdl import Schema, check_notification_payload
from sandbox_receiver import Receiver
from sandbox_support import (
    LIISA_ID,
    MIKKO_ID,
    TENANT_ID,
    GraphFactory,
    StartSandbox,
    local,
    mail,
    settle,
    week_day,
)

NOW = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
SECRET = "yhdessa-aika-salaisuus"


async def set_clock(http: httpx.AsyncClient, moment: datetime = NOW) -> None:
    """Put the sandbox clock at ``moment``."""
    response = await http.put("/_admin/clock", json={"now": moment.isoformat().replace("+00:00", "Z")})
    assert response.status_code == 200, response.text


def subscription(
    receiver: Receiver,
    resource: str = f"users/{LIISA_ID}/events",
    expires: datetime | None = None,
    lifecycle: bool = True,
) -> Subscription:
    """What the bot sends to subscribe to its organizer's calendar."""
    return Subscription(
        change_type="created,updated,deleted",
        notification_url=receiver.url,
        lifecycle_notification_url=receiver.lifecycle_url if lifecycle else None,
        resource=resource,
        expiration_date_time=expires or NOW + timedelta(days=3),
        client_state=SECRET,
        latest_supported_tls_version="v1_2",
    )


async def subscribe(graph: GraphServiceClient, body: Subscription) -> Subscription:
    """POST /subscriptions through msgraph-sdk."""
    created = await graph.subscriptions.post(body)
    assert created is not None and created.id is not None
    return created


async def book(http: httpx.AsyncClient, people: list[str]) -> dict[str, Any]:
    """The organizer (Liisa) books a Yhdessä aika with ``people``."""
    day = week_day(1, 1)
    response = await http.post(
        f"/v1.0/users/{LIISA_ID}/events",
        json={
            "subject": "Yhdessä aika",
            "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 13), "timeZone": "Europe/Helsinki"},
            "attendees": [{"type": "required", "emailAddress": {"address": mail(p)}} for p in people],
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def copy_id(http: httpx.AsyncClient, user: str, ical_uid: str) -> str:
    """The id of an attendee's copy of a meeting."""
    response = await http.get(f"/v1.0/users/{user}/events", params={"$filter": f"iCalUId eq '{ical_uid}'"})
    return str(response.json()["value"][0]["id"])


async def test_handshake_then_201(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    created = await subscribe(graph, subscription(receiver))
    assert created.client_state == SECRET and created.resource == f"users/{LIISA_ID}/events"
    assert created.expiration_date_time == NOW + timedelta(days=3)
    assert created.change_type == "created,updated,deleted" and created.latest_supported_tls_version == "v1_2"
    assert len(receiver.tokens) == 2  # notificationUrl and lifecycleNotificationUrl are both validated
    assert all(t.startswith("Validation: Testing client application reachability") for t in receiver.tokens)
    listed = await graph.subscriptions.get()
    assert listed is not None and [s.id for s in listed.value or []] == [created.id]
    log = (await http.get("/_admin/notifications")).json()
    assert log["counts"] == {"delivered": 2, "validation": 2}


@pytest.mark.parametrize("answer", ["error", "wrong", "json"])
async def test_failed_handshake_gives_400_and_no_subscription(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver, answer: str
) -> None:
    await set_clock(http)
    receiver.validation = answer  # type: ignore[assignment]
    with pytest.raises(ODataError) as caught:
        await graph.subscriptions.post(subscription(receiver))
    assert caught.value.response_status_code == 400
    error = caught.value.error
    assert error is not None and error.code == "ValidationError"
    assert error.message is not None and error.message.startswith("Subscription validation request failed.")
    assert (await http.get("/v1.0/subscriptions")).json()["value"] == []


async def test_unreachable_lifecycle_url_fails_too(graph: GraphServiceClient, http: httpx.AsyncClient,
                                                   receiver: Receiver) -> None:
    await set_clock(http)
    body = subscription(receiver)
    body.lifecycle_notification_url = "http://127.0.0.1:9/lifecycle"
    with pytest.raises(ODataError) as caught:
        await graph.subscriptions.post(body)
    assert caught.value.response_status_code == 400
    assert (await http.get("/v1.0/subscriptions")).json()["value"] == []


async def test_expiration_limits_and_renewal(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    refused = ((NOW - timedelta(minutes=1), "InvalidRequest"), (NOW + timedelta(minutes=10081), "ExtensionError"))
    for expires, code in refused:
        with pytest.raises(ODataError) as caught:
            await graph.subscriptions.post(subscription(receiver, expires=expires))
        assert caught.value.response_status_code == 400
        assert caught.value.error is not None and caught.value.error.code == code
    longest = await subscribe(graph, subscription(receiver, expires=NOW + timedelta(minutes=10080)))
    assert longest.expiration_date_time == NOW + timedelta(minutes=10080)
    short = await subscribe(graph, subscription(receiver, expires=NOW + timedelta(minutes=10)))
    assert short.expiration_date_time is not None
    assert abs(short.expiration_date_time - (NOW + timedelta(minutes=45))) < timedelta(seconds=30)

    renewed = await graph.subscriptions.by_subscription_id(short.id or "").patch(
        Subscription(expiration_date_time=NOW + timedelta(days=6))
    )
    assert renewed is not None and renewed.expiration_date_time == NOW + timedelta(days=6)
    fetched = await graph.subscriptions.by_subscription_id(short.id or "").get()
    assert fetched is not None and fetched.expiration_date_time == NOW + timedelta(days=6)
    too_long = await http.patch(f"/v1.0/subscriptions/{short.id}", json={"expirationDateTime": "2031-03-20T00:00:00Z"})
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "ExtensionError"
    other = await http.patch(f"/v1.0/subscriptions/{short.id}", json={"resource": "me/events"})
    assert other.status_code == 400
    await graph.subscriptions.by_subscription_id(short.id or "").delete()
    assert (await http.get(f"/v1.0/subscriptions/{short.id}")).status_code == 404


async def test_meeting_life_notifies_organizer_and_attendee(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver, csdl: Schema
) -> None:
    await set_clock(http)
    organizer = await subscribe(graph, subscription(receiver))
    attendee = await subscribe(graph, subscription(receiver, resource=f"/users/{mail('mikko.miettinen')}/events"))
    event = await book(http, ["mikko.miettinen", "hanna.heikkinen", "niko.nieminen"])
    mine = f"Users/{LIISA_ID}/Events/{event['id']}"

    def of(entries: list[dict[str, Any]], subscription_id: str | None) -> list[tuple[str, str]]:
        return [(e["changeType"], e["resource"]) for e in entries if e["subscriptionId"] == subscription_id]

    entries = await receiver.wait_for(lambda e: len(e) >= 2)
    assert of(entries, organizer.id) == [("created", mine)]
    mikko_copy = await copy_id(http, MIKKO_ID, event["iCalUId"])
    assert of(entries, attendee.id) == [("created", f"Users/{MIKKO_ID}/Events/{mikko_copy}")]
    first = next(e for e in entries if e["subscriptionId"] == organizer.id)
    assert first["clientState"] == SECRET and first["tenantId"] == TENANT_ID
    assert first["resourceData"] == {
        "@odata.type": "#Microsoft.Graph.Event", "@odata.id": mine, "@odata.etag": f'W/"{event["changeKey"]}"',
        "id": event["id"],
    }

    # Mikko accepts on his copy: his copy and the organizer's attendee statuses change.
    await graph.users.by_user_id(MIKKO_ID).events.by_event_id(mikko_copy).accept.post(
        AcceptPostRequestBody(send_response=True)
    )
    entries = await receiver.wait_for(lambda e: len(e) >= 4)
    assert of(entries, organizer.id)[-1] == ("updated", mine)
    assert of(entries, attendee.id)[-1] == ("updated", f"Users/{MIKKO_ID}/Events/{mikko_copy}")
    current = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
    latest = [e for e in entries if e["subscriptionId"] == organizer.id][-1]
    assert latest["resourceData"]["@odata.etag"] == f'W/"{current["changeKey"]}"'

    # Hanna declines through the SDK, Niko answers through the admin one-liner: both reach the organizer.
    hanna_copy = await copy_id(http, "hanna.heikkinen@esimerkkila.onmicrosoft.com", event["iCalUId"])
    await graph.users.by_user_id(mail("hanna.heikkinen")).events.by_event_id(hanna_copy).decline.post(
        DeclinePostRequestBody(send_response=True)
    )
    await receiver.wait_for(lambda e: len(of(e, organizer.id)) >= 3)
    answered = await http.post(
        "/_admin/respond",
        json={"user": mail("niko.nieminen"), "eventICalUId": event["iCalUId"], "response": "tentativelyAccept"},
    )
    assert answered.status_code == 202
    entries = await receiver.wait_for(lambda e: len(of(e, organizer.id)) >= 4)
    assert of(entries, organizer.id)[2:] == [("updated", mine), ("updated", mine)]

    # The organizer cancels: the organizer's event is deleted, the attendee's copy is updated (cancelled).
    cancelled = await http.post(f"/v1.0/users/{LIISA_ID}/events/{event['id']}/cancel", json={"comment": "Peruttu"})
    assert cancelled.status_code == 202
    entries = await receiver.wait_for(lambda e: len(of(e, organizer.id)) >= 5 and len(of(e, attendee.id)) >= 3)
    assert of(entries, organizer.id)[-1] == ("deleted", mine)
    assert of(entries, attendee.id)[-1] == ("updated", f"Users/{MIKKO_ID}/Events/{mikko_copy}")
    for received in receiver.received:
        assert check_notification_payload(csdl, received.payload) == []
    log = await settle(http)
    assert log["counts"]["change"] == 8 and log["counts"].get("failed", 0) == 0


async def test_single_event_and_me_resources(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    event = await book(http, [])
    one = await subscribe(graph, subscription(receiver, resource=f"users/{LIISA_ID}/events/{event['id']}"))
    me = await subscribe(graph, subscription(receiver, resource="me/events"))  # the default user is Liisa
    await book(http, [])
    patched = await http.patch(f"/v1.0/users/{LIISA_ID}/events/{event['id']}", json={"subject": "Siirretty"})
    assert patched.status_code == 200
    entries = await receiver.wait_for(lambda e: len(e) >= 3)
    assert sorted((e["subscriptionId"] == one.id, e["changeType"]) for e in entries) == [
        (False, "created"), (False, "updated"), (True, "updated"),
    ]
    bad = await http.post("/v1.0/subscriptions", json={**_raw(receiver), "resource": "users/x/messages"})
    assert bad.status_code == 400
    assert me.resource == "me/events"


def _raw(receiver: Receiver) -> dict[str, Any]:
    return {
        "changeType": "created",
        "notificationUrl": receiver.url,
        "resource": f"users/{LIISA_ID}/events",
        "expirationDateTime": (NOW + timedelta(days=1)).isoformat(),
    }


async def test_lifecycle_notifications_on_demand(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver, csdl: Schema
) -> None:
    await set_clock(http)
    created = await subscribe(graph, subscription(receiver))
    for event in ("reauthorizationRequired", "missed"):
        sent = await http.post("/_admin/lifecycle", json={"subscriptionId": created.id, "lifecycleEvent": event})
        assert sent.status_code == 202
    entries = await receiver.wait_for(lambda e: len(e) >= 2, path="/lifecycle")
    assert [e["lifecycleEvent"] for e in entries] == ["reauthorizationRequired", "missed"]
    assert entries[0] == {
        "subscriptionId": created.id,
        "subscriptionExpirationDateTime": "2031-03-06T08:00:00.0000000Z",
        "tenantId": TENANT_ID,
        "clientState": SECRET,
        "lifecycleEvent": "reauthorizationRequired",
    }
    assert (await http.post(f"/v1.0/subscriptions/{created.id}/reauthorize")).status_code == 204
    removal = {"subscriptionId": created.id, "lifecycleEvent": "subscriptionRemoved"}
    removed = await http.post("/_admin/lifecycle", json=removal)
    assert removed.status_code == 202
    await receiver.wait_for(lambda e: len(e) >= 3, path="/lifecycle")
    assert (await http.get(f"/v1.0/subscriptions/{created.id}")).status_code == 404
    for received in receiver.received:
        assert check_notification_payload(csdl, received.payload) == []
    plain = await subscribe(graph, subscription(receiver, lifecycle=False))
    refused = await http.post("/_admin/lifecycle", json={"subscriptionId": plain.id, "lifecycleEvent": "missed"})
    assert refused.status_code == 409


async def test_clock_past_expiration_ends_the_subscription(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    created = await subscribe(graph, subscription(receiver, expires=NOW + timedelta(minutes=60)))
    moved = (await http.put("/_admin/clock", json={"advanceMinutes": 61})).json()
    assert moved["now"].startswith("2031-03-03T09:01") and moved["expiredSubscriptions"] == [created.id]
    assert (await http.get(f"/v1.0/subscriptions/{created.id}")).status_code == 404
    assert (await http.get("/v1.0/subscriptions")).json()["value"] == []
    event = await book(http, [])
    assert event["createdDateTime"].startswith("2031-03-03T09:01")  # the sandbox clock stamps everything
    log = await settle(http)
    assert "change" not in log["counts"] and receiver.entries() == []


async def test_failed_deliveries_are_retried(
    graph: GraphServiceClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    await subscribe(graph, subscription(receiver))
    receiver.fail_next = 2
    await book(http, [])
    await receiver.wait_for(lambda e: len(e) == 1)
    log = await settle(http)
    change = next(d for d in log["deliveries"] if d["kind"] == "change")
    assert change["status"] == "delivered" and change["attempts"] == 3 and change["responses"] == [503, 503, 202]
    assert (await http.delete("/_admin/notifications")).status_code == 204
    assert (await http.get("/_admin/notifications")).json()["deliveries"] == []


async def test_restart_keeps_subscriptions_and_clock(
    start: StartSandbox, graph_for: GraphFactory, receiver: Receiver, tmp_path: Path
) -> None:
    db = tmp_path / "subscriptions.db"
    first = await start(db)
    async with httpx.AsyncClient(base_url=first.root_url) as http:
        await set_clock(http)
        created = await subscribe(graph_for(first.base_url), subscription(receiver))
    await first.close()
    second = await start(db)
    async with httpx.AsyncClient(base_url=second.root_url) as http:
        assert (await http.get(f"/v1.0/subscriptions/{created.id}")).status_code == 200
        assert (await http.get("/_admin/clock")).json()["now"].startswith("2031-03-03T08:0")
        await book(http, [])
        entries = await receiver.wait_for(lambda e: len(e) == 1)
    assert entries[0]["subscriptionId"] == created.id
