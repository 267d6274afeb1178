"""JSON helpers for the admin endpoints (plain JSON bodies, not Graph's OData shapes)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from m365_sandbox.admin.actions import AdminActionError


def admin_json(payload: Any, status: int = 200) -> web.Response:
    """A JSON response (UTF-8, non-ASCII kept as is)."""
    return web.json_response(payload, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def admin_problem(status: int, message: str, code: str | None = None) -> web.Response:
    """An admin error: ``{"error": {"code", "message"}}``."""
    code = code or ("BadRequest" if status == 400 else "NotFound")
    return admin_json({"error": {"code": code, "message": message}}, status)


async def admin_body(request: web.Request) -> dict[str, Any] | None:
    """The request body as a JSON object (empty body: ``{}``), or None when it is not one."""
    try:
        parsed = json.loads(await request.read() or b"{}")
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


async def admin_action(request: web.Request, action: Callable[[dict[str, Any]], Any], status: int = 200
                       ) -> web.Response:
    """Runs ``action`` on the request's JSON object body: its result as JSON, or the admin error it raised."""
    body = await admin_body(request)
    if body is None:
        return admin_problem(400, "The body must be a JSON object.")
    try:
        return admin_json(action(body), status)
    except AdminActionError as exc:
        return admin_json(exc.to_json(), exc.status)
