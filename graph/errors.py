"""Mapping Graph failures to what the service layer understands, and retrying what is safe to retry."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from services.errors import ServiceUnavailableError

T = TypeVar("T")

#: Attempts for a request whose connection failed (dropped, reset, timed out). Throttling (429) and
#: 503 are retried by msgraph's own middleware, honouring Retry-After.
TRANSPORT_ATTEMPTS = 3


class GraphUnavailableError(ServiceUnavailableError):
    """Graph could not be reached or failed (after the client's own retries): the ports' error, from Graph."""


def status_of(err: APIError) -> int | None:
    """The HTTP status of a Graph error."""
    return getattr(err, "response_status_code", None)


def retry_after_of(err: APIError) -> float | None:
    """The seconds Graph asked to wait (``Retry-After`` in seconds), when it said."""
    headers = getattr(err, "response_headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # an HTTP date: not worth parsing for a hint


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
        raise GraphUnavailableError(status_of(err), code, retry_after_of(err)) from None
    except httpx.HTTPError as err:
        raise GraphUnavailableError(None, type(err).__name__) from None
    except Exception as err:
        if _token_refused(err):
            # No token for the tenant: a partner not (yet) consenting, a revoked secret, Entra down.
            raise GraphUnavailableError(401, "tokenRefused") from None
        raise
    raise GraphUnavailableError(None, "noAttempt")  # pragma: no cover - AsyncRetrying always attempts


def _token_refused(err: Exception) -> bool:
    """Whether azure-identity could not get a token. azure-core is looked up only if already loaded (a
    credential loads it): importing it here would cost every start ~0.1 s for an error it cannot have."""
    exceptions = sys.modules.get("azure.core.exceptions")
    refusal = getattr(exceptions, "ClientAuthenticationError", None)
    return isinstance(refusal, type) and isinstance(err, refusal)
