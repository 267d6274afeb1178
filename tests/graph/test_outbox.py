"""The QuestionMail adapter against a recorded Graph: ``POST /users/{id}/sendMail`` with the message as JSON,
kept in Sent Items; Graph's 202 has no body; a failure is the ports' error; a dropped connection is not
sent again (the mail may have gone)."""

from __future__ import annotations

import pytest

from graph.mail import GraphOutbox
from tests.graph.recorded import DROP, RecordedGraph, Reply, connected, failure, service_error, status_and_code

SEND = "POST /users/{user}/sendMail"
LIISA = "5075bdd2-6dd2-56f0-b0cd-939b446d6d8f"


async def _send(graph: RecordedGraph) -> None:
    async with connected(graph) as holder:
        await GraphOutbox(holder.client).send(LIISA, "eeva@ensikoti.example", "Kysymys", "<p>Hei,</p>")


async def test_the_mail_is_sent_from_the_conveners_mailbox_and_kept_in_sent_items() -> None:
    graph = RecordedGraph({SEND: Reply(202)})

    await _send(graph)

    [seen] = graph.requests(SEND)
    assert seen.path == f"/users/{LIISA}/sendMail"
    assert seen.headers["content-type"].startswith("application/json")
    assert seen.json() == {"message": {"subject": "Kysymys", "body": {"contentType": "HTML", "content": "<p>Hei,</p>"},
                                       "toRecipients": [{"emailAddress": {"address": "eeva@ensikoti.example"}}]},
                           "saveToSentItems": True}


async def test_a_refused_mailbox_is_a_graph_failure() -> None:
    graph = RecordedGraph({SEND: failure(403, "error_mailbox_refused")})

    with pytest.raises(service_error()) as caught:
        await _send(graph)

    assert status_and_code(caught.value) == (403, "ErrorAccessDenied")


async def test_a_dropped_connection_is_not_sent_twice() -> None:
    graph = RecordedGraph({SEND: [DROP, Reply(202)]})

    with pytest.raises(service_error()):
        await _send(graph)

    assert len(graph.requests(SEND)) == 1
