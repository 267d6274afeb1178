"""How driveItems are addressed in Graph URLs, and the route table that accepts every form.

A drive is ``/users/{id}/drive``, ``/me/drive`` or ``/drives/{drive-id}``. Below it an item is
``/root``, ``/root:/{path}`` (optionally ending in ``:``), ``/items/{item-id}`` or
``/items/{item-id}:/{path}``; an action follows after ``/`` (id forms) or ``:/`` (path forms),
e.g. ``/root:/Yhdessä aika/plan.pdf:/content``. msgraph-sdk puts the whole reference in the
item id, percent-encoded (``/items/root%3A%2FYhdess%C3%A4%20aika%3A/children``); aiohttp
decodes it into ``{item}`` and :func:`item_address` splits it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from m365_sandbox.core.context import check_same_tenant, me, require_user
from m365_sandbox.drive.context import DRIVES
from m365_sandbox.drive.service import Drive

DRIVE_PREFIXES = ("/v1.0/users/{user}/drive", "/v1.0/me/drive", "/v1.0/drives/{drive}")
# (item part, separator before an action). Item paths cannot contain ':' in OneDrive.
_ITEM_FORMS = (
    ("/root", "/"),
    ("/root:/{path:[^:]+}", ":/"),
    ("/items/{item}", "/"),
    ("/items/{item:[^/:]+}:/{path:[^:]+}", ":/"),
)


@dataclass(frozen=True)
class ItemAddress:
    """An item reference: ``base`` (``root`` or an item id) and a path below it."""

    drive: Drive
    base: str
    segments: list[str]


def add_item_routes(app: web.Application, method: str, action: str, handler: Handler) -> None:
    """Register ``handler`` for ``action`` ('' for the item itself) on every item form of every drive."""
    for prefix in DRIVE_PREFIXES:
        for item_part, separator in _ITEM_FORMS:
            paths = [f"{prefix}{item_part}{separator}{action}"] if action else [f"{prefix}{item_part}"]
            if not action and separator == ":/":
                paths.append(f"{prefix}{item_part}:")
            for path in paths:
                app.router.add_route(method, path, handler)


def drive_of_request(request: web.Request) -> Drive:
    """The drive the URL names (``/users/{id}/drive``, ``/me/drive`` or ``/drives/{id}``)."""
    drives = request.app[DRIVES]
    if "drive" in request.match_info:
        drive = drives.drive_by_id(request.match_info["drive"])
        check_same_tenant(request, drive.owner)
        return drive
    box = require_user(request) if "user" in request.match_info else me(request)
    return drives.drive_of(box)


def item_address(request: web.Request) -> ItemAddress:
    """The item reference of the URL, whichever form it uses."""
    drive = drive_of_request(request)
    base = request.match_info.get("item", "root")
    path = request.match_info.get("path", "")
    if not path and ":" in base:
        base, _, path = base.partition(":")
        path = path.rstrip(":")
    return ItemAddress(drive, base, [segment for segment in path.split("/") if segment])
