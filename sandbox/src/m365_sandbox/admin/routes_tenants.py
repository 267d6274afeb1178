"""Admin endpoints for the organisations around the home tenant: tenants, the outside outbox, deliveries.

- ``GET /_admin/tenants``: every tenant (home first) with its people and rooms, the apps and the outside people.
- ``GET /_admin/outside-mail``: what was mailed to addresses outside every tenant, oldest first:
  ``[{"to": [...], "from", "subject", "body", "contentType", "sentDateTime", "kind", ...}]``.
- ``POST /_admin/outside/respond``: an outside person answers an invitation, e.g.
  ``curl -X POST localhost:3979/_admin/outside/respond -d '{"email": "eeva.ensio@ensikoti.example",
  "iCalUId": "…", "response": "declined", "comment": "…"}'`` (``event_id`` instead of ``iCalUId`` works too;
  ``response``: accepted, tentativelyAccepted or declined, or accept/tentativelyAccept/decline). The organizer's
  event and Inbox change as for an answer given through Graph (202).
- ``GET /_admin/transport``: the delivery settings and how many deliveries wait or were delivered.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.admin.actions import AdminActionError
from m365_sandbox.admin.json_api import admin_action, admin_json
from m365_sandbox.calendar.context import CALENDAR
from m365_sandbox.calendar.service import RESPONSES, CalendarService
from m365_sandbox.core.context import DIRECTORY, TRANSPORT
from m365_sandbox.core.directory import Directory
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Tenant
from m365_sandbox.mail.context import MAIL

MAX_COMMENT_LENGTH = 2000


def tenant_json(tenant: Tenant, home: bool) -> dict[str, Any]:
    """One tenant as the admin API lists it."""
    return {
        "id": tenant.tenant_id,
        "displayName": tenant.display_name,
        "domain": tenant.domain,
        "home": home,
        "consentedApps": sorted(tenant.consented_apps),
        "sharesCalendarAvailabilityWith": sorted(tenant.shares_calendar_availability_with),
        "users": [{"id": b.id, "displayName": b.display_name, "mail": b.mail, "jobTitle": b.job_title}
                  for b in tenant.users],
        "rooms": [{"id": b.id, "displayName": b.display_name, "mail": b.mail} for b in tenant.rooms],
    }


def directory_json(directory: Directory) -> dict[str, Any]:
    """Every tenant, app and outside person (secrets are not shown)."""
    return {
        "tenants": [tenant_json(t, t is directory.home) for t in directory.tenants],
        "apps": [{"clientId": a.client_id, "homeTenant": a.home_tenant} for a in directory.apps],
        "outsidePeople": [{"mail": p.mail, "displayName": p.display_name} for p in directory.outside],
    }


def answer_from_outside(calendar: CalendarService, body: dict[str, Any]) -> dict[str, Any]:
    """Carry out ``POST /_admin/outside/respond``; returns what it answers."""
    response = body.get("response")
    response = RESPONSES.get(str(response), response)
    if response not in RESPONSES.values():
        raise AdminActionError(400, "BadRequest", "'response' must be accepted, tentativelyAccepted or declined.")
    email = body.get("email")
    event_id = body.get("event_id") or body.get("eventId")
    ical_uid = body.get("iCalUId") or body.get("eventICalUId")
    if not isinstance(email, str) or not (event_id or ical_uid):
        raise AdminActionError(400, "BadRequest", "Give 'email' and 'event_id' or 'iCalUId'.")
    comment = body.get("comment") or ""
    if not isinstance(comment, str) or len(comment) > MAX_COMMENT_LENGTH:
        raise AdminActionError(400, "BadRequest", f"'comment' must be a string of at most {MAX_COMMENT_LENGTH} "
                               "characters.")
    try:
        origin = calendar.respond_outside(
            email, str(response), comment, event_id=event_id and str(event_id), ical_uid=ical_uid and str(ical_uid)
        )
    except GraphError as exc:
        raise AdminActionError(exc.status, exc.code, exc.message) from exc
    return {"email": email, "eventId": origin.id, "iCalUId": origin.ical_uid, "response": response}


async def get_tenants(request: web.Request) -> web.Response:
    """GET /_admin/tenants."""
    return admin_json(directory_json(request.app[DIRECTORY]))


async def get_outside_mail(request: web.Request) -> web.Response:
    """GET /_admin/outside-mail: the outside outbox, newest last."""
    return admin_json(request.app[MAIL].outside_mail())


async def outside_respond(request: web.Request) -> web.Response:
    """POST /_admin/outside/respond (202)."""
    return await admin_action(request, lambda body: answer_from_outside(request.app[CALENDAR], body), 202)


async def get_transport(request: web.Request) -> web.Response:
    """GET /_admin/transport."""
    return admin_json(request.app[TRANSPORT].snapshot())


def add_routes(app: web.Application) -> None:
    """Register the routes."""
    app.router.add_get("/_admin/tenants", get_tenants)
    app.router.add_get("/_admin/outside-mail", get_outside_mail)
    app.router.add_post("/_admin/outside/respond", outside_respond)
    app.router.add_get("/_admin/transport", get_transport)
