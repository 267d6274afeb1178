"""The Calendar adapter against recorded Graph answers: getSchedule (parsing, limits, failures), creating,
moving, reading and cancelling the invitation. All times fall in the week of the spring clock change
(Sunday 28.3.2027 03:00 Helsinki time), so every UTC conversion is checked on both sides of it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from domain.availability import BusyStatus, Schedule, WorkingHours
from domain.convening import Answer, Person
from graph.calendar import GraphCalendar
from services.ports import CreatedEvent, EventDraft
from tests.graph.recorded import (
    DROP,
    RecordedGraph,
    Reply,
    Seen,
    connected,
    failure,
    ok,
    recorded,
    service_error,
    status_and_code,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
T = "esimerkkila.onmicrosoft.com"
LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"
HANNA = Person(f"hanna.heikkinen@{T}", "Hanna Heikkinen")
MIKKO = Person(f"mikko.miettinen@{T}", "Mikko Miettinen")
ROOM = f"kaste@{T}"
ROOM_NAME = "Perhekeskus – Neuvotteluhuone Kaste"
TYPO = f"hanna.heikkine@{T}"
EVENT_ID = recorded("event_created")["id"]
JOIN_URL = recorded("event_created")["onlineMeeting"]["joinUrl"]
SCHEDULE = "POST /users/{user}/calendar/getSchedule"
EVENTS = "POST /users/{user}/events"
EVENT = "/users/{user}/events/{event}"


def _draft(start: datetime, *, online: bool, room: bool = True) -> EventDraft:
    """The invitation the convening service would send for a 90-minute meeting starting at ``start``."""
    return EventDraft(
        subject="Yhdessä aika", body_html="<p>Tervetuloa Yhdessä aika -tapaamiseen.</p>", start=start,
        end=start + timedelta(minutes=90), timezone="Europe/Helsinki", attendees=(HANNA, MIKKO),
        room_email=ROOM if room else None, room_name=ROOM_NAME if room else None,
        location=ROOM_NAME if room else "Teams", online=online, transaction_id="yhdessa-aika-3f9c1e7a52d84b0e",
    )


def _utc_field(value: Any) -> datetime:
    """A dateTimeTimeZone the adapter sent, as an aware UTC datetime (it always sends UTC)."""
    assert value["timeZone"] == "UTC"
    return datetime.fromisoformat(value["dateTime"]).replace(tzinfo=UTC)


async def _schedules(graph: RecordedGraph, addresses: list[str], start: datetime,
                     end: datetime) -> dict[str, Schedule]:
    """``GraphCalendar.schedules`` for Liisa over ``graph``."""
    async with connected(graph) as holder:
        return dict(await GraphCalendar(holder.client).schedules(LIISA, addresses, start, end, "Europe/Helsinki"))


async def test_schedules_are_read_from_graphs_answer_across_the_clock_change() -> None:
    graph = RecordedGraph({SCHEDULE: ok("getSchedule")})
    start, end = datetime(2027, 3, 26, tzinfo=HELSINKI), datetime(2027, 3, 30, tzinfo=HELSINKI)

    found = await _schedules(graph, ["Hanna.Heikkinen@" + T, MIKKO.email, ROOM, TYPO], start, end)

    [sent] = graph.seen
    assert sent.path == f"/users/{LIISA}/calendar/getSchedule"
    body = sent.json()
    assert body["Schedules"] == [HANNA.email, MIKKO.email, ROOM, TYPO]
    assert (_utc_field(body["StartTime"]), _utc_field(body["EndTime"])) == (start, end)
    assert body["AvailabilityViewInterval"] == 30
    assert set(found) == {HANNA.email, MIKKO.email, ROOM, TYPO}

    hanna = found[HANNA.email]
    assert [(i.start.astimezone(HELSINKI), i.end.astimezone(HELSINKI), i.status) for i in hanna.intervals] == [
        (datetime(2027, 3, 26, 9, tzinfo=HELSINKI), datetime(2027, 3, 26, 11, tzinfo=HELSINKI), BusyStatus.BUSY),
        (datetime(2027, 3, 26, 13, tzinfo=HELSINKI), datetime(2027, 3, 26, 15, tzinfo=HELSINKI),
         BusyStatus.WORKING_ELSEWHERE),
        # Monday after the change: 06:00 UTC is 9 o'clock in Helsinki again, now at UTC+3.
        (datetime(2027, 3, 29, 9, tzinfo=HELSINKI), datetime(2027, 3, 29, 10, tzinfo=HELSINKI), BusyStatus.TENTATIVE),
    ]
    assert [i.status.blocks for i in hanna.intervals] == [True, False, True]
    assert hanna.working_hours == WorkingHours(frozenset(range(5)), time(8), time(16), "Europe/Helsinki")
    assert hanna.error is None

    mikko = found[MIKKO.email]
    assert [i.status for i in mikko.intervals] == [BusyStatus.OOF, BusyStatus.BUSY]
    # A custom time zone Graph only describes by offsets: the team's zone stands in.
    assert mikko.working_hours == WorkingHours(frozenset(range(5)), time(8, 30), time(15, 30), "Europe/Helsinki")

    room = found[ROOM]
    assert [(i.start, i.status) for i in room.intervals] == [(datetime(2027, 3, 29, 5, tzinfo=UTC), BusyStatus.BUSY)]

    # An address Graph cannot resolve comes back as a failed schedule, never as an empty (free) one.
    assert found[TYPO] == Schedule(email=TYPO, intervals=(), working_hours=None, error="5009")


def _schedule_answer(seen: Seen) -> Reply:
    """Graph's getSchedule answer for whatever was asked: for each address one busy hour at 9 o'clock Helsinki
    time on the first Thursday of the window, in the recorded shape (the typo'd address fails as in Graph)."""
    body = seen.json()
    start, end = _utc_field(body["StartTime"]), _utc_field(body["EndTime"])
    thursday = start.astimezone(HELSINKI).date()
    while thursday.weekday() != 3:
        thursday += timedelta(days=1)
    busy_from = datetime.combine(thursday, time(9), HELSINKI).astimezone(UTC)
    template, *_, failed = recorded("getSchedule")["value"]
    slots = int((end - start) / timedelta(minutes=30))
    value = []
    for address in body["Schedules"]:
        if address == TYPO:
            value.append({**failed, "scheduleId": address})
            continue
        first = int((busy_from - start) / timedelta(minutes=30))
        item = {"status": "busy", "start": {"dateTime": f"{busy_from:%Y-%m-%dT%H:%M:%S}.0000000", "timeZone": "UTC"},
                "end": {"dateTime": f"{busy_from + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}.0000000", "timeZone": "UTC"}}
        value.append({**template, "scheduleId": address, "scheduleItems": [item],
                      "availabilityView": "0" * first + "22" + "0" * (slots - first - 2)})
    return Reply(200, {"@odata.context": recorded("getSchedule")["@odata.context"], "value": value})


async def test_many_people_over_a_long_period_are_asked_within_graphs_limits() -> None:
    graph = RecordedGraph({SCHEDULE: _schedule_answer})
    people = [f"jasen{n:02}@{T}" for n in range(24)] + [ROOM, f"tila2@{T}", f"tila3@{T}"]
    start = datetime(2027, 3, 22, 8, tzinfo=HELSINKI)
    end = start + timedelta(days=70)

    found = await _schedules(graph, people, start, end)

    asked = [(frozenset(s.json()["Schedules"]), _utc_field(s.json()["StartTime"]), _utc_field(s.json()["EndTime"]))
             for s in graph.seen]
    assert len(asked) == 4, "27 schedules over 70 days: 2 groups of at most 20 × 2 windows"
    assert all(len(group) <= 20 and window_end - window_start < timedelta(days=62)
               for group, window_start, window_end in asked)
    windows = sorted({(window_start, window_end) for _, window_start, window_end in asked})
    assert windows[0][0] == start and windows[-1][1] == end and windows[0][1] == windows[1][0]
    for window_start, _ in windows:
        groups = [group for group, asked_from, _ in asked if asked_from == window_start]
        assert sum(len(g) for g in groups) == len(people) and frozenset().union(*groups) == set(people), (
            "everyone is asked once in each window")
    # Each person's answers from both windows are merged: a busy Thursday in each.
    assert set(found) == set(people)
    assert all(len(found[p].intervals) == 2 and found[p].error is None for p in people)


async def test_an_address_that_fails_in_one_window_fails_for_the_whole_search() -> None:
    graph = RecordedGraph({SCHEDULE: _schedule_answer})
    start = datetime(2027, 3, 22, 8, tzinfo=HELSINKI)

    found = await _schedules(graph, [HANNA.email, TYPO], start, start + timedelta(days=70))

    assert len(graph.seen) == 2
    assert found[TYPO].error == "5009" and found[TYPO].intervals == ()
    assert found[HANNA.email].error is None


async def test_each_window_is_shorter_than_62_days_in_real_time_across_the_autumn_clock_change() -> None:
    graph = RecordedGraph({SCHEDULE: _schedule_answer})
    # 61 days 23.5 hours on the wall clock, but 62 days 0.5 hours of real time: the clocks go back on 31.10.
    start, end = datetime(2027, 9, 1, 10, tzinfo=HELSINKI), datetime(2027, 11, 2, 9, 30, tzinfo=HELSINKI)

    await _schedules(graph, [HANNA.email], start, end)

    spans = [(_utc_field(s.json()["StartTime"]), _utc_field(s.json()["EndTime"])) for s in graph.seen]
    assert all(window_end - window_start < timedelta(days=62) for window_start, window_end in spans), spans
    assert min(s for s, _ in spans) == start and max(e for _, e in spans) == end


async def test_the_invitation_is_created_private_with_the_room_as_a_resource_and_a_teams_link() -> None:
    graph = RecordedGraph({EVENTS: ok("event_created", 201)})
    # Thursday 1.4.2027 09:00 Helsinki time: UTC+3 since Sunday.
    draft = _draft(datetime(2027, 4, 1, 9, tzinfo=HELSINKI), online=True)

    async with connected(graph) as holder:
        created = await GraphCalendar(holder.client).create_event(LIISA, draft)

    assert created == CreatedEvent(id=EVENT_ID, join_url=JOIN_URL, room_response="none")
    [sent] = graph.seen
    assert sent.path == f"/users/{LIISA}/events"
    body = sent.json()
    assert body["transactionId"] == "yhdessa-aika-3f9c1e7a52d84b0e"
    assert body["sensitivity"] == "private"
    assert body["showAs"] == "busy"
    assert (body["isOnlineMeeting"], body["onlineMeetingProvider"]) == (True, "teamsForBusiness")
    assert [(a["emailAddress"]["address"], a["type"]) for a in body["attendees"]] == [
        (HANNA.email, "required"), (MIKKO.email, "required"), (ROOM, "resource")]
    assert body["location"] == {"displayName": ROOM_NAME, "locationEmailAddress": ROOM,
                                "locationType": "conferenceRoom"}
    assert _utc_field(body["start"]) == datetime(2027, 4, 1, 6, tzinfo=UTC)
    assert _utc_field(body["end"]) == datetime(2027, 4, 1, 7, 30, tzinfo=UTC)
    assert body["body"] == {"contentType": "html", "content": draft.body_html}
    assert body["subject"] == "Yhdessä aika"
    assert (body["responseRequested"], body["allowNewTimeProposals"]) == (True, True)


async def test_a_meeting_in_a_room_only_asks_for_no_teams_link() -> None:
    graph = RecordedGraph({EVENTS: ok("event_created_in_room", 201)})

    async with connected(graph) as holder:
        created = await GraphCalendar(holder.client).create_event(
            LIISA, _draft(datetime(2027, 3, 25, 9, tzinfo=HELSINKI), online=False))

    assert created.join_url is None
    body = graph.seen[0].json()
    assert "isOnlineMeeting" not in body and "onlineMeetingProvider" not in body
    # Before the change Helsinki is at UTC+2.
    assert _utc_field(body["start"]) == datetime(2027, 3, 25, 7, tzinfo=UTC)


async def test_a_create_retried_after_a_dropped_connection_carries_the_same_transaction_id() -> None:
    graph = RecordedGraph({EVENTS: [DROP, ok("event_created", 201)]})

    async with connected(graph) as holder:
        created = await GraphCalendar(holder.client).create_event(
            LIISA, _draft(datetime(2027, 4, 1, 9, tzinfo=HELSINKI), online=True))

    assert created.id == EVENT_ID
    assert [s.json()["transactionId"] for s in graph.seen] == ["yhdessa-aika-3f9c1e7a52d84b0e"] * 2


async def test_moving_the_meeting_patches_the_same_event() -> None:
    graph = RecordedGraph({f"PATCH {EVENT}": ok("event_updated")})
    draft = _draft(datetime(2027, 4, 8, 9, tzinfo=HELSINKI), online=True)

    async with connected(graph) as holder:
        updated = await GraphCalendar(holder.client).update_event(LIISA, EVENT_ID, draft)

    assert updated == CreatedEvent(id=EVENT_ID, join_url=JOIN_URL, room_response="accepted")
    [sent] = graph.seen
    assert sent.path == f"/users/{LIISA}/events/{EVENT_ID}"
    body = sent.json()
    assert (_utc_field(body["start"]), _utc_field(body["end"])) == (
        datetime(2027, 4, 8, 6, tzinfo=UTC), datetime(2027, 4, 8, 7, 30, tzinfo=UTC))
    assert [(a["emailAddress"]["address"], a["type"]) for a in body["attendees"]] == [
        (HANNA.email, "required"), (MIKKO.email, "required"), (ROOM, "resource")]
    assert body["sensitivity"] == "private"
    assert "transactionId" not in body, "a PATCH does not touch the create's idempotency key"


@pytest.mark.xfail(strict=True, reason="graph/calendar.py update_event replaces the body of an online meeting; Graph "
                   "docs (event-update): removing the meeting blob from the body disables the online meeting")
async def test_moving_an_online_meeting_keeps_its_teams_meeting_in_the_body() -> None:
    graph = RecordedGraph({f"GET {EVENT}": ok("event_created"), f"PATCH {EVENT}": ok("event_updated")})

    async with connected(graph) as holder:
        await GraphCalendar(holder.client).update_event(
            LIISA, EVENT_ID, _draft(datetime(2027, 4, 8, 9, tzinfo=HELSINKI), online=True))

    [patch] = graph.requests(f"PATCH {EVENT}")
    sent = patch.json()
    assert "body" not in sent or JOIN_URL in sent["body"]["content"]


async def test_answers_are_read_for_every_attendee_including_the_room() -> None:
    graph = RecordedGraph({f"GET {EVENT}": ok("event_answers")})

    async with connected(graph) as holder:
        answers = await GraphCalendar(holder.client).event_responses(LIISA, EVENT_ID)

    assert answers is not None
    assert {address: response.answer for address, response in answers.items()} == {
        HANNA.email: Answer.DECLINED,
        MIKKO.email: Answer.ACCEPTED,
        f"pirjo.partanen@{T}": Answer.TENTATIVE,
        f"sanna.savolainen@{T}": Answer.NONE,
        ROOM: Answer.DECLINED,
    }
    assert graph.seen[0].path == f"/users/{LIISA}/events/{EVENT_ID}"


@pytest.mark.parametrize("reply", [failure(404, "error_event_not_found"), ok("event_cancelled")],
                         ids=["deleted", "cancelled"])
async def test_a_deleted_or_cancelled_event_has_no_answers(reply: Reply) -> None:
    graph = RecordedGraph({f"GET {EVENT}": reply})

    async with connected(graph) as holder:
        assert await GraphCalendar(holder.client).event_responses(LIISA, EVENT_ID) is None


async def test_cancelling_sends_the_message_to_the_invitees() -> None:
    graph = RecordedGraph({f"POST {EVENT}/cancel": Reply(202)})

    async with connected(graph) as holder:
        await GraphCalendar(holder.client).cancel_event(LIISA, EVENT_ID, "Tapaaminen perutaan, sovitaan uusi aika.")

    [sent] = graph.seen
    assert sent.path == f"/users/{LIISA}/events/{EVENT_ID}/cancel"
    assert sent.json() == {"Comment": "Tapaaminen perutaan, sovitaan uusi aika."}


async def test_cancelling_an_event_that_is_gone_reports_not_found() -> None:
    graph = RecordedGraph({f"POST {EVENT}/cancel": failure(404, "error_event_not_found")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphCalendar(holder.client).cancel_event(LIISA, EVENT_ID, "Peruttu")

    assert status_and_code(caught.value) == (404, "ErrorItemNotFound")
