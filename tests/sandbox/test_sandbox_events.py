"""Meetings through msgraph-sdk: create, copies, rooms, Teams links, responses, cancel, update, restart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.attendee import Attendee
from msgraph.generated.models.attendee_type import AttendeeType
from msgraph.generated.models.body_type import BodyType
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.email_address import EmailAddress
from msgraph.generated.models.event import Event
from msgraph.generated.models.free_busy_status import FreeBusyStatus
from msgraph.generated.models.item_body import ItemBody
from msgraph.generated.models.location import Location
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.online_meeting_provider_type import OnlineMeetingProviderType
from msgraph.generated.models.response_type import ResponseType
from msgraph.generated.users.item.calendar_view.calendar_view_request_builder import CalendarViewRequestBuilder
from msgraph.generated.users.item.events.events_request_builder import EventsRequestBuilder
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import AcceptPostRequestBody
from msgraph.generated.users.item.events.item.cancel.cancel_post_request_body import CancelPostRequestBody
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import DeclinePostRequestBody
from msgraph.generated.users.item.events.item.tentatively_accept.tentatively_accept_post_request_body import (
    TentativelyAcceptPostRequestBody,
)
from sandbox_support import LIISA_ID, GraphFactory, StartSandbox, local, mail, week_day

ORGANIZER = mail("liisa.lahinen")


def meeting(
    day: date,
    start: tuple[int, int],
    end: tuple[int, int],
    people: list[str],
    room: str | None = None,
    transaction_id: str | None = None,
) -> Event:
    """A Yhdessä aika invitation as the bot would send it."""
    attendees = [
        Attendee(email_address=EmailAddress(address=mail(p)), type=AttendeeType.Required) for p in people
    ]
    location = None
    if room is not None:
        attendees.append(Attendee(email_address=EmailAddress(address=mail(room)), type=AttendeeType.Resource))
        location = Location(display_name=f"Huone {room}", location_email_address=mail(room))
    return Event(
        subject="Yhdessä aika",
        body=ItemBody(content_type=BodyType.Html, content="<p>Tervetuloa perheen kanssa.</p>"),
        start=DateTimeTimeZone(date_time=local(day, *start), time_zone="Europe/Helsinki"),
        end=DateTimeTimeZone(date_time=local(day, *end), time_zone="Europe/Helsinki"),
        attendees=attendees,
        location=location,
        is_online_meeting=True,
        online_meeting_provider=OnlineMeetingProviderType.TeamsForBusiness,
        transaction_id=transaction_id,
    )


async def copy_of(graph: GraphServiceClient, person: str, ical_uid: str) -> Event | None:
    """The event in ``person``'s calendar with this iCalUId, if any."""
    query = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(filter=f"iCalUId eq '{ical_uid}'")
    found = await graph.users.by_user_id(mail(person)).events.get(RequestConfiguration(query_parameters=query))
    assert found is not None and found.value is not None
    assert len(found.value) <= 1
    return found.value[0] if found.value else None


def statuses(event: Event) -> dict[str, ResponseType | None]:
    """Attendee address -> response, as the organizer sees them."""
    return {
        (a.email_address.address or "") if a.email_address else "": (a.status.response if a.status else None)
        for a in event.attendees or []
    }


async def create(graph: GraphServiceClient, event: Event) -> Event:
    created = await graph.users.by_user_id(ORGANIZER).events.post(event)
    assert created is not None and created.id and created.i_cal_u_id
    return created


async def test_meeting_copies_room_and_teams_link(graph: GraphServiceClient) -> None:
    tuesday = week_day(1, 1)
    people = ["hanna.heikkinen", "mikko.miettinen"]
    created = await create(graph, meeting(tuesday, (12, 0), (13, 30), people, "olohuone"))
    assert created.is_organizer is True
    assert created.response_status is not None and created.response_status.response == ResponseType.Organizer
    assert statuses(created) == {
        mail("hanna.heikkinen"): ResponseType.None_,
        mail("mikko.miettinen"): ResponseType.None_,
        mail("olohuone"): ResponseType.Accepted,
    }
    assert created.online_meeting_provider == OnlineMeetingProviderType.TeamsForBusiness
    assert created.online_meeting_url is None
    join_url = created.online_meeting.join_url if created.online_meeting else None
    assert join_url and join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3Ameeting_")
    assert "%40thread.v2" in join_url
    assert created.body is not None and join_url.replace("&", "&amp;") in (created.body.content or "")
    assert created.location is not None and created.location.location_email_address == mail("olohuone")
    assert created.start is not None and created.start.time_zone == "UTC"

    copy = await copy_of(graph, "hanna.heikkinen", created.i_cal_u_id or "")
    assert copy is not None and copy.id != created.id
    assert copy.is_organizer is False
    assert copy.response_status is not None and copy.response_status.response == ResponseType.NotResponded
    assert copy.show_as == FreeBusyStatus.Tentative
    assert copy.online_meeting is not None and copy.online_meeting.join_url == join_url
    assert copy.organizer is not None and copy.organizer.email_address is not None
    assert copy.organizer.email_address.address == ORGANIZER

    room_copy = await copy_of(graph, "olohuone", created.i_cal_u_id or "")
    assert room_copy is not None and room_copy.show_as == FreeBusyStatus.Busy
    assert room_copy.response_status is not None and room_copy.response_status.response == ResponseType.Accepted

    other = await create(graph, meeting(week_day(1, 3), (9, 0), (10, 30), ["hanna.heikkinen"]))
    assert other.online_meeting is not None and other.online_meeting.join_url != join_url


async def test_same_transaction_id_returns_the_first_event(graph: GraphServiceClient) -> None:
    day = week_day(1, 1)
    first = await create(graph, meeting(day, (12, 0), (13, 30), ["hanna.heikkinen"], transaction_id="ya-123"))
    again = await create(graph, meeting(day, (12, 0), (13, 30), ["hanna.heikkinen"], transaction_id="ya-123"))
    assert again.id == first.id
    assert again.transaction_id == "ya-123"
    query = EventsRequestBuilder.EventsRequestBuilderGetQueryParameters(filter="transactionId eq 'ya-123'")
    found = await graph.users.by_user_id(ORGANIZER).events.get(RequestConfiguration(query_parameters=query))
    assert found is not None and found.value is not None and len(found.value) == 1
    assert await copy_of(graph, "hanna.heikkinen", first.i_cal_u_id or "") is not None


async def test_busy_room_declines(graph: GraphServiceClient) -> None:
    thursday = week_day(1, 3)  # Kaste is booked 08-10 on Thursdays of weeks 1, 3 and 6.
    created = await create(graph, meeting(thursday, (8, 30), (10, 0), ["sanna.savolainen"], "kaste"))
    assert statuses(created)[mail("kaste")] == ResponseType.Declined
    assert await copy_of(graph, "kaste", created.i_cal_u_id or "") is None
    free = await create(graph, meeting(thursday, (10, 0), (11, 0), ["sanna.savolainen"], "kaste"))
    assert statuses(free)[mail("kaste")] == ResponseType.Accepted


async def test_responses_update_the_organizer(graph: GraphServiceClient) -> None:
    people = ["hanna.heikkinen", "mikko.miettinen", "pirjo.partanen", "elina.eskelinen"]
    created = await create(graph, meeting(week_day(1, 1), (12, 0), (13, 30), people))
    uid = created.i_cal_u_id or ""
    copies = {p: await copy_of(graph, p, uid) for p in people}
    assert all(c is not None and c.id for c in copies.values())

    def item(person: str):  # type: ignore[no-untyped-def]
        event = copies[person]
        assert event is not None and event.id
        return graph.users.by_user_id(mail(person)).events.by_event_id(event.id)

    await item("hanna.heikkinen").accept.post(AcceptPostRequestBody(comment="Tulen", send_response=True))
    await item("mikko.miettinen").tentatively_accept.post(
        TentativelyAcceptPostRequestBody(comment="Ehkä", send_response=True)
    )
    await item("pirjo.partanen").decline.post(DeclinePostRequestBody(comment="En pääse", send_response=True))
    await item("elina.eskelinen").accept.post(AcceptPostRequestBody(send_response=False))

    organizer = await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").get()
    assert organizer is not None
    assert statuses(organizer) == {
        mail("hanna.heikkinen"): ResponseType.Accepted,
        mail("mikko.miettinen"): ResponseType.TentativelyAccepted,
        mail("pirjo.partanen"): ResponseType.Declined,
        mail("elina.eskelinen"): ResponseType.None_,
    }
    hanna = await copy_of(graph, "hanna.heikkinen", uid)
    assert hanna is not None and hanna.show_as == FreeBusyStatus.Busy
    assert hanna.response_status is not None and hanna.response_status.response == ResponseType.Accepted
    mikko = await copy_of(graph, "mikko.miettinen", uid)
    assert mikko is not None and mikko.show_as == FreeBusyStatus.Tentative
    assert await copy_of(graph, "pirjo.partanen", uid) is None  # declined invitations leave the calendar

    with pytest.raises(ODataError) as caught:
        await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").accept.post(
            AcceptPostRequestBody()
        )
    assert caught.value.response_status_code == 400


async def test_cancel_marks_copies_and_removes_organizer_event(graph: GraphServiceClient) -> None:
    created = await create(graph, meeting(week_day(1, 1), (12, 0), (13, 30), ["hanna.heikkinen"], "olohuone"))
    uid = created.i_cal_u_id or ""
    copy = await copy_of(graph, "hanna.heikkinen", uid)
    assert copy is not None and copy.id
    with pytest.raises(ODataError) as caught:
        await graph.users.by_user_id(mail("hanna.heikkinen")).events.by_event_id(copy.id).cancel.post(
            CancelPostRequestBody(comment="Ei käy")
        )
    assert caught.value.response_status_code == 400

    await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").cancel.post(
        CancelPostRequestBody(comment="Perhe perui")
    )
    with pytest.raises(ODataError) as caught:
        await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").get()
    assert caught.value.response_status_code == 404
    assert caught.value.error is not None and caught.value.error.code == "ErrorItemNotFound"
    cancelled = await copy_of(graph, "hanna.heikkinen", uid)
    assert cancelled is not None and cancelled.is_cancelled is True
    assert (cancelled.subject or "").startswith("Canceled: ")
    assert await copy_of(graph, "olohuone", uid) is None


async def test_delete_by_organizer_cancels_for_attendees(graph: GraphServiceClient) -> None:
    created = await create(graph, meeting(week_day(1, 1), (12, 0), (13, 30), ["hanna.heikkinen"]))
    await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").delete()
    cancelled = await copy_of(graph, "hanna.heikkinen", created.i_cal_u_id or "")
    assert cancelled is not None and cancelled.is_cancelled is True


async def test_organizer_update_reaches_copies(graph: GraphServiceClient) -> None:
    created = await create(graph, meeting(week_day(1, 1), (12, 0), (13, 30), ["hanna.heikkinen"], "olohuone"))
    uid = created.i_cal_u_id or ""
    copy = await copy_of(graph, "hanna.heikkinen", uid)
    assert copy is not None and copy.id
    await graph.users.by_user_id(mail("hanna.heikkinen")).events.by_event_id(copy.id).accept.post(
        AcceptPostRequestBody(send_response=True)
    )
    thursday = week_day(1, 3)
    patch = Event(
        subject="Yhdessä aika (siirretty)",
        start=DateTimeTimeZone(date_time=local(thursday, 9), time_zone="Europe/Helsinki"),
        end=DateTimeTimeZone(date_time=local(thursday, 10, 30), time_zone="Europe/Helsinki"),
    )
    updated = await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").patch(patch)
    assert updated is not None and updated.subject == "Yhdessä aika (siirretty)"
    assert statuses(updated)[mail("hanna.heikkinen")] == ResponseType.None_
    assert statuses(updated)[mail("olohuone")] == ResponseType.Accepted
    moved = await copy_of(graph, "hanna.heikkinen", uid)
    assert moved is not None and moved.subject == "Yhdessä aika (siirretty)"
    assert moved.start is not None and moved.start.date_time == f"{thursday}T07:00:00.0000000"
    assert moved.response_status is not None and moved.response_status.response == ResponseType.NotResponded


async def test_calendar_view_paging_select_and_prefer(graph: GraphServiceClient) -> None:
    thursday = week_day(1, 3)
    query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=f"{thursday}T06:00:00Z",
        end_date_time=f"{thursday}T07:00:00Z",
        select=["subject", "start", "end"],
    )
    config = RequestConfiguration(query_parameters=query)
    config.headers.add("Prefer", 'outlook.timezone="FLE Standard Time"')
    view = await graph.users.by_user_id(mail("mikko.miettinen")).calendar_view.get(config)
    assert view is not None and view.value is not None
    block = next(e for e in view.value if e.subject == "Oppilashuoltoryhmä")
    assert block.start is not None and block.start.date_time == f"{thursday}T08:00:00.0000000"
    assert block.start.time_zone == "FLE Standard Time"
    assert block.location is None

    query = CalendarViewRequestBuilder.CalendarViewRequestBuilderGetQueryParameters(
        start_date_time=f"{week_day(1, 0)}T00:00:00Z", end_date_time=f"{week_day(3, 0)}T00:00:00Z", top=4
    )
    first = await graph.users.by_user_id(mail("niko.nieminen")).calendar_view.get(
        RequestConfiguration(query_parameters=query)
    )
    assert first is not None and first.value is not None and len(first.value) == 4
    assert first.odata_next_link
    following = await graph.users.by_user_id(mail("niko.nieminen")).calendar_view.with_url(first.odata_next_link).get()
    assert following is not None and following.value
    assert {e.id for e in first.value}.isdisjoint({e.id for e in following.value})


async def test_all_day_event_is_floating(graph: GraphServiceClient) -> None:
    day = week_day(1, 4)
    event = Event(
        subject="Koulutuspäivä",
        is_all_day=True,
        start=DateTimeTimeZone(date_time=f"{day}T00:00:00", time_zone="Europe/Helsinki"),
        end=DateTimeTimeZone(date_time=f"{week_day(1, 5)}T00:00:00", time_zone="Europe/Helsinki"),
        show_as=FreeBusyStatus.Oof,
    )
    created = await graph.users.by_user_id(LIISA_ID).events.post(event)
    assert created is not None and created.is_all_day is True
    assert created.start is not None and created.start.date_time == f"{day}T00:00:00.0000000"


async def test_event_errors(http: httpx.AsyncClient) -> None:
    events = f"/v1.0/users/{LIISA_ID}/events"
    response = await http.get(f"{events}/AAMkAGnope")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "ErrorItemNotFound")
    response = await http.get(f"/v1.0/users/{mail('ei.ole')}/events")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "ErrorInvalidUser")
    day = week_day(1, 1)
    times = {
        "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
        "end": {"dateTime": local(day, 11), "timeZone": "Europe/Helsinki"},
    }
    response = await http.post(events, json={"subject": "x", **times})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "ErrorPropertyValidationFailure")
    response = await http.post(events, json={"subject": "x", "shoeSize": 42})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "RequestBodyRead")
    response = await http.post(events, content=b"[1,", headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "BadRequest")
    response = await http.get(f"/v1.0/users/{LIISA_ID}/calendarView")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "ErrorInvalidParameter")
    response = await http.put(events)
    assert response.status_code == 405
    assert response.json()["error"]["message"]
    response = await http.get(events, params={"$filter": "subject eq"})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "ErrorInvalidUrlQueryFilter")


async def test_restart_with_same_db_keeps_events(
    start: StartSandbox, graph_for: GraphFactory, tmp_path: Path
) -> None:
    db = tmp_path / "keep.db"
    first = await start(db=db)
    graph = graph_for(first.base_url)
    created = await create(graph, meeting(week_day(1, 1), (12, 0), (13, 30), ["hanna.heikkinen"], "olohuone"))
    copy = await copy_of(graph, "hanna.heikkinen", created.i_cal_u_id or "")
    assert copy is not None and copy.id
    # msgraph-sdk sends "SendResponse": false unless set, so the bot must set it to notify the organizer.
    await graph.users.by_user_id(mail("hanna.heikkinen")).events.by_event_id(copy.id).accept.post(
        AcceptPostRequestBody(send_response=True)
    )
    async with httpx.AsyncClient() as client:
        count_before = (await client.get(f"{first.admin_url}/health")).json()["events"]
    await first.close()

    second = await start(db=db)
    graph = graph_for(second.base_url)
    again = await graph.users.by_user_id(ORGANIZER).events.by_event_id(created.id or "").get()
    assert again is not None and again.subject == "Yhdessä aika"
    assert statuses(again)[mail("hanna.heikkinen")] == ResponseType.Accepted
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{second.admin_url}/health")).json()["events"] == count_before


async def test_prefer_text_body(http: httpx.AsyncClient) -> None:
    day = week_day(1, 1)
    created = await http.post(
        f"/v1.0/users/{LIISA_ID}/events",
        json={
            "subject": "Muistio",
            "body": {"contentType": "HTML", "content": "<p>Hei <b>kaikki</b></p>"},
            "start": {"dateTime": local(day, 9), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 10), "timeZone": "Europe/Helsinki"},
        },
    )
    assert created.status_code == 201
    assert created.json()["body"]["content"] == "<html><head></head><body><p>Hei <b>kaikki</b></p></body></html>"
    response = await http.get(
        f"/v1.0/users/{LIISA_ID}/events/{created.json()['id']}",
        headers={"Prefer": 'outlook.body-content-type="text", outlook.timezone="Europe/Helsinki"'},
    )
    assert response.json()["body"] == {"contentType": "text", "content": "Hei kaikki"}
    assert response.json()["start"]["timeZone"] == "Europe/Helsinki"
    assert "outlook.body-content-type" in response.headers["Preference-Applied"]
