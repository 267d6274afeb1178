"""Sharing: POST …/invite, POST …/createLink, GET …/permissions, DELETE …/permissions/{id}."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.core.context import base_url, site_root
from m365_sandbox.core.errors import json_response, read_json_object
from m365_sandbox.drive.context import DRIVES, SHARING
from m365_sandbox.drive.paths import add_item_routes, item_address
from m365_sandbox.drive.render import render_permission
from m365_sandbox.drive.routes import actor, item_json, resolve_item
from m365_sandbox.drive.sharing import EffectivePermission


def _context(request: web.Request, drive_id: str, item_id: str) -> str:
    return f"{base_url(request)}/$metadata#drives('{drive_id}')/items('{item_id}')/permissions"


async def invite(request: web.Request) -> web.Response:
    """POST …/invite: direct permissions for the recipients; 200 with the collection of permissions."""
    address = item_address(request)
    item = request.app[DRIVES].resolve(address.drive, address.base, address.segments)
    body = await read_json_object(request)
    who = actor(request, address.drive)
    granted = request.app[SHARING].invite(item, body, who)
    if body.get("sendInvitation") is True:
        request.app[SHARING].send_invitations(item, granted, who, str(item_json(request, item).get("webUrl", "")))
    drives = request.app[DRIVES]
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#Collection(microsoft.graph.permission)",
        "value": [render_permission(drives, EffectivePermission(p), site_root(request)) for p in granted],
    }
    return json_response(payload)


async def create_link(request: web.Request) -> web.Response:
    """POST …/createLink: a sharing link permission (201 new, 200 when the same link exists)."""
    address = item_address(request)
    item = request.app[DRIVES].resolve(address.drive, address.base, address.segments)
    body = await read_json_object(request)
    permission, created = request.app[SHARING].create_link(item, body, actor(request, address.drive))
    payload = {"@odata.context": f"{base_url(request)}/$metadata#microsoft.graph.permission"}
    payload.update(render_permission(request.app[DRIVES], EffectivePermission(permission), site_root(request)))
    return json_response(payload, status=201 if created else 200)


async def list_permissions(request: web.Request) -> web.Response:
    """GET …/permissions: the owner, direct grants, links, and permissions inherited from folders."""
    item = resolve_item(request)
    drives = request.app[DRIVES]
    entries = request.app[SHARING].effective(item)
    payload = {
        "@odata.context": _context(request, item.drive_id, item.id),
        "value": [render_permission(drives, entry, site_root(request)) for entry in entries],
    }
    return json_response(payload)


async def delete_permission(request: web.Request) -> web.Response:
    """DELETE …/permissions/{id}: stop sharing (204)."""
    item = resolve_item(request)
    request.app[SHARING].delete(item, request.match_info["perm"])
    return web.Response(status=204)


def add_routes(app: web.Application) -> None:
    """Register the sharing routes for every addressing form."""
    for name in ("invite", "createLink"):
        handler = invite if name == "invite" else create_link
        add_item_routes(app, "POST", name, handler)
        add_item_routes(app, "POST", f"microsoft.graph.{name}", handler)
    add_item_routes(app, "GET", "permissions", list_permissions)
    add_item_routes(app, "DELETE", "permissions/{perm}", delete_permission)
