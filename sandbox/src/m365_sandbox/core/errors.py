"""Graph's OData error bodies and the exception the route handlers raise to produce them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

JSON_CONTENT_TYPE = "application/json"
# What Graph sends as Content-Type for JSON payloads (parameters after the media type).
GRAPH_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)


class GraphError(Exception):
    """An error that is answered with Graph's ``{"error": {...}}`` body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def error_body(
    code: str, message: str, request_id: str, client_request_id: str, now: datetime | None = None
) -> dict[str, Any]:
    """The JSON object Graph returns for an error (``now``: the sandbox clock's time)."""
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id,
            },
        }
    }


def error_response(
    error: GraphError, request_id: str, client_request_id: str, now: datetime | None = None
) -> web.Response:
    """Build the HTTP response for a :class:`GraphError` (ids as in the response headers)."""
    body = error_body(error.code, error.message, request_id, client_request_id, now)
    return web.Response(
        status=error.status,
        body=json.dumps(body).encode(),
        content_type=JSON_CONTENT_TYPE,
        headers=error.headers,
    )


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with Graph's Content-Type."""
    response = web.Response(
        status=status,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        headers=headers,
    )
    response.headers["Content-Type"] = GRAPH_CONTENT_TYPE
    return response


async def read_json_object(request: web.Request) -> dict[str, Any]:
    """Read the request body as a JSON object; 400 with Graph's message when it is not one."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise GraphError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload "
            "is of valid JSON format.",
        ) from exc
    if not isinstance(parsed, dict):
        raise GraphError(400, "BadRequest", "The request payload must be a JSON object.")
    return parsed
