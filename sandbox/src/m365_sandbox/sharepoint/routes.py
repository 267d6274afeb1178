"""The SharePoint stand-in that driveItem webUrls point to: files open in the browser, folders list their items.

- ``GET /_sharepoint/personal/{account}/Documents[/{path}]``: an item by its place in the owner's
  Documents library, as an item's ``webUrl`` names it (the drive's ``webUrl`` is the root folder).
- ``GET /_sharepoint/:{letter}:/g/personal/{account}/{token}``: a sharing link's ``webUrl``.
- ``GET /_sharepoint/``: every OneDrive in use.

A file is sent with its MIME type, inline when browsers show that type (a PDF opens in the browser),
otherwise as an attachment (a DOCX downloads); a folder is a plain HTML listing with links. Like the
admin API this lives outside /v1.0: no faults, no Authorization, not counted, not in the contract.
"""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from m365_sandbox.core.context import SHAREPOINT_PREFIX, TENANT, site_root
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.html_view import esc, file_size, html_page, html_response, local_time, parse_stamp
from m365_sandbox.core.timezones import resolve_zone
from m365_sandbox.drive.context import DRIVES, SHARING
from m365_sandbox.drive.model import ItemRecord, documents_url
from m365_sandbox.drive.render import item_web_url
from m365_sandbox.drive.service import Drive, DriveService

# MIME types browsers display themselves; everything else is offered as a download.
INLINE_TYPES = frozenset({
    "application/pdf", "application/json", "text/plain", "text/csv", "image/png", "image/jpeg", "image/gif",
})


def file_response(drives: DriveService, item: ItemRecord) -> web.Response:
    """A file's bytes with its MIME type: inline for types browsers show, else as an attachment."""
    mime = item.mime_type or "application/octet-stream"
    disposition = "inline" if mime in INLINE_TYPES else "attachment"
    content_type = f"{mime}; charset=utf-8" if mime.startswith("text/") else mime
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in item.name)
    return web.Response(
        body=drives.content(item),
        headers={
            "Content-Type": content_type,
            "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(item.name)}",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _not_found(what: str) -> web.Response:
    body = f"<h1>Ei löydy <small>(not found)</small></h1><p>{esc(what)}</p>"
    return html_response(html_page("Ei löydy", body), status=404)


def _crumbs(request: web.Request, drives: DriveService, drive: Drive, folder: ItemRecord) -> str:
    root = site_root(request)
    chain = [*reversed(drives.ancestors(folder)), folder] if folder.kind != "root" else [folder]
    links = []
    for step in chain:
        path = drives.relative_path(step)
        label = "Documents" if step.kind == "root" else step.name
        links.append(f'<a href="{esc(documents_url(root, drive.owner, path))}">{esc(label)}</a>')
    return " / ".join(links)


def folder_page(request: web.Request, drives: DriveService, folder: ItemRecord) -> web.Response:
    """A folder as an HTML listing: name (a link to its webUrl), size, last change and who made it."""
    drive = drives.drive_of_item(folder)
    zone = resolve_zone(request.app[TENANT].time_zone)
    rows = []
    for child in drives.children(folder):
        modified = parse_stamp(child.modified)
        who = drives.find(child.modified_by)
        kind = "Kansio (folder)" if child.is_folder else (child.mime_type or "")
        rows.append(
            f'<tr><td><a href="{esc(item_web_url(drives, child, site_root(request)))}">{esc(child.name)}</a>'
            f"{'/' if child.is_folder else ''}</td><td>{esc(kind)}</td>"
            f"<td>{esc(file_size(drives.size_of(child)))}</td>"
            f"<td>{esc(local_time(modified, zone) if modified else child.modified)}</td>"
            f"<td>{esc(who.display_name if who else '')}</td></tr>"
        )
    table = (
        "<table><tr><th>Nimi <small>(name)</small></th><th>Tyyppi <small>(type)</small></th>"
        "<th>Koko <small>(size)</small></th><th>Muokattu <small>(modified)</small></th>"
        "<th>Muokkaaja <small>(by)</small></th></tr>" + "".join(rows) + "</table>"
        if rows
        else "<p>Kansio on tyhjä. <small>(empty folder)</small></p>"
    )
    title = "Documents" if folder.kind == "root" else folder.name
    body = (
        f"<h1>{esc(title)} <small>– OneDrive: {esc(drive.owner.display_name)}</small></h1>"
        f"<p>{_crumbs(request, drives, drive, folder)}</p>{table}"
        '<p class="hint">Sandboxin SharePoint-sijaisen kansionäkymä (sandbox stand-in for a OneDrive folder).</p>'
    )
    return html_response(html_page(f"{title} – OneDrive", body))


def _item_response(request: web.Request, item: ItemRecord) -> web.Response:
    drives = request.app[DRIVES]
    return folder_page(request, drives, item) if item.is_folder else file_response(drives, item)


async def documents(request: web.Request) -> web.Response:
    """GET /_sharepoint/personal/{account}/Documents/{path}: the file, or the folder's listing."""
    drives = request.app[DRIVES]
    owner = drives.owner_by_account(request.match_info["account"])
    drive = drives.existing_drive(owner) if owner is not None else None
    if drive is None:
        return _not_found(f"OneDrive '{request.match_info['account']}' ei ole käytössä.")
    path = request.match_info.get("path", "")
    try:
        item = drives.resolve(drive, "root", [segment for segment in path.split("/") if segment])
    except GraphError:
        return _not_found(f"Documents/{path}")
    return _item_response(request, item)


async def sharing_link(request: web.Request) -> web.Response:
    """GET /_sharepoint/:{letter}:/g/personal/{account}/{token}: what a sharing link shares."""
    found = request.app[SHARING].link_target(request.match_info["token"])
    if found is None:
        return _not_found("Jakolinkkiä ei ole, tai se on poistettu. (no such sharing link)")
    return _item_response(request, found[1])


async def index(request: web.Request) -> web.Response:
    """GET /_sharepoint/: links to every OneDrive that has been used."""
    drives = request.app[DRIVES]
    root = site_root(request)
    used = [d for d in (drives.existing_drive(box) for box in drives.tenant.users) if d is not None]
    items = "".join(
        f'<li><a href="{esc(documents_url(root, d.owner))}">{esc(d.owner.display_name)}</a> '
        f"<small>{esc(d.owner.mail)}</small></li>"
        for d in used
    )
    body = (
        "<h1>OneDrive <small>(sandbox)</small></h1>"
        + (f"<ul>{items}</ul>" if items else "<p>Kukaan ei ole vielä tallentanut tiedostoja. (no drives yet)</p>")
        + '<p><a href="/_admin/">Ylläpitosivu (admin page)</a></p>'
    )
    return html_response(html_page("OneDrive – sandbox", body))


def add_routes(app: web.Application) -> None:
    """Register the SharePoint stand-in's routes."""
    documents_path = f"{SHAREPOINT_PREFIX}/personal/{{account}}/Documents"
    app.router.add_get(documents_path, documents)
    app.router.add_get(documents_path + "/{path:.*}", documents)
    app.router.add_get(f"{SHAREPOINT_PREFIX}/:{{letter:[a-z]}}:/g/personal/{{account}}/{{token}}", sharing_link)
    app.router.add_get(SHAREPOINT_PREFIX, index)
    app.router.add_get(SHAREPOINT_PREFIX + "/", index)
