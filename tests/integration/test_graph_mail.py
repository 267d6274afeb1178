"""The Mail adapter against the sandbox over HTTP: invitees' comments from the organizer's mailbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from msgraph.generated.models.event_message_response import EventMessageResponse

from domain.convening import Person
from graph.calendar import GraphCalendar
from graph.client import GraphClientHolder, GraphSettings
from graph.errors import GraphUnavailableError
from graph.mail import MAX_COMMENT_CHARS, GraphMail, comment_text
from m365_sandbox.core.tenant import load_tenant
from m365_sandbox.runner import RunningSandbox, start_sandbox
from services.ports import EventDraft
from tests.integration.conftest import LIISA, TENANT

MONDAY_9_HELSINKI = datetime(2031, 3, 10, 7, 0, tzinfo=UTC)
COMMENT = "En pääse <b>tiistaina</b> – ehdotan ensi viikon torstaita. Äänestän Öljymäen huonetta!"


def _person(local_part: str) -> Person:
    box = load_tenant(TENANT).find(f"{local_part}@esimerkkila.onmicrosoft.com")
    assert box is not None, local_part
    return Person(email=box.mail, display_name=box.display_name)


HANNA = _person("hanna.heikkinen")
MIKKO = _person("mikko.miettinen")
PIRJO = _person("pirjo.partanen")


def _draft(transaction_id: str, attendees: tuple[Person, ...], day: int) -> EventDraft:
    start = MONDAY_9_HELSINKI + timedelta(days=day)
    return EventDraft(
        subject="Yhdessä aika", body_html="<p>Tervetuloa.</p>", start=start, end=start + timedelta(hours=1),
        timezone="Europe/Helsinki", attendees=attendees, room_email=None, room_name=None,
        location="Perhekeskus", online=False, transaction_id=transaction_id,
    )


async def _admin(session: aiohttp.ClientSession, sandbox: RunningSandbox, method: str, path: str,
                 body: dict[str, Any] | None = None) -> Any:
    async with session.request(method, f"{sandbox.admin_url}{path}", json=body) as response:
        assert response.status < 300, await response.text()
        return await response.json() if response.content_type == "application/json" else None


async def _answer(session: aiohttp.ClientSession, sandbox: RunningSandbox, person: Person, transaction_id: str,
                  response: str, comment: str = "") -> None:
    body = {"user": person.email, "transactionId": transaction_id, "response": response, "comment": comment}
    await _admin(session, sandbox, "POST", "/respond", body)


async def test_answer_messages_give_the_decliners_comment_as_text(tmp_path: Path) -> None:
    async with await start_sandbox(TENANT, tmp_path / "sb.db") as sandbox, aiohttp.ClientSession() as session:
        holder = GraphClientHolder(GraphSettings(sandbox.base_url), None)
        try:
            calendar = GraphCalendar(holder.client)
            meeting = await calendar.create_event(LIISA, _draft("ya-mail-1", (HANNA, MIKKO, PIRJO), 1))
            await calendar.create_event(LIISA, _draft("ya-mail-2", (PIRJO,), 3))
            await _answer(session, sandbox, PIRJO, "ya-mail-1", "decline", "Vanha vastaus, ennen rajaa")
            await _admin(session, sandbox, "PUT", "/clock", {"advanceMinutes": 5})
            since = datetime.fromisoformat((await _admin(session, sandbox, "GET", "/clock"))["now"])

            await _answer(session, sandbox, HANNA, "ya-mail-1", "decline", COMMENT)
            await _answer(session, sandbox, MIKKO, "ya-mail-1", "accept")
            await _answer(session, sandbox, PIRJO, "ya-mail-2", "decline", "Toinen tapaaminen")
            await _admin(session, sandbox, "DELETE", "/requests")

            mail = GraphMail(holder.client)
            comments = await mail.answer_messages(LIISA, meeting.id, since)
            assert comments == {HANNA.email: COMMENT}

            counts = (await _admin(session, sandbox, "GET", "/requests"))["byRoute"]
            assert counts == {"GET /v1.0/users/{user}/messages": 1, "GET /v1.0/users/{user}/messages/{message}": 2}, (
                "one list without bodies, then only the body of each invitee's latest answer about this meeting"
            )
            everything = await mail.answer_messages(LIISA, meeting.id, since - timedelta(minutes=10))
            assert everything == {HANNA.email: COMMENT, PIRJO.email: "Vanha vastaus, ennen rajaa"}
            assert await mail.answer_messages(LIISA, "AAMkAGnot-this-one=", since) == {}

        finally:
            await holder.close()


class _NoExpand(GraphMail):
    """A mailbox that refuses ``$expand`` of the event: each response's event is read instead."""

    async def _responses(self, organizer_id: str, since: datetime, expand: bool) -> list[EventMessageResponse]:
        if expand:
            raise GraphUnavailableError(400, "BadRequest")
        return await super()._responses(organizer_id, since, expand)


async def test_without_expand_each_response_event_is_read(tmp_path: Path) -> None:
    async with await start_sandbox(TENANT, tmp_path / "sb.db") as sandbox, aiohttp.ClientSession() as session:
        holder = GraphClientHolder(GraphSettings(sandbox.base_url), None)
        try:
            calendar = GraphCalendar(holder.client)
            meeting = await calendar.create_event(LIISA, _draft("ya-mail-3", (HANNA, MIKKO), 2))
            since = datetime.fromisoformat((await _admin(session, sandbox, "GET", "/clock"))["now"])
            await _answer(session, sandbox, MIKKO, "ya-mail-3", "tentativelyAccept", "Tulen <i>jos</i> ehdin")
            await _answer(session, sandbox, HANNA, "ya-mail-3", "decline", "Ensin kieltäydyn")
            await _admin(session, sandbox, "PUT", "/clock", {"advanceMinutes": 1})
            await _answer(session, sandbox, MIKKO, "ya-mail-3", "decline", COMMENT)
            comments = await _NoExpand(holder.client).answer_messages(LIISA, meeting.id, since)
            assert comments == {MIKKO.email: COMMENT, HANNA.email: "Ensin kieltäydyn"}, "the latest answer counts"
            counts = (await _admin(session, sandbox, "GET", "/requests"))["byRoute"]
            event_reads = counts["GET /v1.0/users/{user}/messages/{message}/microsoft.graph.eventMessage/event"]
            assert event_reads == 2, "Mikko's older answer is not looked at once his latest is known"
        finally:
            await holder.close()


def test_comment_text_keeps_only_the_invitees_own_words() -> None:
    outlook = (
        '<html><head><meta charset="utf-8"><style>p {margin: 0}</style></head><body>'
        '<div dir="ltr"><p>Hei Liisa,</p><p>en pääse &lt;tiistaina&gt;&nbsp;– sopisiko torstai?<br>Terveisin&nbsp;Hanna'
        "</p></div><div id=\"appendonsend\"></div>"
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg"><b>From:</b> Liisa Lähinen<br>'
        "<b>Sent:</b> maanantai 3. maaliskuuta 2031<br><b>Subject:</b> Yhdessä aika</div>"
        "<p>Tervetuloa perheen kanssa.</p></body></html>"
    )
    assert comment_text(outlook) == "Hei Liisa,\n\nen pääse <tiistaina> – sopisiko torstai?\nTerveisin Hanna"
    quoted_text = "Ei käy.\r\n\r\n________________________________\r\nLähettäjä: Liisa Lähinen\r\nAihe: Yhdessä aika"
    assert comment_text(quoted_text, is_html=False) == "Ei käy."
    header_only = "<div>Kiitos kutsusta<br>From: Liisa Lähinen &lt;liisa@x&gt;<br>Sent: tänään</div>"
    assert comment_text(header_only) == "Kiitos kutsusta"
    finnish = "Kiitos\n\nLähettäjä: Liisa Lähinen\nLähetetty: maanantai\nAihe: Yhdessä aika\n\nTervetuloa"
    assert comment_text(finnish, is_html=False) == "Kiitos"
    own_words = "From: ensi viikosta alkaen olen lomalla.\nTo be continued."
    assert comment_text(own_words, is_html=False) == own_words, "a 'From:' without a header block is kept"
    long = comment_text("<p>" + "ä" * 2000 + "</p>")
    assert len(long) == MAX_COMMENT_CHARS and long.endswith("…")
    assert comment_text("") == "" and comment_text(None) == ""
    assert comment_text("<script>alert(1)</script><b>Hyvä</b>") == "Hyvä"
