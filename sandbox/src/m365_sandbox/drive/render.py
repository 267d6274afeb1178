"""Graph's JSON for drives, driveItems, permissions and upload sessions."""

from __future__ import annotations

from typing import Any

from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.drive.model import (
    DRIVE_TYPE,
    ItemRecord,
    UploadSessionRecord,
    documents_url,
    identity,
    link_web_url,
    login_name,
    share_id,
    site_user_id,
)
from m365_sandbox.drive.service import Drive, DriveService
from m365_sandbox.drive.sharing import OWNER_ROLE, EffectivePermission, SharingService

# What OneDrive for Business reports as a user's storage (1 TB).
QUOTA_BYTES = 1024**4


def _person(drives: DriveService, mailbox_id: str) -> dict[str, Any]:
    box = drives.find(mailbox_id)
    return {"user": identity(box) if box else {"displayName": "SharePoint App"}}


def folder_path(drives: DriveService, folder: ItemRecord) -> str:
    """An itemReference ``path``: ``/drive/root:`` for the root, ``/drive/root:/Yhdessä aika`` below it."""
    relative = drives.relative_path(folder)
    return "/drive/root:" + (f"/{relative}" if relative else "")


def item_reference(drives: DriveService, folder: ItemRecord) -> dict[str, Any]:
    """An ``itemReference`` to a folder (a parentReference or a permission's inheritedFrom)."""
    return {"driveType": DRIVE_TYPE, "driveId": folder.drive_id, "id": folder.id, "path": folder_path(drives, folder)}


def item_web_url(drives: DriveService, item: ItemRecord, site_root: str) -> str:
    """An item's webUrl: its place in the owner's Documents library on the sandbox's SharePoint stand-in."""
    return documents_url(site_root, drives.drive_of_item(item).owner, drives.relative_path(item))


def render_item(
    drives: DriveService, sharing: SharingService, item: ItemRecord, root_url: str, site_root: str
) -> dict[str, Any]:
    """A driveItem with the properties OneDrive for Business returns by default.

    ``root_url`` is where Graph clients reach the sandbox (for the download URL); ``site_root`` is where
    people open webUrls (see :func:`m365_sandbox.core.context.site_root`).
    """
    result: dict[str, Any] = {}
    if not item.is_folder:
        result["@microsoft.graph.downloadUrl"] = root_url + drives.download_path(item)
    result.update({
        "createdDateTime": item.created,
        "eTag": f'"{{{item.tag}}},{item.version}"',
        "id": item.id,
        "lastModifiedDateTime": item.modified,
        "name": item.name,
        "webUrl": item_web_url(drives, item, site_root),
        "cTag": f'"c:{{{item.tag}}},{item.version}"',
        "size": drives.size_of(item),
        "createdBy": _person(drives, item.created_by),
        "lastModifiedBy": _person(drives, item.modified_by),
        "parentReference": {"driveType": DRIVE_TYPE, "driveId": item.drive_id},
        "fileSystemInfo": {"createdDateTime": item.created, "lastModifiedDateTime": item.modified},
    })
    if item.parent_id is not None:
        parent = drives.store.item(item.parent_id)
        if parent is not None:
            result["parentReference"] = item_reference(drives, parent)
    if item.is_folder:
        result["folder"] = {"childCount": len(drives.children(item))}
    else:
        result["file"] = {"mimeType": item.mime_type, "hashes": {"quickXorHash": item.quick_xor}}
    if item.kind == "root":
        result["root"] = {}
    scope = sharing.shared_scope(item)
    if scope is not None:
        result["shared"] = {"scope": scope}
    return result


def render_drive(drives: DriveService, drive: Drive, site_root: str) -> dict[str, Any]:
    """A user's drive."""
    used = drives.size_of(drive.root)
    owner = {"user": identity(drive.owner)}
    return {
        "createdDateTime": drive.root.created,
        "description": "",
        "id": drive.id,
        "lastModifiedDateTime": drive.root.modified,
        "name": "OneDrive",
        "webUrl": documents_url(site_root, drive.owner),
        "driveType": DRIVE_TYPE,
        "createdBy": {"user": {"displayName": "System Account"}},
        "lastModifiedBy": owner,
        "owner": owner,
        "quota": {"deleted": 0, "remaining": QUOTA_BYTES - used, "state": "normal", "total": QUOTA_BYTES, "used": used},
    }


def _grantee(drives: DriveService, email: str, display_name: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(identitySet, sharePointIdentitySet) of a person: a tenant user, or a guest known by address."""
    box: Mailbox | None = drives.tenant.find(email)
    user = identity(box) if box else {"displayName": display_name or email}
    site_user = {
        "displayName": user["displayName"],
        "id": site_user_id(email.lower()),
        "loginName": login_name(email, drives.tenant),
    }
    return {"user": user}, {"user": user, "siteUser": site_user}


def render_permission(drives: DriveService, entry: EffectivePermission, site_root: str) -> dict[str, Any]:
    """A permission as GET …/permissions lists it (a link's webUrl below ``site_root``)."""
    permission = entry.permission
    result: dict[str, Any] = {"id": permission.id, "roles": list(permission.roles)}
    if permission.kind == "link":
        web_url = link_web_url(site_root, permission.web_url or "")
        link = {
            "type": permission.link_type,
            "scope": permission.link_scope,
            "webUrl": web_url,
            "preventsDownload": False,
        }
        result.update({"shareId": share_id(web_url), "hasPassword": False, "link": link})
        if permission.recipients:
            people = [_grantee(drives, email, None) for email in permission.recipients]
            result["grantedToIdentities"] = [plain for plain, _ in people]
            result["grantedToIdentitiesV2"] = [rich for _, rich in people]
    else:
        plain, rich = _grantee(drives, permission.email or "", permission.display_name)
        result.update({"grantedTo": plain, "grantedToV2": rich})
        if OWNER_ROLE not in permission.roles:
            inviter = drives.find(permission.granted_by)
            result["invitation"] = {
                "email": permission.email,
                "signInRequired": permission.sign_in_required,
                "invitedBy": {"user": identity(inviter)} if inviter else None,
            }
    if permission.expiration:
        result["expirationDateTime"] = permission.expiration
    if entry.inherited_from is not None:
        result["inheritedFrom"] = item_reference(drives, entry.inherited_from)
    return result


def render_session(
    drives: DriveService, session: UploadSessionRecord, root_url: str, with_url: bool
) -> dict[str, Any]:
    """An uploadSession: where to PUT the bytes, until when, and which bytes are still missing."""
    result: dict[str, Any] = {}
    if with_url:
        result["uploadUrl"] = f"{root_url}/_upload/{session.id}"
    result["expirationDateTime"] = drives.session_expiry(session)
    result["nextExpectedRanges"] = [f"{session.received}-"]
    return result
