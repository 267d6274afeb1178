"""Change-notification subscriptions: POST/GET /subscriptions, GET/PATCH/DELETE /subscriptions/{id}, reauthorize."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from m365_sandbox.core.context import base_url, current_user, tenant, token_claims, token_user
from m365_sandbox.core.errors import GraphError, json_response, read_json_object
from m365_sandbox.subscriptions.context import NOTIFIER, SUBSCRIPTIONS
from m365_sandbox.subscriptions.service import SubscriptionRecord, render_subscription

_UPDATABLE = frozenset({"expirationDateTime", "notificationUrl"})


def _entity(request: web.Request, record: SubscriptionRecord, status: int = 200) -> web.Response:
    payload: dict[str, Any] = {"@odata.context": f"{base_url(request)}/$metadata#subscriptions/$entity"}
    payload.update(render_subscription(record))
    return json_response(payload, status=status)


async def _validate(request: web.Request, url: str, subscription_id: str) -> None:
    problem = await request.app[NOTIFIER].validate(url, subscription_id)
    if problem is not None:
        raise GraphError(400, "ValidationError", problem)


def _application_id(request: web.Request) -> str:
    claims = token_claims(request)
    known = claims.get("appid") or claims.get("azp")
    if known:
        return str(known)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.invalid/{tenant(request).tenant_id}/application"))


async def create_subscription(request: web.Request) -> web.Response:
    """POST /subscriptions: validate both endpoints (handshake) first, then 201 with the subscription."""
    body = await read_json_object(request)
    caller = current_user(request)
    user = token_user(request)
    creator = user.id if user else str(token_claims(request).get("oid") or caller.id)
    service = request.app[SUBSCRIPTIONS]
    record = service.draft(body, caller, _application_id(request), creator, tenant(request))
    await _validate(request, record.notification_url, record.id)
    if record.lifecycle_url:
        await _validate(request, record.lifecycle_url, record.id)
    service.store.put(record)
    return _entity(request, record, status=201)


async def list_subscriptions(request: web.Request) -> web.Response:
    """GET /subscriptions: the active subscriptions."""
    records = request.app[SUBSCRIPTIONS].active()
    payload = {
        "@odata.context": f"{base_url(request)}/$metadata#subscriptions",
        "value": [render_subscription(record) for record in records],
    }
    return json_response(payload)


async def get_subscription(request: web.Request) -> web.Response:
    """GET /subscriptions/{id} (404 once expired or deleted)."""
    return _entity(request, request.app[SUBSCRIPTIONS].get(request.match_info["id"]))


async def update_subscription(request: web.Request) -> web.Response:
    """PATCH /subscriptions/{id}: renew (expirationDateTime) and/or move (notificationUrl, validated again)."""
    service = request.app[SUBSCRIPTIONS]
    record = service.get(request.match_info["id"])
    body = {k: v for k, v in (await read_json_object(request)).items() if not k.startswith("@")}
    unknown = set(body) - _UPDATABLE
    if unknown:
        raise GraphError(
            400, "InvalidRequest", f"Only expirationDateTime and notificationUrl can be updated, not {sorted(unknown)}."
        )
    if "expirationDateTime" in body:
        record.expiration = service.expiration(body["expirationDateTime"])
    if "notificationUrl" in body and body["notificationUrl"] != record.notification_url:
        url = body["notificationUrl"]
        if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
            raise GraphError(400, "InvalidRequest", "notificationUrl must be an absolute URL.")
        await _validate(request, url, record.id)
        record.notification_url = url
    service.store.put(record)
    return _entity(request, record)


async def delete_subscription(request: web.Request) -> web.Response:
    """DELETE /subscriptions/{id} (204)."""
    request.app[SUBSCRIPTIONS].delete(request.match_info["id"])
    return web.Response(status=204)


async def reauthorize(request: web.Request) -> web.Response:
    """POST /subscriptions/{id}/reauthorize (204): answers a reauthorizationRequired challenge."""
    request.app[SUBSCRIPTIONS].get(request.match_info["id"])
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    """Register the subscription routes."""
    app.router.add_post("/v1.0/subscriptions", create_subscription)
    app.router.add_get("/v1.0/subscriptions", list_subscriptions)
    app.router.add_get("/v1.0/subscriptions/{id}", get_subscription)
    app.router.add_patch("/v1.0/subscriptions/{id}", update_subscription)
    app.router.add_delete("/v1.0/subscriptions/{id}", delete_subscription)
    app.router.add_post("/v1.0/subscriptions/{id}/reauthorize", reauthorize)
    app.router.add_post("/v1.0/subscriptions/{id}/microsoft.graph.reauthorize", reauthorize)
