"""The tenant allow-list (``YA_ALLOWED_TENANTS``) for ``/api/messages``.

Runs after the token check and before the SDK's adapter: an activity whose tenant is not on the
list is answered 403 with a generic body, so no handler runs, nothing is stored (not even the
conversation reference) and nothing is sent to the chat. The refusal is logged with the tenant id
only. 403 rather than a silent 200: the caller is authenticated but not served, and a 4xx from the
bot shows as a failed delivery in the Bot Framework's channel diagnostics (the sender's Teams shows
no reply, or its generic card error for a card action) without retries, which is what an operator
needs to notice a foreign tenant.

The tenant is ``conversation.tenantId`` and ``channelData.tenant.id``, which Teams sends on every
activity; when they disagree, or neither is there, the activity is refused. An empty list admits
every tenant the channel admits (development, the Playground). A body that does not parse as a JSON
object (whatever the reason) is a 400, never a 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.activity_body import activity_json, not_an_activity

log = logging.getLogger(__name__)

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _field(document: Any, *path: str) -> str | None:
    for name in path:
        document = document.get(name) if isinstance(document, dict) else None
    return document.strip().lower() if isinstance(document, str) and document.strip() else None


def activity_tenant(activity: Any) -> str | None:
    """The activity's tenant id (lower case), or None when it has none or two different ones."""
    found = {tenant for tenant in (_field(activity, "conversation", "tenantId"),
                                   _field(activity, "channelData", "tenant", "id")) if tenant}
    return found.pop() if len(found) == 1 else None


def tenant_guard_middleware(allowed: Iterable[str]) -> Middleware:
    """Refuses (403) activities from tenants not in ``allowed``; an empty ``allowed`` lets all through."""
    allowed_tenants = frozenset(tenant.strip().lower() for tenant in allowed if tenant.strip())

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not allowed_tenants:
            return await handler(request)
        activity = await activity_json(request)  # parsed once per request; the adapter reads the bytes again
        if activity is None:
            # Not JSON, nested too deep to parse, an unknown charset: no activity, so no tenant to judge.
            return not_an_activity()
        tenant = activity_tenant(activity)
        if tenant in allowed_tenants:
            return await handler(request)
        # Only a well-formed tenant id goes to the log; anything else from the request body does not.
        shown = tenant if tenant is not None and _GUID.match(tenant) else "(missing, conflicting or malformed)"
        log.warning("Activity refused: tenant %s is not in YA_ALLOWED_TENANTS.", shown)
        return web.json_response({"error": "This tenant is not served by this bot."}, status=403)

    return guard
