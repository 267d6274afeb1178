"""The admin page for people (GET /_admin/): users, events with answers, files, faults and the clock."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sandbox_receiver import Receiver
from sandbox_support import LIISA_ID, local, mail, settle, week_day

NOW = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)  # Monday 10.00 in Helsinki; the meetings are next week
HANNA = mail("hanna.heikkinen")
MIKKO = mail("mikko.miettinen")


async def set_clock(http: httpx.AsyncClient, moment: datetime = NOW) -> None:
    """Put the sandbox clock at ``moment`` (the page shows the weeks from the clock's date)."""
    response = await http.put("/_admin/clock", json={"now": moment.isoformat().replace("+00:00", "Z")})
    assert response.status_code == 200, response.text


async def book(http: httpx.AsyncClient, subject: str, body: str = "", people: tuple[str, ...] = (HANNA,)) -> Any:
    """Liisa invites ``people`` to a meeting on Tuesday of next week, 12–13 Helsinki time."""
    day = week_day(1, 1)
    response = await http.post(
        f"/v1.0/users/{LIISA_ID}/events",
        json={
            "subject": subject,
            "body": {"contentType": "html", "content": body},
            "start": {"dateTime": local(day, 12), "timeZone": "Europe/Helsinki"},
            "end": {"dateTime": local(day, 13), "timeZone": "Europe/Helsinki"},
            "location": {"displayName": "Perhekeskus"},
            "attendees": [{"type": "required", "emailAddress": {"address": p}} for p in people],
            "transactionId": f"ya-{subject[:8]}",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def page(http: httpx.AsyncClient, user: str, **params: str) -> httpx.Response:
    """The admin page for ``user``."""
    response = await http.get("/_admin/", params={"user": user, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response


def statuses(event: dict[str, Any]) -> dict[str, str]:
    """Attendee address → response, as the organizer's event shows them."""
    return {a["emailAddress"]["address"]: a["status"]["response"] for a in event["attendees"]}


async def test_page_lists_users_and_marks_near_workers(http: httpx.AsyncClient) -> None:
    redirect = await http.get("/_admin", follow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["location"] == "/_admin/"
    response = await http.get("/_admin/")
    assert response.status_code == 200
    text = response.text
    assert "Liisa Lähinen" in text and "Hanna Heikkinen" in text and "Terveydenhoitaja" in text
    near = re.findall(r"<tr[^>]*><td><a [^>]*>([^<]+)</a> <span class=\"badge near\">", text)
    assert near == ["Liisa Lähinen", "Niko Nieminen"]
    assert "script-src" not in response.headers["content-security-policy"]  # default-src 'none': no scripts
    assert "default-src 'none'" in response.headers["content-security-policy"]
    unknown = await http.get("/_admin/", params={"user": "nobody@example.org"})
    assert unknown.status_code == 404 and "nobody@example.org" in unknown.text


async def test_page_shows_a_new_event_with_answers(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    before = await page(http, HANNA)
    assert "Yhdessä aika – Virtanen" not in before.text
    event = await book(http, "Yhdessä aika – Virtanen", people=(HANNA, MIKKO))
    text = (await page(http, HANNA)).text
    assert "Yhdessä aika – Virtanen" in text
    assert "ti 11.3.2031 klo 12.00–13.00" in text and "Perhekeskus" in text
    assert "ei vastannut (no answer)" in text and "liisa.lahinen@esimerkkila.onmicrosoft.com" in text
    assert f'name="eventICalUId" value="{event["iCalUId"]}"' in text
    organizer_view = (await page(http, mail("liisa.lahinen"))).text
    assert "Yhdessä aika – Virtanen" in organizer_view and "järjestäjä (organizer)" in organizer_view
    assert f'value="{event["iCalUId"]}"' not in organizer_view  # no answer buttons for the organizer
    other_weeks = (await page(http, HANNA, **{"from": "2031-04-07", "weeks": "1"})).text
    assert "Yhdessä aika – Virtanen" not in other_weeks


async def test_answer_forms_change_the_organizer_event_and_notify(
    http: httpx.AsyncClient, receiver: Receiver
) -> None:
    await set_clock(http)
    event = await book(http, "Yhdessä aika – Korhonen", people=(HANNA, MIKKO))
    subscription = await http.post(
        "/v1.0/subscriptions",
        json={
            "changeType": "updated",
            "notificationUrl": receiver.url,
            "resource": f"users/{LIISA_ID}/events",
            "expirationDateTime": (NOW + timedelta(days=1)).isoformat().replace("+00:00", "Z"),
            "clientState": "salaisuus",
        },
    )
    assert subscription.status_code == 201, subscription.text
    await settle(http)

    accepted = await http.post(
        "/_admin/ui/respond",
        data={"user": MIKKO, "eventICalUId": event["iCalUId"], "response": "accept", "weeks": "2"},
    )
    assert accepted.status_code == 303
    assert accepted.headers["location"].startswith("../?user=mikko.miettinen%40") and "weeks=2" in accepted.headers[
        "location"
    ]
    declined = await http.post(
        "/_admin/ui/respond",
        data={"user": HANNA, "eventICalUId": event["iCalUId"], "response": "decline", "comment": "En pääse <b>"},
        follow_redirects=True,
    )
    assert declined.status_code == 200 and declined.url.path == "/_admin/"
    assert "kieltäytynyt (declined)" in declined.text and "poistettu kalenterista" in declined.text

    organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
    assert statuses(organizer) == {MIKKO: "accepted", HANNA: "declined"}
    updates = await receiver.wait_for(
        lambda entries: sum(e["resourceData"]["id"] == event["id"] for e in entries) >= 2
    )
    assert {e["changeType"] for e in updates} == {"updated"}
    assert all(e["clientState"] == "salaisuus" for e in updates)

    hanna_view = (await page(http, HANNA)).text
    assert f'value="{event["iCalUId"]}"' not in hanna_view  # the declined copy is gone: nothing to answer
    again = await http.post(
        "/_admin/ui/respond", data={"user": HANNA, "eventICalUId": event["iCalUId"], "response": "accept"}
    )
    assert again.status_code == 404 and "Vastaus ei onnistunut" in again.text
    wrong = await http.post(
        "/_admin/ui/respond", data={"user": MIKKO, "eventICalUId": event["iCalUId"], "response": "maybe"}
    )
    assert wrong.status_code == 400


async def test_json_respond_takes_the_same_path_and_echoes_the_comment(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    event = await book(http, "Yhdessä aika – Nieminen")
    answer = await http.post(
        "/_admin/respond",
        json={"user": HANNA, "transactionId": event["transactionId"], "response": "tentativelyAccept",
              "comment": "Tulen jos ehdin"},
    )
    assert answer.status_code == 202 and answer.json()["comment"] == "Tulen jos ehdin"
    organizer = (await http.get(f"/v1.0/users/{LIISA_ID}/events/{event['id']}")).json()
    assert statuses(organizer) == {HANNA: "tentativelyAccepted"}
    assert "alustavasti (tentative)" in (await page(http, HANNA)).text
    bad = await http.post("/_admin/respond", json={"user": HANNA, "transactionId": "x", "response": "accept",
                                                   "comment": 5})
    assert bad.status_code == 400


async def test_html_in_events_is_escaped(http: httpx.AsyncClient) -> None:
    await set_clock(http)
    subject = '<script>alert("aihe")</script> Yhdessä aika'
    body = '<p>Hei <img src=x onerror=alert(1)> &lt;b&gt;tervetuloa&lt;/b&gt;</p>'
    await book(http, subject, body)
    text = (await page(http, HANNA)).text
    assert "<script" not in text and "<img" not in text and "<b>tervetuloa" not in text
    assert html.escape(subject) in text
    assert "&lt;b&gt;tervetuloa&lt;/b&gt;" in text  # the body preview, shown as text


async def test_files_and_shared_files_link_to_openable_web_urls(http: httpx.AsyncClient) -> None:
    path = f"/v1.0/users/{LIISA_ID}/drive/root:/Yhdessä aika/Perhe Korhonen/suunnitelma.pdf:/content"
    uploaded = (await http.put(path, content=b"%PDF-1.7 plan")).json()
    liisa = (await page(http, mail("liisa.lahinen"))).text
    assert f'href="{html.escape(uploaded["webUrl"])}"' in liisa and "Perhe Korhonen" in liisa
    assert "Avaa OneDrive" in liisa
    assert "OneDrivea ei ole vielä käytetty" in (await page(http, HANNA)).text
    invite = await http.post(
        f"/v1.0/users/{LIISA_ID}/drive/items/{uploaded['id']}/invite",
        json={"recipients": [{"email": HANNA}], "roles": ["read"], "requireSignIn": True},
    )
    assert invite.status_code == 200, invite.text
    hanna = (await page(http, HANNA)).text
    assert "Minulle jaetut" in hanna and f'href="{html.escape(uploaded["webUrl"])}"' in hanna
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(uploaded["webUrl"])).content == b"%PDF-1.7 plan"


async def test_fault_and_clock_forms(http: httpx.AsyncClient) -> None:
    saved = await http.post(
        "/_admin/ui/faults",
        data={"latencyMs": "3", "p429": "0,25", "p503": "0", "pDrop": "0", "retryAfterSeconds": "2", "seed": "7"},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("#viat")
    assert (await http.get("/_admin/faults")).json() == {
        "latencyMs": 3, "p429": 0.25, "p503": 0.0, "pDrop": 0.0, "retryAfterSeconds": 2, "seed": 7,
        "pathContains": None, "method": None,  # the form aims at every request
    }
    refused = await http.post("/_admin/ui/faults", data={"p429": "paljon"})
    assert refused.status_code == 400 and "ei ole luku" in refused.text
    out_of_range = await http.post("/_admin/ui/faults", data={"p503": "2"})
    assert out_of_range.status_code == 400
    await http.post("/_admin/ui/faults", data={"latencyMs": "0", "p429": "0", "seed": ""})
    assert (await http.get("/_admin/faults")).json()["seed"] is None
    shown = (await page(http, HANNA)).text
    assert 'name="retryAfterSeconds" value="2"' in shown

    await set_clock(http)
    moved = await http.post("/_admin/ui/clock", data={"action": "advance", "advanceMinutes": "90"})
    assert moved.status_code == 303 and "from=2031-03-03" in moved.headers["location"]
    now = datetime.fromisoformat((await http.get("/_admin/clock")).json()["now"].replace("Z", "+00:00"))
    assert timedelta(minutes=90) <= now - NOW < timedelta(minutes=91)
    assert "ma 3.3.2031 klo 11.30" in (await page(http, HANNA)).text
    await http.post("/_admin/ui/clock", data={"action": "set", "now": "2031-03-10T09:15"})
    now = datetime.fromisoformat((await http.get("/_admin/clock")).json()["now"].replace("Z", "+00:00"))
    assert timedelta(0) <= now - datetime(2031, 3, 10, 7, 15, tzinfo=UTC) < timedelta(minutes=1)
    assert (await http.post("/_admin/ui/clock", data={"action": "advance", "advanceMinutes": "x"})).status_code == 400
    await http.post("/_admin/ui/clock", data={"action": "reset"})
    assert (await http.get("/_admin/clock")).json()["offsetSeconds"] == 0
