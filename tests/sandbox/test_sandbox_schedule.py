"""getSchedule through msgraph-sdk: seeded busy blocks, rooms, OOF, errors, time zones."""

from __future__ import annotations

from datetime import time, timedelta

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from sandbox_support import HELSINKI, LIISA_ID, helsinki, local, mail, week_day

from graph.calendar import GraphCalendar
from m365_sandbox.core.tenant import default_tenant_path, load_tenant


def _body(schedules: list[str], day_start: str, day_end: str, zone: str = "Europe/Helsinki", interval: int = 30):
    return GetSchedulePostRequestBody(
        schedules=schedules,
        start_time=DateTimeTimeZone(date_time=day_start, time_zone=zone),
        end_time=DateTimeTimeZone(date_time=day_end, time_zone=zone),
        availability_view_interval=interval,
    )


async def test_known_busy_blocks_for_people_and_a_room(graph: GraphServiceClient) -> None:
    thursday = week_day(1, 3)
    body = _body(
        [mail("mikko.miettinen"), mail("kaste"), mail("hanna.heikkinen"), mail("ei.ole")],
        local(thursday, 8),
        local(thursday, 11),
        zone="FLE Standard Time",
    )
    result = await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body)
    assert result is not None and result.value is not None
    mikko, kaste, hanna, unknown = result.value

    assert mikko.schedule_id == mail("mikko.miettinen")
    assert mikko.availability_view is not None and mikko.availability_view.startswith("22")
    assert len(mikko.availability_view) == 6
    block = next(i for i in mikko.schedule_items or [] if i.subject == "Oppilashuoltoryhmä")
    assert block.status == FreeBusyStatus.Busy
    # No Prefer header: Graph returns the times in UTC (Helsinki is UTC+2 in early March).
    assert block.start is not None and block.start.date_time == f"{thursday}T06:00:00.0000000"
    assert block.start.time_zone == "UTC"
    assert block.end is not None and block.end.date_time == f"{thursday}T07:00:00.0000000"

    assert kaste.availability_view == "222200"
    assert kaste.working_hours is not None and kaste.working_hours.start_time == time(8)

    assert hanna.working_hours is not None
    assert hanna.working_hours.days_of_week is not None and len(hanna.working_hours.days_of_week) == 5
    assert hanna.working_hours.time_zone is not None and hanna.working_hours.time_zone.name == "FLE Standard Time"

    assert unknown.error is not None and unknown.error.response_code == "5009"
    assert not unknown.schedule_items


async def test_prefer_header_sets_the_response_time_zone(graph: GraphServiceClient) -> None:
    thursday = week_day(1, 3)
    config = RequestConfiguration()
    config.headers.add("Prefer", 'outlook.timezone="Europe/Helsinki"')
    body = _body([mail("mikko.miettinen")], f"{thursday}T06:00:00", f"{thursday}T09:00:00", zone="UTC")
    result = await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body, config)
    assert result is not None and result.value is not None
    item = next(i for i in result.value[0].schedule_items or [] if i.subject == "Oppilashuoltoryhmä")
    assert item.start is not None and item.start.date_time == f"{thursday}T08:00:00.0000000"
    assert item.start.time_zone == "Europe/Helsinki"


async def test_out_of_office_week_and_tentative_block(graph: GraphServiceClient) -> None:
    monday = week_day(2, 0)
    body = _body([mail("anna.airaksinen")], local(monday, 8), local(monday, 16), interval=60)
    result = await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body)
    assert result is not None and result.value is not None
    assert result.value[0].availability_view == "3" * 8
    tuesday = week_day(1, 1)
    body = _body([mail("petri.pitkanen")], local(tuesday, 12), local(tuesday, 13))
    result = await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body)
    assert result is not None and result.value is not None
    assert result.value[0].availability_view == "11"
    assert [i.status for i in result.value[0].schedule_items or []] == [FreeBusyStatus.Tentative]


async def test_window_of_62_days_or_more_is_rejected(graph: GraphServiceClient) -> None:
    # Graph's documentation: "The time period to look up must be less than 62 days" (Exchange has been seen
    # to accept exactly 62; the sandbox keeps to the documented, stricter limit).
    start = week_day(0, 0)
    for days, minutes in ((63, 0), (62, 0)):
        end = f"{start + timedelta(days=days)}T00:{minutes:02d}:00"
        body = _body([mail("mikko.miettinen")], local(start, 0), end, zone="UTC")
        with pytest.raises(ODataError) as caught:
            await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body)
        assert caught.value.response_status_code == 400
        assert caught.value.error is not None and caught.value.error.code == "ErrorTimeIntervalTooBig"
        assert f"the actual limit = {days} days" in str(caught.value.error.message)
    end = f"{start + timedelta(days=61)}T23:30:00"  # 62 days less half an hour: allowed
    body = _body([mail("mikko.miettinen")], local(start, 0), end, zone="UTC")
    result = await graph.users.by_user_id(LIISA_ID).calendar.get_schedule.post(body)
    assert result is not None and result.value is not None
    assert len(result.value[0].availability_view or "") == 62 * 48 - 1


async def test_at_most_20_schedules_per_request(http: httpx.AsyncClient) -> None:
    # Graph's documentation: "getSchedule can support looking up free/busy information for up to 20 entities
    # at once" (Exchange has been seen to allow 100: the sandbox keeps to the documented limit).
    thursday = week_day(1, 3)
    addresses = [f"henkilo{n}@esimerkkila.onmicrosoft.com" for n in range(21)]

    def body(schedules: list[str]) -> dict[str, object]:
        return {"schedules": schedules,
                "startTime": {"dateTime": local(thursday, 8), "timeZone": "Europe/Helsinki"},
                "endTime": {"dateTime": local(thursday, 10), "timeZone": "Europe/Helsinki"}}

    path = f"/v1.0/users/{LIISA_ID}/calendar/getSchedule"
    refused = await http.post(path, json=body(addresses))
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "ErrorMailboxDataArrayTooBig"
    assert error["message"].endswith("The allowed size = 20; the actual size = 21.")
    assert {"request-id", "date"} <= set(error["innerError"])
    accepted = await http.post(path, json=body(addresses[:20]))
    assert accepted.status_code == 200
    assert [s["scheduleId"] for s in accepted.json()["value"]] == addresses[:20]


async def test_camel_case_body_and_cast_path(http: httpx.AsyncClient) -> None:
    thursday = week_day(1, 3)
    response = await http.post(
        f"/v1.0/users/{mail('liisa.lahinen')}/calendar/microsoft.graph.getSchedule",
        json={
            "schedules": [mail("kaste")],
            "startTime": {"dateTime": local(thursday, 8), "timeZone": "Europe/Helsinki"},
            "endTime": {"dateTime": local(thursday, 10), "timeZone": "Europe/Helsinki"},
            "availabilityViewInterval": "60",
        },
    )
    assert response.status_code == 200
    assert response.json()["value"][0]["availabilityView"] == "22"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"schedules": []}, "ErrorInvalidParameter"),
        (
            {
                "schedules": ["a@b.c"],
                "startTime": {"dateTime": "2031-01-02T10:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2031-01-02T09:00:00", "timeZone": "UTC"},
            },
            "ErrorInvalidTimeInterval",
        ),
        (
            {
                "schedules": ["a@b.c"],
                "startTime": {"dateTime": "2031-01-02T10:00:00", "timeZone": "Mars/Olympus"},
                "endTime": {"dateTime": "2031-01-02T11:00:00", "timeZone": "UTC"},
            },
            "TimeZoneNotSupportedException",
        ),
        (
            {
                "schedules": ["a@b.c"],
                "startTime": {"dateTime": "2031-01-02T10:00:00", "timeZone": "UTC"},
                "endTime": {"dateTime": "2031-01-02T11:00:00", "timeZone": "UTC"},
                "availabilityViewInterval": 2,
            },
            "ErrorInvalidParameter",
        ),
    ],
)
async def test_invalid_requests_are_400(http: httpx.AsyncClient, body: dict[str, object], code: str) -> None:
    response = await http.post(f"/v1.0/users/{LIISA_ID}/calendar/getSchedule", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


async def test_malformed_json_is_400(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"/v1.0/users/{LIISA_ID}/calendar/getSchedule",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"


async def test_the_calendar_adapter_keeps_within_the_limits_whatever_it_is_asked(
        graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    # 27 addresses over 70 days: two batches of at most 20 schedules × two windows of 35 days, sent at once;
    # every answer is 200 (the sandbox refuses what Graph's documentation refuses) and merged per address.
    tenant = load_tenant(default_tenant_path())
    known = [box.mail for box in tenant.mailboxes]
    addresses = [*known, *(mail(f"ei.ole.{n}") for n in range(27 - len(known)))]
    assert len(addresses) == 27
    await http.delete("/_admin/requests")
    start = helsinki(week_day(0, 0), 0)
    found = await GraphCalendar(graph).schedules(LIISA_ID, addresses, start, start + timedelta(days=70),
                                                 "Europe/Helsinki")
    counts = (await http.get("/_admin/requests")).json()
    assert counts["byRoute"] == {"POST /v1.0/users/{user}/calendar/getSchedule": 4}
    assert counts["byStatus"] == {"200": 4}
    assert set(found) == {a.lower() for a in addresses}
    mikko = found[mail("mikko.miettinen")]
    thursdays = {i.start.astimezone(HELSINKI).date() for i in mikko.intervals
                 if i.start.astimezone(HELSINKI).time() == time(8) and i.start.weekday() == 3}
    # His weekly meeting on Thursdays 8–9 comes from both windows (the sandbox seeds 8 weeks ahead).
    assert {week_day(1, 3), week_day(7, 3)} <= thursdays
    assert mikko.error is None and mikko.working_hours is not None
    assert found[mail("ei.ole.0")].error == "5009"
