"""Meetings and mail across organisations: invitations into other tenants' calendars and Inboxes, the outside
outbox, answers from another tenant and from outside, sendMail, drive invitations, the admin page."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sandbox_support import LIISA_ID, StartSandbox, local, mail, week_day
from test_multi_tenant import (
    APP,
    EEVA,
    GRAPH_SCOPE,
    PARISH,
    PAULA,
    PAULA_ID,
    SATU,
    SECRET,
    bearer,
    fixed,
    token_for,
)

from m365_sandbox.identity.context import TOKENS
from m365_sandbox.runner import RunningSandbox

COUNTY = "8d2f3a6c-41b7-4e0a-b5d9-2c7e9f1a4b63"
ROOT = Path(__file__).resolve().parents[2]


def county_token(sandbox: RunningSandbox) -> str:
    """A token in the county (which has not consented to the app): made by the sandbox itself, for reading."""
    tokens = sandbox.app[TOKENS]
    county, app = tokens.directory.tenant(COUNTY), tokens.directory.apps[0]
    assert county is not None
    return tokens.issue(county, app)


async def book(http: httpx.AsyncClient, attendees: list[str], subject: str = "Verkostopalaveri") -> dict[str, Any]:
    """Liisa (home tenant, no token) invites ``attendees`` to a Teams meeting next Tuesday."""
    day = week_day(1, 1)
    created = await http.post(f"/v1.0/users/{LIISA_ID}/events", json={
        "subject": subject,
        "body": {"contentType": "text", "content": "Tervetuloa perheen verkostopalaveriin."},
        "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
        "end": {"dateTime": local(day, 13), "timeZone": "Europe/Helsinki"},
        "attendees": [{"emailAddress": {"address": a}, "type": "required"} for a in attendees],
        "isOnlineMeeting": True,
        "onlineMeetingProvider": "teamsForBusiness",
    })
    assert created.status_code == 201, created.text
    return dict(created.json())


async def test_invitation_reaches_other_tenants_and_the_outside(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        event = await book(http, [PAULA, SATU, EEVA, mail("mikko.miettinen")])
        join_url = event["onlineMeeting"]["joinUrl"]
        # The parish worker's calendar (read with the parish's own token) has the meeting request.
        events = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        (copy,) = [e for e in events if e["iCalUId"] == event["iCalUId"]]
        assert copy["isOrganizer"] is False and copy["responseStatus"]["response"] == "notResponded"
        assert copy["organizer"]["emailAddress"]["address"] == mail("liisa.lahinen")
        assert copy["onlineMeeting"]["joinUrl"] == join_url
        # ... and her Inbox the invitation mail, whose event is her copy.
        messages = (await http.get(f"/v1.0/users/{PAULA_ID}/messages?$expand=microsoft.graph.eventMessage/event",
                                   headers=bearer(parish))).json()["value"]
        (invitation,) = messages
        assert invitation["@odata.type"] == "#microsoft.graph.eventMessageRequest"
        assert invitation["meetingMessageType"] == "meetingRequest"
        assert invitation["from"]["emailAddress"]["address"] == mail("liisa.lahinen")
        assert invitation["subject"] == "Verkostopalaveri" and invitation["event"]["id"] == copy["id"]
        # The county too (its own tenant's token).
        county = county_token(sandbox)
        satu_events = (await http.get(f"/v1.0/users/{SATU}/events?$top=100", headers=bearer(county))).json()["value"]
        assert any(e["iCalUId"] == event["iCalUId"] for e in satu_events)
        assert len((await http.get(f"/v1.0/users/{SATU}/messages", headers=bearer(county))).json()["value"]) == 1
        # A colleague in the organizer's own tenant gets the copy only, as before.
        assert (await http.get(f"/v1.0/users/{mail('mikko.miettinen')}/messages")).json()["value"] == []
        # The NGO worker has no tenant: the invitation, with the Teams link, is in the outside outbox.
        (outside,) = (await http.get("/_admin/outside-mail")).json()
        assert outside["to"] == [EEVA] and outside["from"] == mail("liisa.lahinen")
        assert outside["subject"] == "Verkostopalaveri" and outside["kind"] == "meetingRequest"
        assert join_url in outside["body"] and outside["contentType"] == "html"
        assert outside["sentDateTime"] == "2031-03-03T06:00:00Z"
        # Cancelling reaches them all the same way.
        assert (await http.post(f"/v1.0/users/{LIISA_ID}/events/{event['id']}/cancel", json={})).status_code == 202
        events = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        assert next(e for e in events if e["iCalUId"] == event["iCalUId"])["isCancelled"] is True
        kinds = [m["meetingMessageType"] for m in
                 (await http.get(f"/v1.0/users/{PAULA_ID}/messages", headers=bearer(parish))).json()["value"]]
        assert kinds == ["meetingCancelled", "meetingRequest"]
        outbox = (await http.get("/_admin/outside-mail")).json()
        assert [m["subject"] for m in outbox] == ["Verkostopalaveri", "Canceled: Verkostopalaveri"]


async def test_answers_from_another_tenant_and_from_outside_reach_the_organizer(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        event = await book(http, [PAULA, EEVA])
        events = (await http.get(f"/v1.0/users/{PAULA_ID}/events?$top=100", headers=bearer(parish))).json()["value"]
        copy_id = next(e["id"] for e in events if e["iCalUId"] == event["iCalUId"])
        declined = await http.post(f"/v1.0/users/{PAULA_ID}/events/{copy_id}/decline", headers=bearer(parish),
                                   json={"comment": "Perhekerho samaan aikaan", "sendResponse": True})
        assert declined.status_code == 202
        answered = await http.post("/_admin/outside/respond", json={
            "iCalUId": event["iCalUId"], "email": EEVA, "response": "tentativelyAccepted", "comment": "Yritän ehtiä"})
        assert answered.status_code == 202, answered.text
        assert answered.json()["eventId"] == event["id"]
        organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
        statuses = {a["emailAddress"]["address"]: a["status"]["response"] for a in organizer["attendees"]}
        assert statuses == {PAULA: "declined", EEVA: "tentativelyAccepted"}
        inbox = (await http.get(f"/v1.0/users/{LIISA_ID}/messages")).json()["value"]
        replies = {m["from"]["emailAddress"]["address"]: m for m in inbox}
        assert replies[PAULA]["meetingMessageType"] == "meetingDeclined"
        assert replies[PAULA]["bodyPreview"] == "Perhekerho samaan aikaan"
        assert replies[EEVA]["meetingMessageType"] == "meetingTenativelyAccepted"
        assert replies[EEVA]["from"]["emailAddress"]["name"] == "Eeva Ensio"
        assert replies[EEVA]["bodyPreview"] == "Yritän ehtiä"
        # Somebody who was not invited cannot answer; a sandbox mailbox answers through Graph.
        stranger = await http.post("/_admin/outside/respond", json={
            "event_id": event["id"], "email": "joku@muu.example", "response": "accepted"})
        assert stranger.status_code == 404
        member = await http.post("/_admin/outside/respond", json={
            "event_id": event["id"], "email": PAULA, "response": "accepted"})
        assert member.status_code == 400


async def test_send_mail_and_drive_invitations_cross_tenants(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        sent = await http.post(f"/v1.0/users/{LIISA_ID}/sendMail", json={
            "message": {
                "subject": "Muistio", "body": {"contentType": "Text", "content": "Linkki: https://example.org/x"},
                "toRecipients": [{"emailAddress": {"address": PAULA}}, {"emailAddress": {"address": EEVA}}],
                "ccRecipients": [{"emailAddress": {"address": "ei.ole@example.org"}}],
            },
            "saveToSentItems": False,
        })
        assert sent.status_code == 202 and sent.content == b""
        (received,) = (await http.get(f"/v1.0/users/{PAULA_ID}/messages", headers=bearer(parish))).json()["value"]
        assert received["subject"] == "Muistio" and received["@odata.type"] == "#microsoft.graph.message"
        assert received["body"] == {"contentType": "text", "content": "Linkki: https://example.org/x"}
        (outside,) = (await http.get("/_admin/outside-mail")).json()
        assert outside["to"] == [EEVA, "ei.ole@example.org"] and outside["body"] == "Linkki: https://example.org/x"
        empty = await http.post(f"/v1.0/users/{LIISA_ID}/sendMail", json={"message": {"subject": "x"}})
        assert empty.status_code == 400 and empty.json()["error"]["code"] == "ErrorInvalidRecipients"

        folder = await http.post(f"/v1.0/users/{LIISA_ID}/drive/root/children",
                                 json={"name": "Jaettu", "folder": {}})
        assert folder.status_code == 201
        invited = await http.post(f"/v1.0/users/{LIISA_ID}/drive/items/{folder.json()['id']}/invite", json={
            "recipients": [{"email": PAULA}, {"email": EEVA}, {"email": mail("mikko.miettinen")}],
            "roles": ["read"], "requireSignIn": True, "sendInvitation": True, "message": "Tässä kansio",
        })
        assert invited.status_code == 200
        assert len(invited.json()["value"]) == 3  # recorded as permissions, as before
        outbox = (await http.get("/_admin/outside-mail")).json()
        assert outbox[-1]["kind"] == "sharingInvitation" and outbox[-1]["to"] == [EEVA]
        assert "Tässä kansio" in outbox[-1]["body"] and "Jaettu" in outbox[-1]["body"]
        subjects = [m["subject"] for m in
                    (await http.get(f"/v1.0/users/{PAULA_ID}/messages", headers=bearer(parish))).json()["value"]]
        assert subjects == ['Liisa Lähinen shared "Jaettu" with you', "Muistio"]
        assert (await http.get(f"/v1.0/users/{mail('mikko.miettinen')}/messages")).json()["value"] == []


async def test_admin_lists_tenants_and_the_outside_outbox(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        await book(http, [EEVA])
        tenants = (await http.get("/_admin/tenants")).json()
        assert [t["displayName"] for t in tenants["tenants"]] == [
            "Esimerkkilän kunta", "Esimerkkilän hyvinvointialue", "Esimerkkilän seurakunta"]
        assert tenants["tenants"][2]["users"][0]["jobTitle"] == "Perhetyöntekijä, diakonia"
        assert tenants["outsidePeople"] == [{"mail": EEVA, "displayName": "Eeva Ensio"}]
        assert "secret" not in str(tenants["apps"])
        page = (await http.get("/_admin/")).text
        for text in ("Esimerkkilän hyvinvointialue", "esimerkkilanseurakunta.onmicrosoft.com", COUNTY,
                     "Satu Salminen", "Lastenpsykiatrinen sairaanhoitaja", "Paula Pesonen", EEVA,
                     'href="outside-mail"', 'href="tenants"', f"curl -X POST {sandbox.root_url}/_admin/respond"):
            assert text in page, text
        assert 'id="ulkoposti"' in page and "Verkostopalaveri" in page.split('id="ulkoposti"', 1)[1]


def test_cli_prints_the_authority_and_the_ca_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "m365_sandbox", "--db", str(tmp_path / "cli.db"), "--port", "0", "--tls-port", "0",
         "--require-tokens", "--delivery-delay", "0.1", "--now", "2031-03-03T08:00+02:00"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        lines = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        assert lines["SANDBOX_AUTHORITY"].startswith("https://127.0.0.1:")
        assert Path(lines["SANDBOX_CA_FILE"]).read_text().startswith("-----BEGIN CERTIFICATE-----")
        refused = httpx.get(f"{lines['SANDBOX_BASE_URL']}/users", timeout=10)
        assert refused.status_code == 401  # --require-tokens
        context = ssl.create_default_context(cafile=lines["SANDBOX_CA_FILE"])
        answer = httpx.post(f"{lines['SANDBOX_AUTHORITY']}/{PARISH}/oauth2/v2.0/token", verify=context, timeout=10,
                            data={"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET,
                                  "scope": GRAPH_SCOPE})
        assert answer.status_code == 200
        users = httpx.get(f"{lines['SANDBOX_BASE_URL']}/users", timeout=10,
                          headers=bearer(answer.json()["access_token"]))
        assert [u["mail"] for u in users.json()["value"]] == [PAULA]
        transport = httpx.get(lines["SANDBOX_BASE_URL"].replace("/v1.0", "/_admin/transport"), timeout=10).json()
        assert transport["config"]["delay_seconds"] == 0.1
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream:
                stream.close()
    assert process.returncode == 0
