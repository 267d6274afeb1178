"""How Graph's failures reach the service layer through the production client (graph.client): throttling
waited only up to the cap, 503 retried, a dropped connection retried for a request that is safe to repeat,
refusals and absences reported at once with only Graph's status and code. No test sleeps: the waits the
retry policies ask for are recorded (``waits``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.availability import Schedule
from domain.convening import Person
from graph.calendar import GraphCalendar
from graph.drive import GraphDrive
from services.ports import EventDraft
from tests.graph.recorded import (
    DROP,
    RecordedGraph,
    Reply,
    Waits,
    connected,
    failure,
    ok,
    service_error,
    status_and_code,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
T = "esimerkkila.onmicrosoft.com"
LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"
PEOPLE = [f"hanna.heikkinen@{T}", f"mikko.miettinen@{T}", f"kaste@{T}", f"hanna.heikkine@{T}"]
SCHEDULE = "POST /users/{user}/calendar/getSchedule"
START, END = datetime(2027, 3, 26, tzinfo=HELSINKI), datetime(2027, 3, 30, tzinfo=HELSINKI)


async def _search(graph: RecordedGraph, *, max_retry_after: float = 5.0) -> dict[str, Schedule]:
    """The free/busy of the recorded people, as a slot search asks for it."""
    async with connected(graph, max_retry_after=max_retry_after) as holder:
        return dict(await GraphCalendar(holder.client).schedules(LIISA, PEOPLE, START, END, "Europe/Helsinki"))


async def test_throttling_within_the_cap_is_waited_and_the_search_goes_on(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: [failure(429, "error_throttled", Retry_After="2"), ok("getSchedule")]})

    found = await _search(graph)

    assert set(found) == set(PEOPLE)
    assert waits.seconds == [2.0]
    first, second = graph.seen
    assert second.content == first.content
    assert ("Retry-Attempt" not in first.headers, second.headers["Retry-Attempt"]) == (True, "1")


@pytest.mark.parametrize(("retry_after", "cap"), [("120", 5.0), ("2", 1.0)], ids=["120s-over-5s", "2s-over-1s"])
async def test_throttling_beyond_the_cap_fails_at_once_without_waiting(waits: Waits, retry_after: str,
                                                                       cap: float) -> None:
    graph = RecordedGraph({SCHEDULE: failure(429, "error_throttled", Retry_After=retry_after)})

    with pytest.raises(service_error()) as caught:
        await _search(graph, max_retry_after=cap)

    assert status_and_code(caught.value) == (429, "TooManyRequests")
    assert getattr(caught.value, "retry_after", float(retry_after)) == float(retry_after)
    assert len(graph.seen) == 1 and waits.seconds == []


async def test_an_unavailable_graph_is_asked_again_after_a_short_backoff(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: [failure(503, "error_service_unavailable"), ok("getSchedule")]})

    found = await _search(graph)

    assert found[f"hanna.heikkine@{T}"].error == "5009"
    assert len(graph.seen) == 2
    [backoff] = waits.seconds
    assert 0.2 <= backoff <= 2.0, "a short base delay plus jitter: a card action still answers in time"


async def test_graph_unavailable_every_time_is_reported_after_three_retries(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: failure(503, "error_service_unavailable")})

    with pytest.raises(service_error()) as caught:
        await _search(graph)

    assert status_and_code(caught.value) == (503, "serviceNotAvailable")
    assert len(graph.seen) == 4 and len(waits.seconds) == 3
    assert sum(waits.seconds) < 6, "all the retries of a search fit in a card action's budget"


async def test_a_dropped_connection_is_retried_for_a_search(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: [DROP, ok("getSchedule")]})

    found = await _search(graph)

    assert set(found) == set(PEOPLE)
    assert len(graph.seen) == 2 and waits.seconds == [0.2]


async def test_a_connection_that_keeps_dropping_is_given_up_after_three_attempts(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: DROP})

    with pytest.raises(service_error()) as caught:
        await _search(graph)

    assert status_and_code(caught.value) == (None, "ConnectError")
    assert len(graph.seen) == 3 and waits.seconds == [0.2, 0.4]


async def test_a_throttled_create_is_sent_again_with_the_same_transaction_id(waits: Waits) -> None:
    graph = RecordedGraph({"POST /users/{user}/events": [failure(429, "error_throttled", Retry_After="1"),
                                                         ok("event_created", 201)]})
    start = datetime(2027, 4, 1, 9, tzinfo=HELSINKI)
    draft = EventDraft("Yhdessä aika", "<p>Tervetuloa.</p>", start, start + timedelta(hours=1), "Europe/Helsinki",
                       (Person(f"hanna.heikkinen@{T}", "Hanna Heikkinen"),), None, None, "Teams", True,
                       "yhdessa-aika-3f9c1e7a52d84b0e")

    async with connected(graph) as holder:
        created = await GraphCalendar(holder.client).create_event(LIISA, draft)

    assert created.join_url is not None
    assert [s.json()["transactionId"] for s in graph.seen] == ["yhdessa-aika-3f9c1e7a52d84b0e"] * 2
    assert waits.seconds == [1.0]


async def test_a_mailbox_outside_the_apps_access_policy_is_refused_at_once(waits: Waits) -> None:
    graph = RecordedGraph({SCHEDULE: failure(403, "error_mailbox_refused")})

    with pytest.raises(service_error()) as caught:
        await _search(graph)

    assert status_and_code(caught.value) == (403, "ErrorAccessDenied")
    assert "Blocked" not in str(caught.value), "Graph's message stays out of the error"
    assert len(graph.seen) == 1 and waits.seconds == []


async def test_a_drive_the_app_may_not_use_is_refused_at_once(waits: Waits) -> None:
    graph = RecordedGraph({"PUT /users/{user}/drive/root:/{folder}/{name}:/content":
                           failure(403, "error_drive_access_denied")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphDrive(holder.client, holder.http).upload(f"mikko.miettinen@{T}", "Yhdessä aika", "x.pdf",
                                                                b"%PDF")

    assert status_and_code(caught.value) == (403, "accessDenied")
    assert len(graph.seen) == 1 and waits.seconds == []


async def test_an_answer_that_is_not_graphs_json_is_not_taken_for_an_empty_schedule() -> None:
    graph = RecordedGraph({SCHEDULE: Reply(502, b"<html><body>Bad Gateway</body></html>",
                                           {"Content-Type": "text/html"})})

    with pytest.raises(service_error()) as caught:
        await _search(graph)

    assert status_and_code(caught.value)[0] == 502
