"""The contract checker itself, and a sweep over every route so each response shape is checked.

(Every test in this folder is checked against the CSDL by the autouse fixture in conftest.py.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
from sandbox_csdl import Schema, check_notification_payload, check_response, expected_type
from sandbox_support import LIISA_ID, TENANT_ID, TODAY, local, mail, week_day

from m365_sandbox.app import create_app
from m365_sandbox.core.context import ObservedResponse
from m365_sandbox.core.tenant import default_tenant_path


def test_checker_accepts_and_rejects(csdl: Schema) -> None:
    good = b'{"@odata.context": "x", "value": [{"scheduleId": "a", "availabilityView": "0", "scheduleItems": []}]}'
    assert check_response(csdl, "POST", "/v1.0/users/{user}/calendar/getSchedule", 200, good) == []
    unknown = b'{"@odata.context": "x", "id": "1", "shoeSize": 42}'
    assert check_response(csdl, "GET", "/v1.0/users/{user}", 200, unknown) == [
        "GET /v1.0/users/{user} -> 200.shoeSize: no such property on microsoft.graph.user"
    ]
    wrong_kind = b'{"@odata.context": "x", "isAllDay": "yes", "showAs": "sleeping", "start": {"dateTime": 5}}'
    problems = check_response(csdl, "GET", "/v1.0/users/{user}/events/{event}", 200, wrong_kind)
    assert len(problems) == 3
    inherited = b'{"@odata.context": "x", "value": [{"id": "r", "displayName": "R", "capacity": 8, "tags": null}]}'
    assert check_response(csdl, "GET", "/v1.0/places/microsoft.graph.room", 200, inherited) == [
        "GET /v1.0/places/microsoft.graph.room -> 200 value[0].tags: null for a non-nullable property of "
        "microsoft.graph.room"
    ]
    assert check_response(csdl, "GET", "/v1.0/users/{user}", 404, b'{"error": {"code": "x"}}') != []
    assert check_response(csdl, "POST", "/v1.0/users/{user}/events/{event}/accept", 202, b"") == []


def test_csdl_inheritance(csdl: Schema) -> None:
    event = csdl.properties("graph.event")
    assert {"createdDateTime", "changeKey", "id", "iCalUId", "attendees"} <= set(event)
    assert csdl.derives_from("microsoft.graph.room", "microsoft.graph.place")
    assert not csdl.derives_from("microsoft.graph.user", "microsoft.graph.place")


async def test_sweep_of_every_route(http: httpx.AsyncClient, recorded: list[ObservedResponse]) -> None:
    day = week_day(1, 1)
    created = await http.post(
        f"/v1.0/users/{LIISA_ID}/calendar/events",
        headers={"Prefer": 'outlook.timezone="Europe/Helsinki"'},
        json={
            "subject": "Yhdessä aika",
            "body": {"contentType": "text", "content": "Hei!\nTervetuloa."},
            "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 13, 30), "timeZone": "Europe/Helsinki"},
            "location": {"displayName": "Perhekeskus – Kaste", "locationEmailAddress": mail("kaste")},
            "locations": [{"displayName": "Perhekeskus – Kaste", "locationEmailAddress": mail("kaste")}],
            "attendees": [
                {"type": "required", "emailAddress": {"address": mail("hanna.heikkinen"), "name": "Hanna"}},
                {"type": "optional", "emailAddress": {"address": "perhe@example.org", "name": "Perhe"}},
                {"type": "resource", "emailAddress": {"address": mail("kaste")}},
            ],
            "isOnlineMeeting": True,
            "categories": ["Yhdessä aika"],
            "sensitivity": "private",
            "transactionId": "sweep-1",
        },
    )
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["start"] == {"dateTime": f"{day}T12:00:00.0000000", "timeZone": "Europe/Helsinki"}
    assert event["body"]["contentType"] == "html" and "Tervetuloa" in event["bodyPreview"]
    event_url = f"/v1.0/users/{LIISA_ID}/events/{event['id']}"
    calls = [
        http.get("/v1.0/users", params={"$filter": "startswith(displayName,'a')", "$orderby": "displayName"}),
        http.get("/v1.0/me"),
        http.get(f"/v1.0/users/{mail('kaste')}"),
        http.get("/v1.0/places/graph.room", params={"$filter": "capacity ge 10", "$select": "displayName"}),
        http.get("/v1.0/me/events", params={"$top": "3", "$orderby": "start/dateTime desc"}),
        http.get(f"/v1.0/users/{mail('hanna.heikkinen')}/calendar/calendarView",
                 params={"startDateTime": f"{day}T00:00:00", "endDateTime": f"{day}T23:59:59"}),
        http.get(event_url, params={"$select": "subject,attendees"}),
        http.patch(event_url, json={"subject": "Yhdessä aika – Virtanen", "isReminderOn": False}),
        http.post("/v1.0/me/calendar/getSchedule", json={
            "Schedules": [mail("hanna.heikkinen"), mail("kaste"), "x@example.org"],
            "StartTime": {"dateTime": local(day, 8), "timeZone": "Europe/Helsinki"},
            "EndTime": {"dateTime": local(day, 16), "timeZone": "Europe/Helsinki"},
        }),
        http.get(f"/v1.0/users/{LIISA_ID}/events", params={"$filter": "attendees/any(a:a/type eq 'resource')"}),
    ]
    for call in calls:
        response = await call
        assert response.status_code == 200, response.text
    filtered = recorded[-1]
    assert filtered.status == 200 and event["id"].encode() in filtered.body
    assert (await http.delete(event_url)).status_code == 204
    routes = {r.route for r in recorded}
    assert "/v1.0/users/{user}/calendar/calendarView" in routes and "/v1.0/me/calendar/getSchedule" in routes


async def test_every_drive_upload_and_subscription_route_has_a_graph_type(tmp_path: Path, seeded_db: Path) -> None:
    shutil.copyfile(seeded_db, tmp_path / "routes.db")
    app = create_app(default_tenant_path(), tmp_path / "routes.db", today=TODAY)
    prefixes = ("/v1.0/users/{user}/drive", "/v1.0/me/drive", "/v1.0/drives/", "/v1.0/subscriptions", "/_upload/")
    checked = 0
    for route in app.router.routes():
        template = route.resource.canonical if route.resource is not None else ""
        no_json = route.method in {"DELETE", "HEAD"} or template.endswith(("reauthorize", ":/content", "/content"))
        if not template.startswith(prefixes) or (no_json and route.method != "PUT"):
            continue
        checked += 1
        assert expected_type(route.method, template, 200) is not None, f"{route.method} {template}"
    assert checked > 100  # every item addressing form of every drive prefix
    app.freeze()
    await app.cleanup()


def test_checker_knows_drive_and_notification_shapes(csdl: Schema) -> None:
    item = b'{"@odata.context": "x", "id": "1", "name": "a.pdf", "file": {"hashes": {"quickXorHash": "x"}}, "size": 3}'
    assert check_response(csdl, "PUT", "/v1.0/me/drive/root:/{path}:/content", 201, item) == []
    link = b'{"@odata.context": "x", "id": "1", "roles": ["read"], "link": {"scope": "anonymous", "kind": "x"}}'
    assert check_response(csdl, "POST", "/v1.0/drives/{drive}/items/{item}/createLink", 201, link) == [
        "POST /v1.0/drives/{drive}/items/{item}/createLink -> 201.link.kind: no such property on "
        "microsoft.graph.sharingLink"
    ]
    session = b'{"expirationDateTime": "2031-03-03T08:00:00Z", "nextExpectedRanges": ["0-"], "size": 1}'
    assert check_response(csdl, "PUT", "/_upload/{session}", 202, session) != []
    good = {
        "value": [
            {
                "subscriptionId": "6b1a1d55-7b5c-4bd1-9b0c-3f4a2a3b2c1d",
                "subscriptionExpirationDateTime": "2031-03-06T08:00:00Z",
                "changeType": "updated",
                "resource": "Users/u/Events/e",
                "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "@odata.id": "Users/u/Events/e",
                                 "@odata.etag": 'W/"x"', "id": "e"},
                "clientState": "s",
                "tenantId": TENANT_ID,
            }
        ]
    }
    assert check_notification_payload(csdl, good) == []
    bad = {"value": [{**good["value"][0], "changeType": "moved", "subscriptionId": "nope"}]}
    assert len(check_notification_payload(csdl, bad)) == 2
