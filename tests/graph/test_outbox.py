"""The QuestionMail adapter against a recorded Graph: ``POST /users/{id}/sendMail`` with the message as JSON,
kept in Sent Items; Graph's 202 has no body; a failure is the ports' error; a dropped connection is not
sent again (the mail may have gone)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from graph.mail import GraphOutbox
from graph.mailbox_limit import MAILBOX_CONCURRENCY
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


class _SlowGraph(RecordedGraph):
    """Answers after a few turns of the loop, counting how many requests per mailbox are under way at once."""

    def __init__(self) -> None:
        super().__init__({SEND: Reply(202)})
        self.under_way: dict[str, int] = {}
        self.most: dict[str, int] = {}

    async def _slowly(self, request: httpx.Request) -> httpx.Response:
        mailbox = request.url.path.split("/")[-2]
        self.under_way[mailbox] = self.under_way.get(mailbox, 0) + 1
        self.most[mailbox] = max(self.most.get(mailbox, 0), self.under_way[mailbox])
        for _ in range(5):
            await asyncio.sleep(0)
        self.under_way[mailbox] -= 1
        return self.handle(request)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._slowly)


async def test_mails_sent_at_once_keep_within_outlooks_four_requests_per_mailbox() -> None:
    """Outlook throttles (429) a fifth concurrent request of one app against one mailbox; another mailbox is
    not held up by the first one's queue."""
    graph = _SlowGraph()
    async with connected(graph) as holder:
        outbox = GraphOutbox(holder.client)
        await asyncio.gather(*(outbox.send(LIISA, f"kysytty{i}@ensikoti.example", "Kysymys", "<p>Hei</p>")
                               for i in range(9)),
                             *(outbox.send("toinen", f"kysytty{i}@ensikoti.example", "Kysymys", "<p>Hei</p>")
                               for i in range(3)))

    assert len(graph.requests(SEND)) == 12
    assert graph.most == {LIISA: MAILBOX_CONCURRENCY, "toinen": 3}
