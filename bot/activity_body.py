"""The posted activity as the checks before the SDK read it: parsed once, never a 500, and its ``serviceUrl``.

The token check, the tenant guard and the activity check each need the body. It is parsed once per request
(aiohttp keeps the bytes; the SDK's adapter parses them again for itself) and every way a body can fail to
parse is a plain "no activity": not JSON, not text in its charset, an unknown charset, or nesting too deep
for the parser (``RecursionError``, which is not a ``ValueError``).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from yarl import URL

_PARSED = web.RequestKey[dict[str, Any] | None]("parsed_activity")


async def activity_json(request: web.Request) -> dict[str, Any] | None:
    """The body as a JSON object, or None when it is not one. ``web.HTTPException`` (413: too large) passes."""
    if _PARSED in request:
        return request[_PARSED]
    try:
        body = await request.json()
    except (ValueError, RecursionError, LookupError):  # ValueError covers UnicodeDecodeError; LookupError: charset
        body = None
    parsed = body if isinstance(body, dict) else None
    request[_PARSED] = parsed
    return parsed


def service_url(activity: dict[str, Any] | None) -> URL | None:
    """The activity's ``serviceUrl`` if the bot may post replies to it, else None.

    An absolute http(s) URL with a host, and nothing the Bot Framework never sends that would change where
    or how the SDK posts: no query, no fragment (the SDK's connector then fails with a 500), no user info.
    """
    raw = activity.get("serviceUrl") if activity is not None else None
    if not isinstance(raw, str) or "?" in raw or "#" in raw:
        return None
    try:
        url = URL(raw)
    except (ValueError, TypeError):
        return None
    if not (url.absolute and url.host and url.scheme in ("http", "https")) or url.user is not None \
            or url.password is not None:
        return None
    return url


def same_service_url(claim: str, activity_url: str) -> bool:
    """Whether a token's ``serviceurl`` claim names the activity's ``serviceUrl``, as Bot Framework's channel
    validation compares them (case-insensitive), and also ignoring one trailing slash on either."""
    return claim.rstrip("/").casefold() == activity_url.rstrip("/").casefold()


def not_an_activity() -> web.Response:
    """The 400 for a body the bot cannot answer (the same for every reason: nothing about the body echoed)."""
    return web.json_response({"error": "Not an activity this bot can answer."}, status=400)
