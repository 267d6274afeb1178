"""Meeting responses in the organizer's mailbox: eventMessageResponse delivery, message queries, the event link."""

from __future__ import annotations

import html
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.date_time_time_zone import DateTimeTimeZone
from msgraph.generated.models.event_message_response import EventMessageResponse
from msgraph.generated.models.meeting_message_type import MeetingMessageType
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.response_type import ResponseType
from msgraph.generated.models.time_slot import TimeSlot
from msgraph.generated.users.item.events.item.accept.accept_post_request_body import AcceptPostRequestBody
from msgraph.generated.users.item.events.item.decline.decline_post_request_body import DeclinePostRequestBody
from msgraph.generated.users.item.messages.messages_request_builder import MessagesRequestBuilder
from sandbox_csdl import Schema, check_response, expected_type
from sandbox_support import LIISA_ID, TODAY, StartSandbox, local, mail, week_day

from m365_sandbox.app import create_app
from m365_sandbox.calendar.store import StoredEvent
from m365_sandbox.core.tenant import default_tenant_path, load_tenant
from m365_sandbox.mail.service import MailService
from m365_sandbox.mail.store import MailStore

NOW = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)
ORGANIZER = mail("liisa.lahinen")
HANNA = mail("hanna.heikkinen")
MIKKO = mail("mikko.miettinen")
PIRJO = mail("pirjo.partanen")
MESSAGES = f"/v1.0/users/{LIISA_ID}/messages"


async def set_clock(http: httpx.AsyncClient, moment: datetime = NOW) -> None:
    """Put the sandbox clock at ``moment`` (messages are stamped with it)."""
    response = await http.put("/_admin/clock", json={"now": moment.isoformat().replace("+00:00", "Z")})
    assert response.status_code == 200, response.text


async def book(http: httpx.AsyncClient, transaction_id: str, people: tuple[str, ...] = (HANNA, MIKKO)) -> Any:
    """Liisa invites ``people`` to a meeting on Tuesday of next week, 12–13 Helsinki time."""
    day = week_day(1, 1)
    response = await http.post(
        f"/v1.0/users/{LIISA_ID}/events",
        json={
            "subject": "Yhdessä aika",
            "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 13), "timeZone": "Europe/Helsinki"},
            "location": {"displayName": "Perhekeskus"},
            "attendees": [{"type": "required", "emailAddress": {"address": p}} for p in people],
            "transactionId": transaction_id,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def answer(http: httpx.AsyncClient, user: str, transaction_id: str, response: str, **extra: Any) -> None:
    """Answer as ``user`` through the admin API (as the attendee would in Outlook)."""
    reply = await http.post(
        "/_admin/respond", json={"user": user, "transactionId": transaction_id, "response": response, **extra}
    )
    assert reply.status_code == 202, reply.text


async def inbox(http: httpx.AsyncClient, **params: str) -> list[dict[str, Any]]:
    """Liisa's messages (one page)."""
    response = await http.get(MESSAGES, params=params)
    assert response.status_code == 200, response.text
    value: list[dict[str, Any]] = response.json()["value"]
    return value


async def test_decline_with_comment_reaches_the_organizer_with_the_event(
    http: httpx.AsyncClient, graph: GraphServiceClient
) -> None:
    await set_clock(http)
    event = await book(http, "ya-decline")
    comment = "En pääse <b>tiistaina</b> & ehdotan torstaita.\nTerveisin Hanna"
    await answer(http, HANNA, "ya-decline", "decline", comment=comment)

    query = MessagesRequestBuilder.MessagesRequestBuilderGetQueryParameters(
        filter="receivedDateTime ge 2031-03-03T08:00:00Z",
        orderby=["receivedDateTime desc"],
        select=["from", "body", "receivedDateTime", "subject"],
        expand=["microsoft.graph.eventMessage/event($select=id)"],
    )
    found = await graph.users.by_user_id(LIISA_ID).messages.get(RequestConfiguration(query_parameters=query))
    assert found is not None and found.value is not None and len(found.value) == 1
    message = found.value[0]
    assert isinstance(message, EventMessageResponse)
    assert message.subject == "Declined: Yhdessä aika"
    assert message.from_ is not None and message.from_.email_address is not None
    assert message.from_.email_address.address == HANNA
    assert message.event is not None and message.event.id == event["id"]
    assert message.received_date_time == NOW
    assert message.body is not None and message.body.content is not None
    assert html.escape(comment).replace("\n", "<br>\r\n") in message.body.content, "escaped into an HTML body"
    assert "<b>" not in message.body.content

    full = (await http.get(f"{MESSAGES}/{message.id}")).json()
    assert full["@odata.type"] == "#microsoft.graph.eventMessageResponse"
    assert full["responseType"] == "declined" and full["meetingMessageType"] == "meetingDeclined"
    assert full["bodyPreview"] == "En pääse <b>tiistaina</b> & ehdotan torstaita. Terveisin Hanna"
    assert full["sender"] == full["from"] and full["toRecipients"][0]["emailAddress"]["address"] == ORGANIZER
    assert full["startDateTime"] == {"dateTime": f"{week_day(1, 1)}T10:00:00.0000000", "timeZone": "UTC"}
    assert full["isRead"] is False and full["receivedDateTime"] == "2031-03-03T08:00:00Z"
    as_text = await http.get(f"{MESSAGES}/{message.id}", params={"$select": "body"},
                             headers={"Prefer": 'outlook.body-content-type="text"'})
    assert as_text.json()["body"] == {"contentType": "text", "content": comment}
    assert as_text.headers["Preference-Applied"] == 'outlook.body-content-type="text"'

    linked = await http.get(f"{MESSAGES}/{message.id}/microsoft.graph.eventMessage/event", params={"$select": "id"})
    assert linked.status_code == 200 and linked.json()["id"] == event["id"]
    organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
    assert {a["emailAddress"]["address"]: a["status"]["response"] for a in organizer["attendees"]}[HANNA] == "declined"


async def test_accept_without_comment_gives_an_empty_body(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    await book(http, "ya-accept", people=(HANNA, MIKKO, PIRJO))
    await answer(http, MIKKO, "ya-accept", "accept")
    await set_clock(http, NOW + timedelta(minutes=1))
    await answer(http, PIRJO, "ya-accept", "tentativelyAccept", comment="Ehkä")
    first, second = await inbox(http)
    assert first["from"]["emailAddress"]["address"] == PIRJO, "newest first"
    assert first["subject"] == "Tentative: Yhdessä aika"
    assert first["meetingMessageType"] == "meetingTenativelyAccepted"  # sic: Graph's spelling
    assert first["responseType"] == "tentativelyAccepted" and first["bodyPreview"] == "Ehkä"
    assert second["subject"] == "Accepted: Yhdessä aika" and second["responseType"] == "accepted"
    assert second["body"] == {"contentType": "html", "content": ""} and second["bodyPreview"] == ""


async def test_only_answers_sent_to_the_organizer_arrive(http: httpx.AsyncClient, graph: GraphServiceClient) -> None:
    await set_clock(http)
    event = await book(http, "ya-quiet", people=(HANNA, MIKKO, PIRJO))
    await answer(http, HANNA, "ya-quiet", "decline", comment="Ei lähetetä", sendResponse=False)
    copy = (await http.get(f"/v1.0/users/{MIKKO}/events", params={"$filter": f"iCalUId eq '{event['iCalUId']}'"}))
    mikko_event = copy.json()["value"][0]["id"]
    # msgraph-sdk sends "SendResponse": false unless told otherwise: no answer reaches Liisa.
    await graph.users.by_user_id(MIKKO).events.by_event_id(mikko_event).accept.post(AcceptPostRequestBody())
    assert await inbox(http) == []
    with pytest.raises(ODataError) as caught:  # the organizer can't answer her own meeting (nor mail herself)
        await graph.users.by_user_id(LIISA_ID).events.by_event_id(event["id"]).decline.post(
            DeclinePostRequestBody(comment="Itse", send_response=True)
        )
    assert caught.value.response_status_code == 400
    assert await inbox(http) == []
    health = (await http.get("/_admin/health")).json()
    assert health["messages"] == 0


def test_nobody_mails_themselves(tmp_path: Path) -> None:
    tenant = load_tenant(default_tenant_path())
    liisa, hanna = tenant.find(ORGANIZER), tenant.find(HANNA)
    assert liisa is not None and hanna is not None
    store = MailStore(tmp_path / "mail.db")
    service = MailService(store, lambda: NOW)
    day = week_day(1, 1)
    data = {"id": "e1", "subject": "Oma", "start": {"dateTime": local(day, 10), "timeZone": "UTC"},
            "end": {"dateTime": local(day, 11), "timeZone": "UTC"}}
    event = StoredEvent.from_data(liisa.id, data)
    assert service.deliver_response(organizer=liisa, responder=liisa, origin=event, response="declined") is None
    sent = service.deliver_response(organizer=liisa, responder=hanna, origin=event, response="declined", comment="x")
    assert sent is not None and [m.id for m in service.messages(liisa, "inbox")] == [sent.id]
    assert service.messages(hanna) == []
    store.close()


async def test_graph_decline_with_a_proposed_time(http: httpx.AsyncClient, graph: GraphServiceClient) -> None:
    await set_clock(http)
    event = await book(http, "ya-propose", people=(PIRJO,))
    copy = (await http.get(f"/v1.0/users/{PIRJO}/events", params={"$filter": f"iCalUId eq '{event['iCalUId']}'"}))
    pirjo_event = copy.json()["value"][0]["id"]
    day = week_day(1, 3)
    proposal = TimeSlot(start=DateTimeTimeZone(date_time=local(day, 9), time_zone="Europe/Helsinki"),
                        end=DateTimeTimeZone(date_time=local(day, 10), time_zone="Europe/Helsinki"))
    await graph.users.by_user_id(PIRJO).events.by_event_id(pirjo_event).decline.post(
        DeclinePostRequestBody(comment="Torstai kävisi", send_response=True, proposed_new_time=proposal)
    )
    found = await graph.users.by_user_id(ORGANIZER).messages.by_message_id((await inbox(http))[0]["id"]).get()
    assert isinstance(found, EventMessageResponse)
    assert found.response_type == ResponseType.Declined
    assert found.meeting_message_type == MeetingMessageType.MeetingDeclined
    assert found.proposed_new_time is not None and found.proposed_new_time.start is not None
    assert found.proposed_new_time.start.date_time == f"{day}T07:00:00.0000000"
    bad = await http.post(f"/v1.0/users/{PIRJO}/events/{pirjo_event}/accept",
                          json={"proposedNewTime": proposal_json(day)})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "RequestBodyRead"
    wrong = await http.post(f"/v1.0/users/{PIRJO}/events/{pirjo_event}/decline", json={"comment": 5})
    assert wrong.status_code == 400


def proposal_json(day: Any) -> dict[str, Any]:
    return {"start": {"dateTime": local(day, 9), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 10), "timeZone": "Europe/Helsinki"}}


async def test_message_queries(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    await book(http, "ya-query", people=(HANNA, MIKKO, PIRJO))
    for minutes, person in enumerate((HANNA, MIKKO, PIRJO)):
        await set_clock(http, NOW + timedelta(minutes=minutes))
        await answer(http, person, "ya-query", "decline", comment=f"Viesti {minutes}")

    later = await inbox(http, **{"$filter": "receivedDateTime ge 2031-03-03T08:00:30Z", "$select": "from"})
    assert [m["from"]["emailAddress"]["address"] for m in later] == [PIRJO, MIKKO]
    assert set(later[0]) == {"@odata.type", "@odata.etag", "id", "from"}, "only what was selected"
    from_mikko = await inbox(http, **{"$filter": f"from/emailAddress/address eq '{MIKKO.upper()}'"})
    assert [m["bodyPreview"] for m in from_mikko] == ["Viesti 1"]
    oldest = await inbox(http, **{"$orderby": "receivedDateTime", "$top": "1"})
    assert oldest[0]["bodyPreview"] == "Viesti 0"
    paged = (await http.get(MESSAGES, params={"$top": "2"})).json()
    assert len(paged["value"]) == 2 and "%24skip=2" in paged["@odata.nextLink"]
    rest = (await http.get(paged["@odata.nextLink"])).json()
    assert [m["bodyPreview"] for m in rest["value"]] == ["Viesti 0"]

    cast = await inbox(http, **{"$select": "microsoft.graph.eventMessageResponse/responseType,subject"})
    assert {m["responseType"] for m in cast} == {"declined"} and "body" not in cast[0]
    uncast = await http.get(MESSAGES, params={"$select": "responseType"})
    assert uncast.status_code == 400 and "responseType" in uncast.json()["error"]["message"]
    inefficient = await http.get(MESSAGES, params={
        "$filter": f"from/emailAddress/address eq '{HANNA}' and receivedDateTime ge 2031-03-03T08:00:00Z",
        "$orderby": "receivedDateTime desc",
    })
    assert inefficient.status_code == 400 and inefficient.json()["error"]["code"] == "InefficientFilter"
    efficient = await inbox(http, **{
        "$filter": f"receivedDateTime ge 2031-03-03T08:00:00Z and from/emailAddress/address eq '{HANNA}'",
        "$orderby": "receivedDateTime desc",
    })
    assert len(efficient) == 1
    unknown_expand = await http.get(MESSAGES, params={"$expand": "microsoft.graph.eventMessage/calendar"})
    assert unknown_expand.status_code == 400
    plain = await inbox(http, **{"$expand": "event($select=id,subject)", "$select": "subject", "$top": "1"})
    assert set(plain[0]["event"]) == {"@odata.etag", "id", "subject"}

    in_inbox = (await http.get(f"/v1.0/users/{LIISA_ID}/mailFolders/inbox/messages")).json()["value"]
    assert len(in_inbox) == 3
    by_id = (await http.get(f"/v1.0/users/{LIISA_ID}/mailFolders/{in_inbox[0]['parentFolderId']}/messages")).json()
    assert len(by_id["value"]) == 3
    sent = (await http.get("/v1.0/me/mailFolders/sentitems/messages")).json()
    assert sent["value"] == []
    assert (await http.get(f"/v1.0/users/{LIISA_ID}/mailFolders/nope/messages")).status_code == 404
    missing = await http.get(f"{MESSAGES}/AAMkAGnope=")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorItemNotFound"
    not_hers = await http.get(f"/v1.0/users/{HANNA}/messages/{in_inbox[0]['id']}")
    assert not_hers.status_code == 404
    assert (await http.get(f"/v1.0/users/{HANNA}/messages")).json()["value"] == [], "attendees get nothing"


async def test_messages_persist_and_outlive_their_event(start: StartSandbox, tmp_path: Path) -> None:
    db = tmp_path / "mail.db"
    first = await start(db)
    async with httpx.AsyncClient(base_url=first.root_url) as http:
        await set_clock(http)
        event = await book(http, "ya-persist", people=(HANNA,))
        await answer(http, HANNA, "ya-persist", "decline", comment="Pysyy tallessa")
    await first.close()
    second = await start(db)
    async with httpx.AsyncClient(base_url=second.root_url) as http:
        kept = await inbox(http, **{"$expand": "microsoft.graph.eventMessage/event($select=id)"})
        assert [m["bodyPreview"] for m in kept] == ["Pysyy tallessa"] and kept[0]["event"]["id"] == event["id"]
        assert (await http.delete(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).status_code == 204
        gone = await inbox(http, **{"$expand": "microsoft.graph.eventMessage/event"})
        assert gone[0]["event"] is None
        linked = await http.get(f"{MESSAGES}/{kept[0]['id']}/microsoft.graph.eventMessage/event")
        assert linked.status_code == 404


async def test_admin_page_answer_sends_the_message(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    event = await book(http, "ya-page", people=(HANNA,))
    posted = await http.post(
        "/_admin/ui/respond",
        data={"user": HANNA, "eventICalUId": event["iCalUId"], "response": "decline", "comment": "Lomalla <3"},
    )
    assert posted.status_code == 303
    messages = await inbox(http)
    assert [m["bodyPreview"] for m in messages] == ["Lomalla <3"]
    assert messages[0]["meetingMessageType"] == "meetingDeclined"
    organizer_page = (await http.get("/_admin/", params={"user": ORGANIZER})).text
    assert 'id="saapuneet"' in organizer_page and "Declined: Yhdessä aika" in organizer_page
    assert "Lomalla &lt;3" in organizer_page and "Lomalla <3" not in organizer_page
    hanna_page = (await http.get("/_admin/", params={"user": HANNA})).text
    assert "Lomalla" not in hanna_page and "Ei viestejä" in hanna_page


async def test_every_mail_route_has_a_graph_type(tmp_path: Path, seeded_db: Path) -> None:
    shutil.copyfile(seeded_db, tmp_path / "routes.db")
    app = create_app(default_tenant_path(), tmp_path / "routes.db", today=TODAY)
    templates = [
        route.resource.canonical
        for route in app.router.routes()
        if route.method == "GET" and route.resource is not None and "/messages" in route.resource.canonical
    ]
    assert len(templates) == 16  # /users/{user} and /me, with and without mailFolders: list, item, 2 event casts
    assert all(expected_type("GET", template) is not None for template in templates), templates
    app.freeze()
    await app.cleanup()


def test_checker_knows_message_shapes(csdl: Schema) -> None:
    route = "/v1.0/users/{user}/messages"
    good = (
        b'{"@odata.context": "x", "value": [{"@odata.type": "#microsoft.graph.eventMessageResponse", "id": "m",'
        b' "responseType": "declined", "meetingMessageType": "meetingTenativelyAccepted",'
        b' "from": {"emailAddress": {"address": "a@b"}}, "event@odata.context": "y", "event": {"id": "e"}}]}'
    )
    assert check_response(csdl, "GET", route, 200, good) == []
    typo = good.replace(b"meetingTenativelyAccepted", b"meetingTentativelyAccepted")
    assert check_response(csdl, "GET", route, 200, typo) == [
        f"GET {route} -> 200 value[0].meetingMessageType: 'meetingTentativelyAccepted' is not a member of "
        "microsoft.graph.meetingMessageType"
    ]
    base = b'{"@odata.context": "x", "value": [{"id": "m", "responseType": "declined"}]}'
    assert check_response(csdl, "GET", route, 200, base) == [
        f"GET {route} -> 200 value[0].responseType: no such property on microsoft.graph.message"
    ]
    event = "/v1.0/users/{user}/messages/{message}/microsoft.graph.eventMessage/event"
    assert check_response(csdl, "GET", event, 200, b'{"@odata.context": "x", "id": "e", "showAs": "busy"}') == []
