"""Mapping Graph failures to what the service layer understands."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError

T = TypeVar("T")


class GraphUnavailableError(Exception):
    """Graph could not be reached or failed (after the client's own retries)."""

    def __init__(self, status: int | None, code: str | None) -> None:
        super().__init__(f"graph failure status={status} code={code}")
        self.status = status
        self.code = code


def status_of(err: APIError) -> int | None:
    """The HTTP status of a Graph error."""
    return getattr(err, "response_status_code", None)


async def call(awaitable: Awaitable[T]) -> T:
    """Awaits a Graph request, turning transport and server failures into GraphUnavailableError.

    The error carries only status and code: Graph messages may echo request data.
    """
    try:
        return await awaitable
    except APIError as err:
        code = getattr(getattr(err, "error", None), "code", None)
        raise GraphUnavailableError(status_of(err), code) from None
    except httpx.HTTPError as err:
        raise GraphUnavailableError(None, type(err).__name__) from None
