"""Large files and downloads: POST …/createUploadSession, the upload URL, and pre-authenticated downloads.

The upload URL (``/_upload/{session}``) and the download URL (``/_download/{item}?tempauth=…``)
live outside /v1.0 like OneDrive's own hosts, need no Authorization header, and are still
Graph traffic: they are counted and subject to injected faults.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from aiohttp import web

from m365_sandbox.core.context import base_url, root_url
from m365_sandbox.core.errors import GraphError, json_response, read_json_object
from m365_sandbox.drive.context import DRIVES
from m365_sandbox.drive.model import CONFLICT_KEY, conflict_behavior
from m365_sandbox.drive.paths import add_item_routes, item_address
from m365_sandbox.drive.render import render_session
from m365_sandbox.drive.routes import actor, item_json
from m365_sandbox.drive.service import Fragment

UPLOAD_PREFIX = "/_upload"
DOWNLOAD_PREFIX = "/_download"
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


async def create_upload_session(request: web.Request) -> web.Response:
    """POST …:/{name}:/createUploadSession (new file) or …/items/{id}/createUploadSession (new bytes)."""
    address = item_address(request)
    drives = request.app[DRIVES]
    body = await read_json_object(request)
    if body.get("deferCommit"):
        raise GraphError(400, "invalidRequest", "deferCommit is not supported by this sandbox.")
    raw_item = body.get("item")
    properties: dict[str, Any] = raw_item if isinstance(raw_item, dict) else {}
    conflict = conflict_behavior(properties.get(CONFLICT_KEY), "fail")
    size = properties.get("fileSize")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise GraphError(400, "invalidRequest", "fileSize must be a non-negative integer.")
    who = actor(request, address.drive)
    if address.segments:
        parent = drives.ensure_folders(address.drive, address.base, address.segments[:-1], who)
        session = drives.open_session(address.drive, parent, address.segments[-1], None, conflict, who, size)
    else:
        target = drives.resolve(address.drive, address.base, [])
        session = drives.open_session(address.drive, None, target.name, target, conflict, who, size)
    payload = {"@odata.context": f"{base_url(request)}/$metadata#microsoft.graph.uploadSession"}
    payload.update(render_session(drives, session, root_url(request), with_url=True))
    return json_response(payload)


async def put_fragment(request: web.Request) -> web.Response:
    """PUT {uploadUrl} with ``Content-Range: bytes a-b/total``: 202 until complete, then 201/200 with the item."""
    match = _CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
    if match is None:
        raise GraphError(400, "invalidRequest", "A Content-Range header 'bytes {start}-{end}/{total}' is required.")
    start, end, total = (int(group) for group in match.groups())
    drives = request.app[DRIVES]
    data = await request.read()
    result = drives.write_fragment(request.match_info["session"], Fragment(start, end, total, data))
    if isinstance(result, tuple):
        item, created = result
        return json_response(item_json(request, item), status=201 if created else 200)
    return json_response(render_session(drives, result, root_url(request), with_url=False), status=202)


async def get_upload_status(request: web.Request) -> web.Response:
    """GET {uploadUrl}: the missing ranges and the expiration."""
    drives = request.app[DRIVES]
    session, _received = drives.session(request.match_info["session"])
    return json_response(render_session(drives, session, root_url(request), with_url=False))


async def download(request: web.Request) -> web.Response:
    """GET /_download/{item}?tempauth=…: the file's bytes (what …/content redirects to)."""
    drives = request.app[DRIVES]
    item = drives.check_download(request.match_info["item"], request.query.get("tempauth", ""))
    disposition = f"attachment; filename*=UTF-8''{quote(item.name)}"
    return web.Response(
        body=drives.content(item),
        headers={"Content-Type": item.mime_type or "application/octet-stream", "Content-Disposition": disposition},
    )


def add_routes(app: web.Application) -> None:
    """Register createUploadSession for every addressing form, the upload URL and the download URL."""
    add_item_routes(app, "POST", "createUploadSession", create_upload_session)
    add_item_routes(app, "POST", "microsoft.graph.createUploadSession", create_upload_session)
    app.router.add_put(f"{UPLOAD_PREFIX}/{{session}}", put_fragment)
    app.router.add_get(f"{UPLOAD_PREFIX}/{{session}}", get_upload_status)
    app.router.add_get(f"{DOWNLOAD_PREFIX}/{{item}}", download)
