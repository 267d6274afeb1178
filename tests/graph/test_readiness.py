"""The readiness probe against recorded Graph answers: only reads (getSchedule over one hour, the calendar's and
the drive's id), each on the right tenant's client, and refusals as the port's error with status and code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from graph.readiness import GraphReadinessProbe
from tests.graph.recorded import (
    RecordedGraph,
    Reply,
    connected,
    failure,
    ok,
    recorded,
    service_error,
    status_and_code,
)

T = "esimerkkila.onmicrosoft.com"
HANNA = f"hanna.heikkinen@{T}"
TYPO = f"hanna.heikkine@{T}"
DEACON = "paula.pesonen@srk.example"
SCHEDULE = "POST /users/{user}/calendar/getSchedule"
CALENDAR = "GET /users/{user}/calendar"
DRIVE = "GET /users/{user}/drive"
START = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


def schedule_of(address: str) -> Reply:
    """The recorded getSchedule answer with only ``address``'s item (a schedule, or the 5009 error)."""
    answer = recorded("getSchedule")
    answer["value"] = [item for item in answer["value"] if item["scheduleId"] == address]
    return Reply(200, answer)


async def test_free_busy_is_one_hours_getschedule_for_one_address_as_the_organizer() -> None:
    graph = RecordedGraph({SCHEDULE: schedule_of(HANNA)})

    async with connected(graph) as holder:
        shared = await GraphReadinessProbe(holder.client).free_busy(None, "liisa@" + T, HANNA, START, END)

    assert shared is True
    [sent] = graph.seen
    assert sent.path == f"/users/liisa@{T}/calendar/getSchedule"
    body = sent.json()
    assert body["Schedules"] == [HANNA]
    window = (body["StartTime"]["dateTime"], body["EndTime"]["dateTime"])
    assert window == ("2027-03-26T07:00:00", "2027-03-26T08:00:00")


async def test_a_5009_in_the_item_means_not_shared_not_a_failure() -> None:
    graph = RecordedGraph({SCHEDULE: schedule_of(TYPO)})

    async with connected(graph) as holder:
        shared = await GraphReadinessProbe(holder.client).free_busy(None, HANNA, TYPO, START, END)

    assert shared is False


async def test_calendar_and_drive_are_read_for_their_id_only_and_nothing_is_written() -> None:
    graph = RecordedGraph({CALENDAR: ok("calendar"), DRIVE: ok("drive")})

    async with connected(graph) as holder:
        probe = GraphReadinessProbe(holder.client)
        await probe.calendar(None, HANNA)
        await probe.drive(None, HANNA)

    assert [(s.method, s.path, s.query) for s in graph.seen] == [
        ("GET", f"/users/{HANNA}/calendar", {"$select": "id"}),
        ("GET", f"/users/{HANNA}/drive", {"$select": "id"})]


async def test_a_refusal_is_the_ports_error_with_status_and_code() -> None:
    graph = RecordedGraph({CALENDAR: failure(403, "error_mailbox_refused"),
                           DRIVE: failure(403, "error_drive_access_denied")})

    async with connected(graph) as holder:
        probe = GraphReadinessProbe(holder.client)
        with pytest.raises(service_error()) as calendar_refused:
            await probe.calendar(None, HANNA)
        with pytest.raises(service_error()) as drive_refused:
            await probe.drive(None, HANNA)

    assert status_and_code(calendar_refused.value) == (403, "ErrorAccessDenied")
    assert status_and_code(drive_refused.value) == (403, "accessDenied")


async def test_a_partner_is_probed_only_through_its_own_client() -> None:
    home = RecordedGraph({})  # any request here fails the test
    parish = RecordedGraph({SCHEDULE: schedule_of(HANNA), CALENDAR: ok("calendar"), DRIVE: ok("drive")})

    async with connected(home) as ours, connected(parish) as theirs:
        probe = GraphReadinessProbe(ours.client, {"srk": theirs.client})
        assert probe.reaches("srk") and not probe.reaches("yhdistys")
        await probe.free_busy("srk", HANNA, HANNA, START, END)
        await probe.calendar("srk", DEACON)
        await probe.drive("srk", DEACON)
        with pytest.raises(service_error()) as unknown:
            await probe.calendar("yhdistys", DEACON)

    assert home.seen == []
    assert [s.route for s in parish.seen] == [SCHEDULE, CALENDAR, DRIVE]
    assert status_and_code(unknown.value) == (401, "noPartnerClient")
