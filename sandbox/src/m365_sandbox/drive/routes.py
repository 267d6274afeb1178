"""OneDrive: GET drive, GET/DELETE items (by id or path), children (list, create folder), content."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.core.context import base_url, root_url, site_root, token_user
from m365_sandbox.core.errors import GraphError, json_response, read_json_object
from m365_sandbox.core.odata import page, parse_query, select_properties
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.drive.context import DRIVES, SHARING
from m365_sandbox.drive.model import CONFLICT_KEY, ItemRecord, check_name, conflict_behavior, not_found
from m365_sandbox.drive.paths import DRIVE_PREFIXES, add_item_routes, drive_of_request, item_address
from m365_sandbox.drive.render import render_drive, render_item
from m365_sandbox.drive.service import Drive


def actor(request: web.Request, drive: Drive) -> Mailbox:
    """Who the change is recorded for: the token's user, else the drive's owner (app-only calls)."""
    return token_user(request) or drive.owner


def item_json(request: web.Request, item: ItemRecord, entity: bool = True) -> dict[str, Any]:
    """A driveItem as a response shows it (with ``@odata.context`` for a single entity)."""
    body = render_item(request.app[DRIVES], request.app[SHARING], item, root_url(request), site_root(request))
    if not entity:
        return body
    return {"@odata.context": f"{base_url(request)}/$metadata#drives('{item.drive_id}')/items/$entity", **body}


def resolve_item(request: web.Request) -> ItemRecord:
    """The item the URL addresses (404 ``itemNotFound``)."""
    address = item_address(request)
    return request.app[DRIVES].resolve(address.drive, address.base, address.segments)


async def get_drive(request: web.Request) -> web.Response:
    """GET /users/{id}/drive, /me/drive, /drives/{drive-id}."""
    drive = drive_of_request(request)
    payload = {"@odata.context": f"{base_url(request)}/$metadata#drives/$entity"}
    payload.update(render_drive(request.app[DRIVES], drive, site_root(request)))
    return json_response(payload)


async def get_item(request: web.Request) -> web.Response:
    """GET …/items/{id}, …/root, …/root:/{path}: one driveItem ($select supported)."""
    item = resolve_item(request)
    options = parse_query(request, "invalidRequest")
    return json_response(select_properties(item_json(request, item), options.select, ("id",)))


async def delete_item(request: web.Request) -> web.Response:
    """DELETE …/items/{id}: the item and everything in it (204)."""
    request.app[DRIVES].delete(resolve_item(request))
    return web.Response(status=204)


async def list_children(request: web.Request) -> web.Response:
    """GET …/children: the items in a folder, by name, 200 per page."""
    folder = resolve_item(request)
    drives = request.app[DRIVES]
    if not folder.is_folder:
        raise not_found()
    options = parse_query(request, "invalidRequest")
    items = [item_json(request, child, entity=False) for child in drives.children(folder)]
    chunk, next_link = page(request, items, options, 200)
    payload: dict[str, Any] = {
        "@odata.context": f"{base_url(request)}/$metadata#drives('{folder.drive_id}')/items('{folder.id}')/children"
    }
    if next_link:
        payload["@odata.nextLink"] = next_link
    payload["value"] = [select_properties(i, options.select, ("id",)) for i in chunk]
    return json_response(payload)


async def create_child(request: web.Request) -> web.Response:
    """POST …/children: create a folder (201); ``@microsoft.graph.conflictBehavior`` fail (default)/rename/replace."""
    address = item_address(request)
    drives = request.app[DRIVES]
    parent = drives.resolve(address.drive, address.base, address.segments)
    body = await read_json_object(request)
    if "folder" not in body:
        raise GraphError(400, "invalidRequest", "Only folders can be created here; upload files with PUT …/content.")
    conflict = conflict_behavior(body.get(CONFLICT_KEY) or request.query.get(CONFLICT_KEY), "fail")
    name = check_name(body.get("name"))
    folder = drives.create_folder(address.drive, parent, name, conflict, actor(request, address.drive))
    return json_response(item_json(request, folder), status=201)


async def get_content(request: web.Request) -> web.Response:
    """GET …/content: 302 to the file's pre-authenticated download URL, as Graph answers."""
    item = resolve_item(request)
    drives = request.app[DRIVES]
    drives.content(item)  # 400 for folders
    return web.Response(status=302, headers={"Location": root_url(request) + drives.download_path(item)})


async def put_content(request: web.Request) -> web.Response:
    """PUT …/content: a new file (201) or new bytes for an existing one (200); conflictBehavior in the query."""
    address = item_address(request)
    drives = request.app[DRIVES]
    content = await request.read()
    who = actor(request, address.drive)
    conflict = conflict_behavior(request.query.get(CONFLICT_KEY), "replace")
    if not address.segments:
        item = drives.replace_content(drives.resolve(address.drive, address.base, []), content, who)
        return json_response(item_json(request, item))
    parent = drives.ensure_folders(address.drive, address.base, address.segments[:-1], who)
    item, created = drives.write_file(address.drive, parent, address.segments[-1], content, conflict, who)
    return json_response(item_json(request, item), status=201 if created else 200)


def add_routes(app: web.Application) -> None:
    """Register the drive and item routes for every addressing form."""
    for prefix in DRIVE_PREFIXES:
        app.router.add_get(prefix, get_drive)
    add_item_routes(app, "GET", "", get_item)
    add_item_routes(app, "DELETE", "", delete_item)
    add_item_routes(app, "GET", "children", list_children)
    add_item_routes(app, "POST", "children", create_child)
    add_item_routes(app, "GET", "content", get_content)
    add_item_routes(app, "PUT", "content", put_content)
