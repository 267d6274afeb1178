"""The subscription gateway against recorded Graph answers: create (with the lifecycle URL), renew, delete.
Failures are the error the subscription service catches (``service_error()``), with Graph's status and code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from graph.subscriptions import GraphSubscriptions
from tests.graph.recorded import (
    DROP,
    RecordedGraph,
    Reply,
    Waits,
    connected,
    failure,
    ok,
    recorded,
    service_error,
    status_and_code,
)

LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"
SUBSCRIPTION = recorded("subscription_created")
SUB_ID = SUBSCRIPTION["id"]
CREATE = "POST /subscriptions"
ONE = "/subscriptions/{id}"
NOTIFY = "https://yhdessa-aika.esimerkkila.fi/api/graph/notifications"
LIFECYCLE = "https://yhdessa-aika.esimerkkila.fi/api/graph/lifecycle"
#: Asked for three days from the booking, given in Helsinki time: sent as UTC.
ASKED = datetime(2027, 3, 25, 10, 14, 6, tzinfo=ZoneInfo("Europe/Helsinki"))


async def test_a_subscription_is_created_with_both_urls_and_graphs_expiry_is_kept() -> None:
    graph = RecordedGraph({CREATE: ok("subscription_created", 201)})

    async with connected(graph) as holder:
        created = await GraphSubscriptions(holder.client).create(
            f"users/{LIISA}/events", "created,updated,deleted", NOTIFY, LIFECYCLE, "m3Qx7VbT2pLw9sKdR8nF", ASKED)

    assert created == (SUB_ID, datetime(2027, 3, 25, 8, 14, 6, tzinfo=UTC))
    [sent] = graph.seen
    body = sent.json()
    assert {k: body[k] for k in ("resource", "changeType", "notificationUrl", "lifecycleNotificationUrl",
                                 "clientState")} == {
        "resource": f"users/{LIISA}/events", "changeType": "created,updated,deleted", "notificationUrl": NOTIFY,
        "lifecycleNotificationUrl": LIFECYCLE, "clientState": "m3Qx7VbT2pLw9sKdR8nF"}
    assert datetime.fromisoformat(body["expirationDateTime"]) == ASKED
    assert datetime.fromisoformat(body["expirationDateTime"]).utcoffset() == timedelta(0)


async def test_a_create_is_not_repeated_after_a_dropped_connection() -> None:
    graph = RecordedGraph({CREATE: [DROP, ok("subscription_created", 201)]})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphSubscriptions(holder.client).create(
                f"users/{LIISA}/events", "updated", NOTIFY, LIFECYCLE, "state", ASKED)

    assert status_and_code(caught.value) == (None, "ConnectError")
    assert len(graph.seen) == 1, "a second POST could leave a duplicate subscription behind"


async def test_renewing_patches_only_the_expiry_and_returns_graphs() -> None:
    graph = RecordedGraph({f"PATCH {ONE}": ok("subscription_renewed")})

    async with connected(graph) as holder:
        expiry = await GraphSubscriptions(holder.client).renew(SUB_ID, ASKED + timedelta(days=3))

    assert expiry == datetime(2027, 3, 28, 8, 14, 6, tzinfo=UTC)
    [sent] = graph.seen
    assert sent.path == f"/subscriptions/{SUB_ID}"
    assert list(sent.json()) == ["expirationDateTime"]


async def test_renewing_a_subscription_graph_no_longer_knows_says_404() -> None:
    graph = RecordedGraph({f"PATCH {ONE}": failure(404, "error_subscription_not_found")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphSubscriptions(holder.client).renew(SUB_ID, ASKED)

    assert status_and_code(caught.value) == (404, "ResourceNotFound")


@pytest.mark.parametrize("reply", [Reply(204), failure(404, "error_subscription_not_found")], ids=["deleted", "gone"])
async def test_deleting_a_subscription_or_one_already_gone_succeeds(reply: Reply) -> None:
    graph = RecordedGraph({f"DELETE {ONE}": reply})

    async with connected(graph) as holder:
        await GraphSubscriptions(holder.client).delete(SUB_ID)

    assert [s.path for s in graph.seen] == [f"/subscriptions/{SUB_ID}"]


async def test_a_delete_graph_cannot_do_now_is_reported_after_the_retries(waits: Waits) -> None:
    graph = RecordedGraph({f"DELETE {ONE}": failure(503, "error_service_unavailable")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphSubscriptions(holder.client).delete(SUB_ID)

    assert status_and_code(caught.value) == (503, "serviceNotAvailable")
    assert len(graph.seen) == 4 and len(waits.seconds) == 3


async def test_an_expiry_without_a_time_zone_is_refused_before_graph_is_asked() -> None:
    graph = RecordedGraph({})

    async with connected(graph) as holder:
        with pytest.raises(ValueError, match="timezone-aware"):
            await GraphSubscriptions(holder.client).renew(SUB_ID, datetime(2027, 3, 25, 8))

    assert graph.seen == []
