"""The Mail adapter against recorded Graph answers: the decliner's own words from the eventMessageResponse in the
organizer's mailbox, reading no other mail's body and only the newest answer of each invitee."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from graph.mail import GraphMail
from tests.graph.recorded import (
    RecordedGraph,
    Reply,
    Seen,
    connected,
    failure,
    recorded,
    service_error,
    status_and_code,
)

T = "esimerkkila.onmicrosoft.com"
LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"
EVENT_ID = recorded("event_created")["id"]
LIST = "GET /users/{user}/messages"
ONE = "GET /users/{user}/messages/{message}"
EVENT_OF = "GET /users/{user}/messages/{message}/microsoft.graph.eventMessage/event"
#: The booking was saved at 08:14:06.3 UTC; Exchange stamps mail in whole seconds.
SINCE = datetime(2027, 3, 22, 8, 14, 6, 300_000, tzinfo=UTC)
PAGE_1 = recorded("messages_answers")["value"]
HANNA_NEWEST, MIKKO, PLAIN, PIRJO_OTHER_EVENT = (m["id"] for m in PAGE_1)
HANNA_OLDER = recorded("messages_answers_page2")["value"][0]["id"]


def _listing(seen: Seen) -> Reply:
    """Liisa's mailbox since the booking, two pages; without the event expanded when it was not asked for."""
    page = recorded("messages_answers_page2" if "$skip" in seen.query else "messages_answers")
    if "$expand" not in seen.query:
        for message in page["value"]:
            message.pop("event", None)
            message.pop("event@odata.context", None)
    return Reply(200, page)


def _message(seen: Seen) -> Reply:
    """One response message with its body only."""
    bodies = {HANNA_NEWEST: "message_decline_body", MIKKO: "message_accept_body"}
    return Reply(200, recorded(bodies[seen.path.rsplit("/", 1)[-1]]))


def _event_of(seen: Seen) -> Reply:
    """The event a response message is about (``$select=id``)."""
    about = {HANNA_NEWEST: EVENT_ID, MIKKO: EVENT_ID, HANNA_OLDER: EVENT_ID, PIRJO_OTHER_EVENT: "AAMkAnotherEvent="}
    message_id = seen.path.split("/messages/", 1)[1].split("/", 1)[0]
    return Reply(200, {**recorded("message_event_id"), "id": about[message_id]})


async def _comments(graph: RecordedGraph) -> dict[str, str]:
    """``GraphMail.answer_messages`` for Liisa's booked event over ``graph``."""
    async with connected(graph) as holder:
        return await GraphMail(holder.client).answer_messages(LIISA, EVENT_ID, SINCE)


async def test_the_decliners_comment_is_read_from_the_newest_answer_only() -> None:
    graph = RecordedGraph({LIST: _listing, ONE: _message})

    comments = await _comments(graph)

    assert comments == {f"hanna.heikkinen@{T}": "Olen koulutuksessa torstaina – ehdotan seuraavaa viikkoa."}
    first, second = graph.requests(LIST)
    assert first.path == f"/users/{LIISA}/messages"
    assert first.query == {"$filter": "receivedDateTime ge 2027-03-22T08:14:06Z", "$orderby": "receivedDateTime desc",
                           "$select": "from,receivedDateTime",
                           "$expand": "microsoft.graph.eventMessage/event($select=id)", "$top": "50"}
    assert second.query["$skip"] == "50", "the next page is followed"
    bodies = graph.requests(ONE)
    # Only the newest answer of each invitee about this event: not the plain mail, not the answer about another
    # event, not Hanna's older answer; and with the body only.
    assert sorted(b.path.rsplit("/", 1)[-1] for b in bodies) == sorted([HANNA_NEWEST, MIKKO])
    assert all(b.query == {"$select": "body"} for b in bodies)


async def test_a_mailbox_that_refuses_the_expansion_is_read_one_event_at_a_time() -> None:
    graph = RecordedGraph({LIST: [failure(400, "error_expand_refused"), _listing], ONE: _message,
                           EVENT_OF: _event_of})

    comments = await _comments(graph)

    assert comments == {f"hanna.heikkinen@{T}": "Olen koulutuksessa torstaina – ehdotan seuraavaa viikkoa."}
    refused, retried, *_ = graph.requests(LIST)
    assert "$expand" in refused.query and "$expand" not in retried.query
    looked_up = graph.requests(EVENT_OF)
    assert {s.path.split("/messages/", 1)[1].split("/", 1)[0] for s in looked_up} == {
        HANNA_NEWEST, MIKKO, PIRJO_OTHER_EVENT}
    assert all(s.query == {"$select": "id"} for s in looked_up)


async def test_a_refused_mailbox_is_a_graph_failure() -> None:
    graph = RecordedGraph({LIST: failure(403, "error_mailbox_refused")})

    with pytest.raises(service_error()) as caught:
        await _comments(graph)

    assert status_and_code(caught.value) == (403, "ErrorAccessDenied")


async def test_no_answers_since_the_booking_read_nothing_more() -> None:
    empty: dict[str, Any] = {**recorded("messages_answers_page2"), "value": []}
    graph = RecordedGraph({LIST: Reply(200, empty)})

    assert await _comments(graph) == {}
    assert len(graph.seen) == 1
