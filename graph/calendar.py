"""The Calendar port over Graph: getSchedule and events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, tzinfo
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
from msgraph.generated.models.schedule_information import ScheduleInformation
from msgraph.generated.models.sensitivity import Sensitivity
from msgraph.generated.users.item.calendar.get_schedule.get_schedule_post_request_body import (
    GetSchedulePostRequestBody,
)
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody
from msgraph.graph_service_client import GraphServiceClient

from domain.availability import BusyInterval, BusyStatus, Schedule, WorkingHours
from domain.convening import Answer, Response
from graph.errors import GraphUnavailableError, call
from services.ports import CreatedEvent, EventDraft

#: getSchedule takes many schedules per request; we ask for up to 20 at once and split beyond.
SCHEDULES_PER_REQUEST = 20
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
    text = dt.date_time.rstrip("Z")
    if "." in text:  # Graph sends seven fractional digits; Python takes six.
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6]}"
    return datetime.fromisoformat(text).replace(tzinfo=_zone(dt.time_zone, fallback))


def _utc(dt: datetime) -> DateTimeTimeZone:
    return DateTimeTimeZone(date_time=dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
                            time_zone="UTC")


def _schedule(info: ScheduleInformation, fallback_tz: str) -> Schedule:
    email = (info.schedule_id or "").lower()
    if info.error is not None:
        return Schedule(email=email, intervals=(), error=info.error.response_code or "error")
    intervals = []
    for item in info.schedule_items or []:
        status = BusyStatus(str(item.status.value)) if item.status else BusyStatus.BUSY
        intervals.append(BusyInterval(_parse(item.start, "UTC"), _parse(item.end, "UTC"), status))
    hours = None
    wh = info.working_hours
    if wh is not None and wh.days_of_week and wh.start_time is not None and wh.end_time is not None:
        tz = _zone(wh.time_zone.name if wh.time_zone else None, fallback_tz)
        hours = WorkingHours(weekdays=frozenset(_DAYS.index(d.value) for d in wh.days_of_week),
                             start=_as_time(wh.start_time), end=_as_time(wh.end_time), timezone=str(tz))
    return Schedule(email=email, intervals=tuple(intervals), working_hours=hours)


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


def _created(created: Event | None, draft: EventDraft) -> CreatedEvent:
    room_response = None
    if draft.room_email:
        for attendee in created.attendees or [] if created else []:
            address = attendee.email_address.address if attendee.email_address else None
            if address and address.lower() == draft.room_email.lower() and attendee.status:
                response = attendee.status.response
                room_response = str(response.value) if response else None
    join_url = created.online_meeting.join_url if created and created.online_meeting else None
    return CreatedEvent(id=(created.id if created else None) or "", join_url=join_url, room_response=room_response)


def _as_time(value: time) -> time:
    return value.replace(tzinfo=None)


class GraphCalendar:
    """Free/busy through ``getSchedule`` and events through ``/users/{id}/events``."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def schedules(self, organizer_id: str, addresses: Sequence[str], start: datetime,
                        end: datetime, timezone: str) -> Mapping[str, Schedule]:
        """Free/busy of everyone in ``addresses``: one request per 20 schedules."""
        unique = list(dict.fromkeys(a.lower() for a in addresses))
        result: dict[str, Schedule] = {}
        for i in range(0, len(unique), SCHEDULES_PER_REQUEST):
            chunk = unique[i:i + SCHEDULES_PER_REQUEST]
            body = GetSchedulePostRequestBody(schedules=chunk, start_time=_utc(start), end_time=_utc(end),
                                              availability_view_interval=30)
            builder = self._client.users.by_user_id(organizer_id).calendar.get_schedule
            response = await call(partial(builder.post, body))
            for info in (response.value if response else None) or []:
                schedule = _schedule(info, timezone)
                result[schedule.email] = schedule
        return result

    async def create_event(self, organizer_id: str, draft: EventDraft) -> CreatedEvent:
        """Creates the invitation; Graph dedupes on ``transactionId`` so a retry returns the same event."""
        event = _event(draft)
        event.transaction_id = draft.transaction_id
        if draft.online:
            event.is_online_meeting = True
            event.online_meeting_provider = OnlineMeetingProviderType.TeamsForBusiness
        created = await call(lambda: self._client.users.by_user_id(organizer_id).events.post(event))
        return _created(created, draft)

    async def update_event(self, organizer_id: str, event_id: str, draft: EventDraft) -> CreatedEvent:
        """PATCHes the same event: new time, place or attendees; Outlook sends invitees the update."""
        updated = await call(lambda: self._client.users.by_user_id(organizer_id).events.by_event_id(event_id)
                             .patch(_event(draft)))
        return _created(updated, draft)

    async def event_responses(self, organizer_id: str, event_id: str) -> dict[str, Response] | None:
        """The attendees' answers on the organizer's copy; None when the event is gone or cancelled."""
        try:
            event = await call(lambda: self._client.users.by_user_id(organizer_id).events.by_event_id(event_id).get())
        except GraphUnavailableError as err:
            if err.status == 404:
                return None
            raise
        if event is None or event.is_cancelled:
            return None
        answers: dict[str, Response] = {}
        for attendee in event.attendees or []:
            address = attendee.email_address.address if attendee.email_address else None
            if not address or attendee.type == AttendeeType.Resource:
                continue
            response = attendee.status.response if attendee.status else None
            value = str(response.value) if response else "none"
            answers[address.lower()] = Response(Answer(value) if value in _ANSWERS else Answer.NONE)
        return answers

    async def cancel_event(self, organizer_id: str, event_id: str, comment: str) -> None:
        """``POST …/cancel``: every attendee's copy is cancelled and they get the message."""
        body = CancelPostRequestBody(comment=comment)
        await call(lambda: self._client.users.by_user_id(organizer_id).events.by_event_id(event_id).cancel.post(body))
