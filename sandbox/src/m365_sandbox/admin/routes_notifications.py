"""Admin endpoints for time and notifications (outside /v1.0, never faulted).

- ``GET /_admin/clock``; ``PUT /_admin/clock`` with ``{"now": "2031-03-04T09:00:00Z"}``,
  ``{"advanceMinutes": 4320}`` or ``{"reset": true}``: the sandbox clock; subscriptions whose
  expirationDateTime it passes are gone (404) and receive nothing more.
- ``GET /_admin/notifications``: every validation request, change and lifecycle notification sent,
  with attempts, receiver answers and payloads; ``DELETE`` clears the log.
- ``POST /_admin/lifecycle`` with ``{"subscriptionId": "…", "lifecycleEvent": "reauthorizationRequired"
  | "subscriptionRemoved" | "missed"}``: send a lifecycle notification now (``subscriptionRemoved``
  also deletes the subscription).
"""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.admin.actions import change_clock
from m365_sandbox.admin.json_api import admin_action, admin_body, admin_json, admin_problem
from m365_sandbox.core.context import CLOCK, TENANT
from m365_sandbox.core.errors import GraphError
from m365_sandbox.subscriptions.context import NOTIFIER, SUBSCRIPTIONS
from m365_sandbox.subscriptions.service import lifecycle_notification

LIFECYCLE_EVENTS = frozenset({"reauthorizationRequired", "subscriptionRemoved", "missed"})


async def get_clock(request: web.Request) -> web.Response:
    """GET /_admin/clock."""
    return admin_json(request.app[CLOCK].to_json())


async def put_clock(request: web.Request) -> web.Response:
    """PUT /_admin/clock: set or move the sandbox clock; lists the subscriptions that expired."""
    return await admin_action(request, lambda body: change_clock(request.app[CLOCK], request.app[SUBSCRIPTIONS], body))


async def get_notifications(request: web.Request) -> web.Response:
    """GET /_admin/notifications: the delivery log (``pending`` counts deliveries still under way)."""
    return admin_json(request.app[NOTIFIER].snapshot())


async def reset_notifications(request: web.Request) -> web.Response:
    """DELETE /_admin/notifications: clear the log."""
    request.app[NOTIFIER].reset()
    return web.Response(status=204)


async def send_lifecycle(request: web.Request) -> web.Response:
    """POST /_admin/lifecycle: a lifecycle notification to the subscription's lifecycleNotificationUrl (202)."""
    body = await admin_body(request)
    if body is None:
        return admin_problem(400, "The body must be a JSON object.")
    event = body.get("lifecycleEvent")
    if event not in LIFECYCLE_EVENTS:
        return admin_problem(400, f"'lifecycleEvent' must be one of {sorted(LIFECYCLE_EVENTS)}.")
    subscriptions = request.app[SUBSCRIPTIONS]
    try:
        record = subscriptions.get(str(body.get("subscriptionId")))
    except GraphError as exc:
        return admin_problem(404, exc.message)
    if record.lifecycle_url is None:
        return admin_problem(409, "The subscription has no lifecycleNotificationUrl.", "Conflict")
    if event == "subscriptionRemoved":
        subscriptions.delete(record.id)
    entry = lifecycle_notification(record, str(event), request.app[TENANT].tenant_id)
    delivery = request.app[NOTIFIER].send("lifecycle", record.lifecycle_url, record.id, [entry])
    return admin_json({"deliveryId": delivery.id, "subscriptionId": record.id, "lifecycleEvent": event}, 202)


def add_routes(app: web.Application) -> None:
    """Register the clock and notification admin routes."""
    app.router.add_get("/_admin/clock", get_clock)
    app.router.add_put("/_admin/clock", put_clock)
    app.router.add_get("/_admin/notifications", get_notifications)
    app.router.add_delete("/_admin/notifications", reset_notifications)
    app.router.add_post("/_admin/lifecycle", send_lifecycle)
