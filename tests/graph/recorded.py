"""A recorded Microsoft Graph behind ``httpx.MockTransport``: a small route table that answers with Graph's own
JSON (``responses/``) and keeps every request it saw, so tests assert on what the adapter sent and on what it
made of the answer, without sockets and without any of our own classes replaced.

A route is ``"METHOD /path/{placeholder}"`` relative to ``https://graph.microsoft.com/v1.0`` (or a full
``https://host/path`` for the pre-authenticated OneDrive URLs). Its answers are given in order and the last
one repeats; an answer is a :class:`Reply`, :data:`DROP` (the connection breaks before any answer) or a
function of the request. A request no route knows fails the test.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from graph.client import GraphClientHolder, GraphSettings
from services.errors import ServiceUnavailableError

GRAPH: Final = "https://graph.microsoft.com/v1.0"
RESPONSES: Final = Path(__file__).resolve().parent / "responses"
#: The documentation page (or, where the docs show none, the thread) each recorded response is shaped after,
#: and its type in Graph's v1.0 CSDL ("error" for Graph's OData error body).
SOURCES: Final[Mapping[str, tuple[str, str]]] = {
    "getSchedule": ("Collection(microsoft.graph.scheduleInformation)",
                    "https://learn.microsoft.com/graph/api/calendar-getschedule (response); the 5009 entry: "
                    "https://github.com/microsoftgraph/microsoft-graph-docs/issues/11225"),
    "event_created": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/user-post-events (response); "
                      "onlineMeeting: https://learn.microsoft.com/graph/api/event-update (response)"),
    "event_created_in_room": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/user-post-events"),
    "event_updated": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/event-update"),
    "event_answers": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/event-get; attendee status as "
                      "in https://learn.microsoft.com/graph/api/eventmessage-get (example 2)"),
    "event_cancelled": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/resources/event (isCancelled)"),
    "user": ("microsoft.graph.user", "https://learn.microsoft.com/graph/api/user-get (example 3, $select)"),
    "users_filtered": ("Collection(microsoft.graph.user)", "https://learn.microsoft.com/graph/api/user-list "
                       "($filter, $select)"),
    "drive": ("microsoft.graph.drive", "https://learn.microsoft.com/graph/api/drive-get"),
    "calendar": ("microsoft.graph.calendar", "https://learn.microsoft.com/graph/api/calendar-get (response, with "
                 "$select=id)"),
    "root_children": ("Collection(microsoft.graph.driveItem)",
                      "https://learn.microsoft.com/graph/api/driveitem-list-children"),
    "folder_created": ("microsoft.graph.driveItem", "https://learn.microsoft.com/graph/api/driveitem-post-children"),
    "file_uploaded": ("microsoft.graph.driveItem", "https://learn.microsoft.com/graph/api/driveitem-put-content"),
    "file_renamed": ("microsoft.graph.driveItem", "https://learn.microsoft.com/graph/api/driveitem-put-content"),
    "upload_session": ("microsoft.graph.uploadSession",
                       "https://learn.microsoft.com/graph/api/driveitem-createuploadsession (create)"),
    "upload_range_accepted": ("microsoft.graph.uploadSession",
                              "https://learn.microsoft.com/graph/api/driveitem-createuploadsession (202 Accepted)"),
    "upload_completed": ("microsoft.graph.driveItem",
                         "https://learn.microsoft.com/graph/api/driveitem-createuploadsession (completing a file)"),
    "invite": ("Collection(microsoft.graph.permission)", "https://learn.microsoft.com/graph/api/driveitem-invite"),
    "messages_answers": ("Collection(microsoft.graph.message)",
                         "https://learn.microsoft.com/graph/api/user-list-messages; eventMessageResponse and the "
                         "expanded event: https://learn.microsoft.com/graph/api/eventmessage-get (example 2)"),
    "messages_answers_page2": ("Collection(microsoft.graph.message)",
                               "https://learn.microsoft.com/graph/api/user-list-messages (@odata.nextLink)"),
    "message_decline_body": ("microsoft.graph.message", "https://learn.microsoft.com/graph/api/eventmessage-get"),
    "message_accept_body": ("microsoft.graph.message", "https://learn.microsoft.com/graph/api/eventmessage-get"),
    "message_event_id": ("microsoft.graph.event", "https://learn.microsoft.com/graph/api/eventmessage-get "
                         "(example 2, the event navigation property)"),
    "subscription_created": ("microsoft.graph.subscription",
                             "https://learn.microsoft.com/graph/api/subscription-post-subscriptions"),
    "subscription_renewed": ("microsoft.graph.subscription", "https://learn.microsoft.com/graph/api/subscription-update"),
    "error_throttled": ("error", "https://learn.microsoft.com/graph/throttling (sample 429 response)"),
    "error_service_unavailable": ("error", "https://learn.microsoft.com/graph/errors (serviceNotAvailable)"),
    "error_mailbox_refused": ("error", "https://learn.microsoft.com/graph/errors (403); code and message as Exchange "
                              "answers an app outside its application access policy (auth-limit-mailbox-access)"),
    "error_event_not_found": ("error", "https://learn.microsoft.com/graph/errors (404, Exchange's ErrorItemNotFound)"),
    "error_user_not_found": ("error", "https://learn.microsoft.com/graph/errors (404, Entra's "
                             "Request_ResourceNotFound)"),
    "error_name_exists": ("error", "https://learn.microsoft.com/graph/api/driveitem-createuploadsession "
                          "(handling upload conflicts: 409 nameAlreadyExists)"),
    "error_invalid_range": ("error", "https://learn.microsoft.com/graph/errors (the page's own example body)"),
    "error_folder_exists": ("error", "https://learn.microsoft.com/graph/errors (409 nameAlreadyExists)"),
    "error_drive_access_denied": ("error", "https://learn.microsoft.com/graph/errors (403 accessDenied)"),
    "error_subscription_not_found": ("error", "https://learn.microsoft.com/graph/errors (404)"),
    "error_expand_refused": ("error", "https://learn.microsoft.com/graph/errors (400)"),
}


def recorded(name: str) -> Any:
    """The recorded response body ``responses/{name}.json`` (a fresh copy each time)."""
    return json.loads((RESPONSES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Reply:
    """One HTTP answer: a status, a JSON body (or raw bytes, or none) and headers."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> httpx.Response:
        """The ``httpx.Response`` for this reply."""
        if isinstance(self.body, bytes):
            return httpx.Response(self.status, content=self.body, headers=dict(self.headers))
        if self.body is None:
            return httpx.Response(self.status, headers=dict(self.headers))
        return httpx.Response(self.status, json=self.body, headers=dict(self.headers))


def ok(name: str, status: int = 200) -> Reply:
    """A success answer with the recorded body ``name``."""
    return Reply(status, recorded(name))


def failure(status: int, name: str, **headers: str) -> Reply:
    """An error answer with the recorded Graph error body ``name`` (headers: ``Retry_After="2"``)."""
    return Reply(status, recorded(name), {key.replace("_", "-"): value for key, value in headers.items()})


class _Drop:
    """The connection breaks before any answer (``httpx.ConnectError`` from the transport)."""

    def __repr__(self) -> str:
        return "DROP"


DROP: Final = _Drop()


@dataclass(frozen=True)
class Seen:
    """A request as the recorded Graph received it."""

    route: str
    method: str
    path: str
    query: Mapping[str, str]
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        """The request body as JSON."""
        return json.loads(self.content)


Answer = Reply | _Drop | Callable[[Seen], "Reply | _Drop"]


class _Route:
    def __init__(self, spec: str, answers: Answer | Sequence[Answer]) -> None:
        self.spec = spec
        method, _, path = spec.partition(" ")
        self.method = method
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
        self.pattern = re.compile(pattern + r"\Z")
        self.answers: list[Answer] = list(answers) if isinstance(answers, Sequence) else [answers]

    def next_answer(self) -> Answer:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class RecordedGraph:
    """The route table and the requests it saw, in order."""

    def __init__(self, routes: Mapping[str, Answer | Sequence[Answer]]) -> None:
        self._routes = [_Route(spec, answers) for spec, answers in routes.items()]
        self.seen: list[Seen] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The ``httpx.MockTransport`` handler: answers from the table, records the request."""
        url = request.url
        graph = url.host == "graph.microsoft.com"
        where = url.path.removeprefix("/v1.0") if graph else f"{url.scheme}://{url.host}{url.path}"
        for route in self._routes:
            if route.method == request.method and route.pattern.match(where):
                # A copy of the headers: the retry middleware adds Retry-Attempt to the same request object.
                seen = Seen(route.spec, request.method, where, dict(url.params), httpx.Headers(request.headers),
                            request.content)
                self.seen.append(seen)
                answer = route.next_answer()
                if callable(answer):
                    answer = answer(seen)
                if isinstance(answer, _Drop):
                    raise httpx.ConnectError("connection dropped before an answer", request=request)
                return answer.response()
        raise AssertionError(f"no recorded answer for {request.method} {where}")

    def transport(self) -> httpx.MockTransport:
        """A transport that sends every request here."""
        return httpx.MockTransport(self.handle)

    def requests(self, route: str) -> list[Seen]:
        """The requests that matched ``route`` (its key in the table), in order."""
        return [seen for seen in self.seen if seen.route == route]


@asynccontextmanager
async def connected(graph: RecordedGraph, *, max_retry_after: float = 5.0) -> AsyncIterator[GraphClientHolder]:
    """A production ``GraphClientHolder`` (anonymous auth, bounded retries, telemetry) over ``graph``."""
    settings = GraphSettings(GRAPH, max_retry_after_seconds=max_retry_after)
    holder = GraphClientHolder(settings, None, transport=graph.transport())
    try:
        yield holder
    finally:
        await holder.close()


class Waits:
    """The waits the retry policies asked for, recorded instead of slept: time is an input.

    Installed over ``asyncio.sleep`` (which both kiota's retry middleware and tenacity look up when they
    wait), so a test of a 2-second Retry-After takes no time and can assert it was asked for.
    """

    def __init__(self, sleep: Callable[[float], Coroutine[Any, Any, None]]) -> None:
        self._sleep = sleep
        self.seconds: list[float] = []

    async def sleep(self, delay: float, result: Any = None) -> Any:
        """Records a positive ``delay``, yields to the loop once and returns ``result``."""
        if delay > 0:
            self.seconds.append(delay)
        await self._sleep(0)
        return result


REAL_SLEEP: Final = asyncio.sleep


def service_error() -> type[Exception]:
    """The failure the service layer catches for Graph, declared with the ports (graph/ raises a subclass)."""
    return ServiceUnavailableError


def status_and_code(err: BaseException) -> tuple[int | None, str | None]:
    """What the service layer may read of a Graph failure: its HTTP status and Graph error code."""
    return getattr(err, "status", None), getattr(err, "code", None)
