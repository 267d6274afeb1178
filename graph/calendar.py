"""The Calendar port over Graph: getSchedule and events."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.location_type import LocationType
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.models.sensitivity import Sensitivity
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody
from msgraph.graph_service_client import GraphServiceClient

from domain.availability import BusyInterval, BusyStatus, Schedule, WorkingHours
from domain.convening import Answer, Response
from graph.errors import GraphUnavailableError, call
from graph.json_requests import send_json
from services.ports import CreatedEvent, EventDraft

#: getSchedule's documented limits ("Limits and error conditions",
#: https://learn.microsoft.com/graph/outlook-get-free-busy-schedule): up to 20 schedules per request and a
#: time period of less than 62 days. Exchange has been seen to accept 100 schedules and exactly 62 days
#: (microsoftgraph/microsoft-graph-docs #7047, #19703); the bot keeps to the stricter, documented ones.
SCHEDULES_PER_REQUEST = 20
#: A window this long or longer is split (exclusive, as documented).
WINDOW_LIMIT = timedelta(days=62)
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Graph may name time zones the Windows way; these are the ones a Finnish tenant meets.
_WINDOWS_ZONES = {
    "FLE Standard Time": "Europe/Helsinki",
    "W. Europe Standard Time": "Europe/Berlin",
    "GMT Standard Time": "Europe/London",
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
}


def _zone(name: str | None, fallback: str) -> tzinfo:
    key = _WINDOWS_ZONES.get(name or "", name or fallback)
    if key == "UTC":
        return UTC  # datetime.UTC: much cheaper to convert than ZoneInfo("UTC") in the slot search
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def _parse(dt: DateTimeTimeZone | None, fallback: str) -> datetime:
    if dt is None or not dt.date_time:
        raise ValueError("missing dateTime")
    return _parse_text(dt.date_time, dt.time_zone, fallback)


def _parse_text(date_time: str, time_zone: str | None, fallback: str) -> datetime:
    # Graph sends seven fractional digits; Python 3.11's fromisoformat reads (and truncates) them.
    return datetime.fromisoformat(date_time.rstrip("Z")).replace(tzinfo=_zone(time_zone, fallback))


def _utc(dt: datetime) -> DateTimeTimeZone:
    return DateTimeTimeZone(date_time=dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                            time_zone="UTC")


_STATUSES = {s.value: s for s in BusyStatus}


def _parse_json(value: object, fallback: str) -> datetime:
    """A Graph ``dateTimeTimeZone`` object from JSON."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        raise ValueError("missing dateTime")
    zone = value.get("timeZone")
    return _parse_text(str(value["dateTime"]), str(zone) if zone else None, fallback)


def _time_of_day(text: object) -> time:
    """Graph's ``TimeOfDay`` ("08:00:00.0000000")."""
    return time.fromisoformat(str(text).split(".", 1)[0])


def _schedule(info: Mapping[str, object], fallback_tz: str) -> Schedule:
    """One ``scheduleInformation`` of a getSchedule answer, read straight from its JSON.

    Not through kiota's models: for 24 calendars over 8 weeks their deserializers took ~0.25 s per
    request on this machine (most of the bot's part of a slot search); plain JSON takes a few ms.
    """
    email = str(info.get("scheduleId") or "").lower()
    error = info.get("error")
    if isinstance(error, dict):
        return Schedule(email=email, intervals=(), error=str(error.get("responseCode") or "error"))
    intervals = []
    items = info.get("scheduleItems")
    for item in items if isinstance(items, list) else []:
        status = _STATUSES.get(str(item.get("status")), BusyStatus.BUSY) if item.get("status") else BusyStatus.BUSY
        intervals.append(BusyInterval(_parse_json(item.get("start"), "UTC"), _parse_json(item.get("end"), "UTC"),
                                      status))
    hours = None
    wh = info.get("workingHours")
    if isinstance(wh, dict) and wh.get("daysOfWeek") and wh.get("startTime") and wh.get("endTime"):
        zone = wh.get("timeZone")
        tz = _zone(zone.get("name") if isinstance(zone, dict) else None, fallback_tz)
        hours = WorkingHours(weekdays=frozenset(_DAYS.index(str(d)) for d in wh["daysOfWeek"] if d in _DAYS),
                             start=_time_of_day(wh["startTime"]), end=_time_of_day(wh["endTime"]), timezone=str(tz))
    return Schedule(email=email, intervals=tuple(intervals), working_hours=hours)


def _windows(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) in equal parts each shorter than 62 days (equal: no sliver shorter than the 30-minute
    availability interval, which Graph refuses).

    Measured in UTC: two datetimes in the same zone subtract as wall-clock time, which across the autumn
    clock change is an hour short of the real length Graph checks.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    parts = 1
    while (end - start) / parts >= WINDOW_LIMIT:
        parts += 1
    step = (end - start) / parts
    return [(start + step * n, end if n == parts - 1 else start + step * (n + 1)) for n in range(parts)]


def _merged(known: Schedule | None, more: Schedule) -> Schedule:
    """One address's schedule from two windows: a failure in either makes it a failure (never free)."""
    if known is None or known.error is not None:
        return known or more
    if more.error is not None:
        return more
    # An item across the windows' boundary comes in both answers: a duplicate blocks nothing extra.
    return Schedule(email=known.email, intervals=known.intervals + more.intervals,
                    working_hours=known.working_hours or more.working_hours)


_ANSWERS = {a.value for a in Answer}


def _event(draft: EventDraft) -> Event:
    """The event fields the bot sets, for a create or a PATCH."""
    attendees = [Attendee(type=AttendeeType.Required,
                          email_address=EmailAddress(address=p.email, name=p.display_name))
                 for p in draft.attendees]
    location = Location(display_name=draft.location)
    if draft.room_email:
        attendees.append(Attendee(type=AttendeeType.Resource,
                                  email_address=EmailAddress(address=draft.room_email, name=draft.room_name)))
        location = Location(display_name=draft.location, location_email_address=draft.room_email,
                            location_type=LocationType.ConferenceRoom)
    return Event(
        subject=draft.subject,
        body=ItemBody(content_type=BodyType.Html, content=draft.body_html),
        start=_utc(draft.start), end=_utc(draft.end),
        location=location, attendees=attendees,
        sensitivity=Sensitivity.Private, show_as=FreeBusyStatus.Busy,
        response_requested=True, allow_new_time_proposals=True,
    )


def _dict(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _attendees(event: Mapping[str, object]) -> list[tuple[str, str | None]]:
    """(address, response) of each attendee of an event read as JSON."""
    found = event.get("attendees")
    result = []
    for attendee in found if isinstance(found, list) else []:
        address = _dict(_dict(attendee).get("emailAddress")).get("address")
        response = _dict(_dict(attendee).get("status")).get("response")
        if address:
            result.append((str(address), str(response) if response else None))
    return result


def _created(created: Mapping[str, object], draft: EventDraft) -> CreatedEvent:
    room_response = None
    if draft.room_email:
        for address, response in _attendees(created):
            if address.lower() == draft.room_email.lower():
                room_response = response
    join_url = _dict(created.get("onlineMeeting")).get("joinUrl")
    return CreatedEvent(id=str(created.get("id") or ""), join_url=str(join_url) if join_url else None,
                        room_response=room_response)


class GraphCalendar:
    """Free/busy through ``getSchedule`` and events through ``/users/{id}/events``."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def schedules(self, organizer_id: str, addresses: Sequence[str], start: datetime,
                        end: datetime, timezone: str) -> Mapping[str, Schedule]:
        """Free/busy of everyone in ``addresses`` over [start, end), within Graph's limits whatever is asked.

        At most 20 schedules and less than 62 days per request; more go in concurrent requests, so a
        search still waits for one round trip. A schedule split over several windows is merged back.
        """
        unique = list(dict.fromkeys(a.lower() for a in addresses))
        chunks = [unique[i:i + SCHEDULES_PER_REQUEST] for i in range(0, len(unique), SCHEDULES_PER_REQUEST)]
        answers = await asyncio.gather(*(self._schedule_request(organizer_id, chunk, window_start, window_end,
                                                                timezone)
                                         for chunk in chunks for window_start, window_end in _windows(start, end)))
        result: dict[str, Schedule] = {}
        for answer in answers:
            for schedule in answer:
                result[schedule.email] = _merged(result.get(schedule.email), schedule)
        return result

    async def _schedule_request(self, organizer_id: str, chunk: list[str], start: datetime, end: datetime,
                                timezone: str) -> list[Schedule]:
        """One getSchedule request (≤ 20 schedules, < 62 days)."""
        body = GetSchedulePostRequestBody(schedules=chunk, start_time=_utc(start), end_time=_utc(end),
                                          availability_view_interval=30)
        builder = self._client.users.by_user_id(organizer_id).calendar.get_schedule
        # The same request adapter (auth, retries, errors) as builder.post, but the answer as bytes.
        request = builder.to_post_request_information(body)
        payload = await call(partial(send_json, builder.request_adapter, request))
        found = payload.get("value")
        return [_schedule(info, timezone) for info in (found if isinstance(found, list) else [])
                if isinstance(info, dict)]

    async def create_event(self, organizer_id: str, draft: EventDraft) -> CreatedEvent:
        """Creates the invitation; Graph dedupes on ``transactionId`` so a retry returns the same event."""
        event = _event(draft)
        event.transaction_id = draft.transaction_id
        if draft.online:
            event.is_online_meeting = True
            event.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
        events = self._client.users.by_user_id(organizer_id).events
        request = events.to_post_request_information(event)
        return _created(await call(partial(send_json, events.request_adapter, request)), draft)

    async def update_event(self, organizer_id: str, event_id: str, draft: EventDraft) -> CreatedEvent:
        """PATCHes the same event: new time, place or attendees; Outlook sends invitees the update."""
        item = self._client.users.by_user_id(organizer_id).events.by_event_id(event_id)
        request = item.to_patch_request_information(_event(draft))
        return _created(await call(partial(send_json, item.request_adapter, request)), draft)

    async def event_responses(self, organizer_id: str, event_id: str) -> dict[str, Response] | None:
        """The attendees' answers on the organizer's copy; None when the event is gone or cancelled."""
        item = self._client.users.by_user_id(organizer_id).events.by_event_id(event_id)
        try:
            event = await call(partial(send_json, item.request_adapter, item.to_get_request_information()))
        except GraphUnavailableError as err:
            if err.status == 404:
                return None
            raise
        if not event or event.get("isCancelled"):
            return None
        answers: dict[str, Response] = {}
        # Rooms (resources) too: a room that declines later must reach the near worker's card.
        for address, response in _attendees(event):
            value = response or "none"
            answers[address.lower()] = Response(Answer(value) if value in _ANSWERS else Answer.NONE)
        return answers

    async def cancel_event(self, organizer_id: str, event_id: str, comment: str) -> None:
        """``POST …/cancel``: every attendee's copy is cancelled and they get the message."""
        body = CancelPostRequestBody(comment=comment)
        await call(lambda: self._client.users.by_user_id(organizer_id).events.by_event_id(event_id).cancel.post(body))
