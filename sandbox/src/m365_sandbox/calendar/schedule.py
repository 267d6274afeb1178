"""calendar: getSchedule — free/busy of users and rooms as ``scheduleInformation`` objects."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from m365_sandbox.calendar.service import CalendarService
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.timezones import (
    format_date_time_time_zone,
    format_time_of_day,
    parse_date_time_time_zone,
    windows_name,
)

#: Graph's documented limits for getSchedule ("Limits and error conditions" in
#: https://learn.microsoft.com/graph/outlook-get-free-busy-schedule): up to 20 entities at once, and a
#: time period of less than 62 days. Exchange has been seen to accept 100 schedules and exactly 62 days
#: (microsoftgraph/microsoft-graph-docs issues #7047 and #19703); the sandbox holds the bot to the
#: stricter, documented limits so that a test catches a request that real Graph may refuse some day.
MAX_SCHEDULES = 20
MAX_WINDOW_DAYS = 62  # exclusive: the window must be shorter
# Which status wins when items overlap within one availabilityView interval.
_PRIORITY = {"free": 0, "workingElsewhere": 1, "tentative": 2, "busy": 3, "oof": 4, "unknown": 3}
_RANK_DIGIT = "04123"  # availabilityView digit for each rank above
#: What Exchange answers (HTTP 200, per address) for an address it cannot resolve or may not show.
UNRESOLVED_CODE = "5009"


@dataclass(frozen=True)
class ScheduleRequest:
    """A validated getSchedule request body."""

    schedules: tuple[str, ...]
    start: datetime
    end: datetime
    interval_minutes: int


def parse_request(body: dict[str, Any]) -> ScheduleRequest:
    """Validate the body; keys may be camelCase (docs) or PascalCase (msgraph-sdk for Python)."""
    fields = {key.lower(): value for key, value in body.items()}
    schedules = fields.get("schedules")
    if not isinstance(schedules, list) or not schedules or not all(isinstance(s, str) for s in schedules):
        raise GraphError(400, "ErrorInvalidParameter", "The parameter 'Schedules' must be a non-empty collection.")
    if len(schedules) > MAX_SCHEDULES:
        # Exchange's own code and wording (with its observed limit of 100 replaced by the documented 20).
        raise GraphError(
            400,
            "ErrorMailboxDataArrayTooBig",
            "There are too many target users in the EmailAddress array. "
            f"The allowed size = {MAX_SCHEDULES}; the actual size = {len(schedules)}.",
        )
    if fields.get("starttime") is None or fields.get("endtime") is None:
        raise GraphError(400, "ErrorInvalidParameter", "The parameters 'StartTime' and 'EndTime' are required.")
    start = parse_date_time_time_zone(fields["starttime"], "StartTime")
    end = parse_date_time_time_zone(fields["endtime"], "EndTime")
    interval = _interval(fields.get("availabilityviewinterval"))
    if end <= start:
        raise GraphError(400, "ErrorInvalidTimeInterval", "The end time must be later than the start time.")
    span = end - start
    if span >= timedelta(days=MAX_WINDOW_DAYS):
        actual = math.ceil(span / timedelta(days=1))
        raise GraphError(
            400,
            "ErrorTimeIntervalTooBig",
            "The requested time duration specified for FreeBusyViewOptions.TimeWindow is too long. "
            f"The allowed limit = less than {MAX_WINDOW_DAYS} days; the actual limit = {actual} days.",
        )
    return ScheduleRequest(tuple(schedules), start, end, interval)


def _interval(raw: object) -> int:
    if raw is None:
        return 30
    try:
        value = int(str(raw)) if not isinstance(raw, bool) else -1
    except ValueError:
        value = -1
    if not 5 <= value <= 1440:
        raise GraphError(
            400,
            "ErrorInvalidParameter",
            "The parameter 'AvailabilityViewInterval' must be between 5 and 1440 minutes.",
        )
    return value


def get_schedule(
    service: CalendarService, request: ScheduleRequest, zone_name: str, caller: Tenant | None = None
) -> list[dict[str, Any]]:
    """One ``scheduleInformation`` per requested address, times shown in ``zone_name``.

    ``caller`` (default: the service's home tenant) is the tenant asking. Its own users and rooms answer in
    full; those of another sandbox tenant answer free/busy only (no subject, no location) when that tenant
    shares calendar availability with the caller's, else, like outside and unknown addresses, with the
    error entry Graph returns (HTTP 200, ``responseCode`` 5009).
    """
    asking = caller or service.tenant
    return [_schedule(service, address, request, zone_name, asking) for address in request.schedules]


def unresolved(address: str) -> dict[str, Any]:
    """Graph's entry for an address it cannot show (microsoftgraph/microsoft-graph-docs issue #11225)."""
    return {
        "scheduleId": address,
        "error": {
            "message": f"Unable to resolve e-mail address {address} to an Active Directory object.",
            "responseCode": UNRESOLVED_CODE,
        },
    }


def _schedule(
    service: CalendarService, address: str, request: ScheduleRequest, zone: str, caller: Tenant
) -> dict[str, Any]:
    box = service.directory.find(address) if "@" in address else None
    if box is None:
        return unresolved(address)
    owner = service.directory.tenant_of(box)
    basic = owner.tenant_id != caller.tenant_id
    if basic and not service.directory.shares_availability(owner, caller):
        return unresolved(address)
    items = [
        e
        for e in service.events(box)
        if not e.is_cancelled and e.overlaps(request.start, request.end)
    ]
    slots = math.ceil((request.end - request.start) / timedelta(minutes=request.interval_minutes))
    view = [0] * slots
    width = timedelta(minutes=request.interval_minutes)
    for item in items:
        rank = _PRIORITY.get(item.show_as, 3)
        if rank == 0:
            continue
        first = max(0, math.floor((item.start - request.start) / width))
        last = min(slots, math.ceil((item.end - request.start) / width))
        for index in range(first, last):
            view[index] = max(view[index], rank)
    shown = [_basic_item(e.data, e.start, e.end, zone) if basic else _item(e.data, e.start, e.end, zone) for e in items]
    return {
        "scheduleId": address,
        "availabilityView": "".join(_RANK_DIGIT[v] for v in view),
        "scheduleItems": shown,
        "workingHours": working_hours(box),
    }


def _basic_item(data: dict[str, Any], start: datetime, end: datetime, zone: str) -> dict[str, Any]:
    """Free/busy only (``crossTenantCalendarAvailabilityBasic``): the status and the times, nothing else."""
    return {
        "status": data.get("showAs", "busy"),
        "start": format_date_time_time_zone(start, zone),
        "end": format_date_time_time_zone(end, zone),
    }


def _item(data: dict[str, Any], start: datetime, end: datetime, zone: str) -> dict[str, Any]:
    private = data.get("sensitivity") in ("private", "confidential")
    item: dict[str, Any] = {"isPrivate": private, "status": data.get("showAs", "busy")}
    if not private:
        item["subject"] = data.get("subject", "")
        item["location"] = data.get("location", {}).get("displayName", "")
    item["start"] = format_date_time_time_zone(start, zone)
    item["end"] = format_date_time_time_zone(end, zone)
    return item


def working_hours(box: Mailbox) -> dict[str, Any]:
    """The mailbox's ``workingHours`` (time zone named as Exchange does, e.g. FLE Standard Time)."""
    hours = box.working_hours
    return {
        "daysOfWeek": list(hours.days),
        "startTime": format_time_of_day(hours.start),
        "endTime": format_time_of_day(hours.end),
        "timeZone": {"name": windows_name(hours.time_zone)},
    }
