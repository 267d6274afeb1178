"""Mapping Graph failures to what the service layer understands, and retrying what is safe to retry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

T = TypeVar("T")

#: Attempts for a request whose connection failed (dropped, reset, timed out). Throttling (429) and
#: 503 are retried by msgraph's own middleware, honouring Retry-After.
TRANSPORT_ATTEMPTS = 3


class GraphUnavailableError(Exception):
    """Graph could not be reached or failed (after the client's own retries)."""

    def __init__(self, status: int | None, code: str | None) -> None:
        super().__init__(f"graph failure status={status} code={code}")
        self.status = status
        self.code = code


def status_of(err: APIError) -> int | None:
    """The HTTP status of a Graph error."""
    return getattr(err, "response_status_code", None)


async def call(request: Callable[[], Awaitable[T]], *, retry_transport: bool = True) -> T:
    """Sends a Graph request, turning transport and server failures into GraphUnavailableError.

    ``request`` builds the request anew for each attempt. A dropped or timed-out connection is
    retried (briefly, with backoff) only when ``retry_transport``: callers pass False for a request
    that must not run twice (such as an upload that would be renamed). The error carries only
    status and code: Graph messages may echo request data.
    """
    attempts = TRANSPORT_ATTEMPTS if retry_transport else 1
    try:
        async for attempt in AsyncRetrying(stop=stop_after_attempt(attempts),
                                           wait=wait_exponential(multiplier=0.2, max=2),
                                           retry=retry_if_exception_type(httpx.TransportError), reraise=True):
            with attempt:
                return await request()
    except APIError as err:
        code = getattr(getattr(err, "error", None), "code", None)
        raise GraphUnavailableError(status_of(err), code) from None
    except httpx.HTTPError as err:
        raise GraphUnavailableError(None, type(err).__name__) from None
    raise GraphUnavailableError(None, "noAttempt")  # pragma: no cover - AsyncRetrying always attempts
