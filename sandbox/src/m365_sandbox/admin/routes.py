"""Admin endpoints outside /v1.0 (never faulted): health, faults, request counts, answering invitations.

- ``GET /_admin/health``: ``{"status": "ok", ...}``.
- ``GET /_admin/faults``, ``PUT /_admin/faults``: fault settings; a PUT changes only the keys given,
  e.g. ``{"p429": 1.0, "retryAfterSeconds": 2}``.
- ``GET /_admin/requests``: Graph requests (/v1.0, upload and download URLs) per
  ``"METHOD /route/{template}"``, and round trips per route (concurrent requests count once); ``DELETE``
  resets.
- ``POST /_admin/respond``: answer an invitation as an attendee, e.g.
  ``curl -X POST localhost:3979/_admin/respond -d '{"user": "mikko.miettinen@esimerkkila.onmicrosoft.com",
  "transactionId": "…", "response": "accept"}'`` (or ``"eventICalUId"``; ``comment`` is optional, echoed and
  delivered in the reply mail to the organizer's Inbox; ``"sendResponse": false`` keeps the organizer's event
  and Inbox unchanged). It changes the calendars exactly as Graph's accept/decline/tentativelyAccept do, so
  subscribers get the same change notifications.
"""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.admin.actions import answer_invitation, change_faults
from m365_sandbox.admin.json_api import admin_action
from m365_sandbox.admin.json_api import admin_json as _json
from m365_sandbox.calendar.context import CALENDAR
from m365_sandbox.core.context import COUNTER, FAULTS, TENANT
from m365_sandbox.drive.context import DRIVES
from m365_sandbox.mail.context import MAIL
from m365_sandbox.subscriptions.context import SUBSCRIPTIONS


async def health(request: web.Request) -> web.Response:
    """GET /_admin/health."""
    tenant = request.app[TENANT]
    return _json(
        {
            "status": "ok",
            "tenantId": tenant.tenant_id,
            "domain": tenant.domain,
            "users": len(tenant.users),
            "rooms": len(tenant.rooms),
            "events": request.app[CALENDAR].store.count(),
            "driveItems": request.app[DRIVES].store.count(),
            "messages": request.app[MAIL].store.count(),
            "subscriptions": len(request.app[SUBSCRIPTIONS].active()),
            "defaultUser": tenant.default_user.mail,
        }
    )


async def get_faults(request: web.Request) -> web.Response:
    """GET /_admin/faults."""
    return _json(request.app[FAULTS].config.to_json())


async def put_faults(request: web.Request) -> web.Response:
    """PUT /_admin/faults: change the given settings (the random sequence restarts from ``seed``)."""
    return await admin_action(request, lambda body: change_faults(request.app[FAULTS], body))


async def get_requests(request: web.Request) -> web.Response:
    """GET /_admin/requests: Graph request counts since start or the last reset."""
    return _json(request.app[COUNTER].snapshot())


async def reset_requests(request: web.Request) -> web.Response:
    """DELETE /_admin/requests: reset the counts."""
    request.app[COUNTER].reset()
    return web.Response(status=204)


async def respond(request: web.Request) -> web.Response:
    """POST /_admin/respond: answer an invitation as the attendee ``user`` (202)."""
    return await admin_action(request, lambda body: answer_invitation(request.app[CALENDAR], body), 202)


def add_routes(app: web.Application) -> None:
    """Register the admin routes."""
    app.router.add_get("/_admin/health", health)
    app.router.add_get("/_admin/faults", get_faults)
    app.router.add_put("/_admin/faults", put_faults)
    app.router.add_get("/_admin/requests", get_requests)
    app.router.add_delete("/_admin/requests", reset_requests)
    app.router.add_post("/_admin/respond", respond)
