"""The Drive port over Graph: the responsible worker's OneDrive, uploads and sharing.

Answers are read as plain JSON (graph/json_requests.py), never as kiota models: the first model would import
~1,200 msgraph modules on the event loop in the middle of finalizing a plan (1–2 s when every click waits).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from urllib.parse import quote

import httpx
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.drives.item.items.item.invite.invite_post_request_body import InvitePostRequestBody
from msgraph.generated.models.drive_item import DriveItem
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.drive_recipient import DriveRecipient
from msgraph.generated.models.folder import Folder
from msgraph.graph_service_client import GraphServiceClient

from graph.errors import GraphUnavailableError, call
from graph.json_requests import json_object, send_bytes, send_json
from services.ports import StoredFile

#: Graph's limit for a simple PUT upload; larger files go through an upload session.
SIMPLE_UPLOAD_LIMIT = 4 * 1024 * 1024
#: Upload session chunks must be multiples of 320 KiB.
CHUNK = 320 * 1024 * 10
_RENAME = "@microsoft.graph.conflictBehavior"
CONFLICT = 409


class GraphDrive:
    """``/users/{owner}/drive`` and ``/drives/{id}/items/...``."""

    def __init__(self, client: GraphServiceClient, http: httpx.AsyncClient) -> None:
        self._client = client
        self._http = http  # for upload-session ranges: their URL is pre-authenticated, as Graph requires
        self._drive_ids: dict[str, str] = {}  # a user's drive id never changes: ask Graph once

    async def ensure_folder(self, owner: str, name: str) -> str:
        """The folder under the drive root, created if missing (a concurrent create is tolerated)."""
        drive_id = await self._drive_id(owner)
        existing = await self._child_folder(drive_id, name)
        if existing:
            return existing
        body = DriveItem(name=name, folder=Folder(), additional_data={_RENAME: "fail"})
        children = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id("root").children
        try:
            created = await call(partial(send_json, children.request_adapter,
                                         children.to_post_request_information(body)))
        except GraphUnavailableError as err:
            if err.status != 409:
                raise
            again = await self._child_folder(drive_id, name)
            if again is None:
                raise
            return again
        if not created.get("id"):
            raise GraphUnavailableError(None, "noFolderId")
        return str(created["id"])

    async def upload(self, owner: str, folder_id: str, file_name: str, content: bytes) -> StoredFile:
        """A new file in the folder; an existing name gets a new one (``rename``), never overwritten."""
        drive_id = await self._drive_id(owner)
        item_path = f"{self._base()}/drives/{drive_id}/items/{folder_id}:/{quote(file_name)}:"
        if len(content) <= SIMPLE_UPLOAD_LIMIT:
            builder = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id(folder_id).content
            def put(conflict: str) -> RequestInformation:
                return builder.with_url(f"{item_path}/content?{_RENAME}={conflict}").to_put_request_information(content)

            try:
                # "fail" first: a retry after a dropped connection finds its own file instead of a copy.
                item: dict[str, object] | None = await call(partial(send_json, builder.request_adapter, put("fail")))
            except GraphUnavailableError as err:
                if err.status != CONFLICT:
                    raise
                item = await self._same_file(drive_id, item_path, content)
                if item is None:  # another family's plan with the same date and initials: a new name
                    item = await call(partial(send_json, builder.request_adapter, put("rename")),
                                      retry_transport=False)
        else:
            item = await self._upload_in_ranges(drive_id, item_path, folder_id, file_name, content)
        if not item or not item.get("id"):
            raise GraphUnavailableError(None, "noItemId")
        return StoredFile(str(item["id"]), str(item.get("name") or file_name), str(item.get("webUrl") or ""))

    async def share(self, owner: str, item_id: str, emails: Sequence[str], message: str) -> tuple[str, ...]:
        """Read access for the named people, who must sign in: never an anonymous or organisation link.

        One ``invite`` per person, so a failure for one is known and retried for that one only;
        returns those it failed for.
        """
        if not emails:
            return ()
        drive_id = await self._drive_id(owner)
        item = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id(item_id)
        failed: list[str] = []
        for email in emails:
            body = InvitePostRequestBody(recipients=[DriveRecipient(email=email)], require_sign_in=True,
                                         send_invitation=True, roles=["read"], message=message)
            try:
                request = item.invite.to_post_request_information(body)
                await call(partial(send_bytes, item.invite.request_adapter, request))
            except GraphUnavailableError:
                failed.append(email)
        return tuple(failed)

    async def _upload_in_ranges(self, drive_id: str, item_path: str, folder_id: str, file_name: str,
                                content: bytes) -> dict[str, object] | None:
        builder = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id(folder_id).create_upload_session
        body = CreateUploadSessionPostRequestBody(
            item=DriveItemUploadableProperties(name=file_name, additional_data={_RENAME: "rename"}))
        request = builder.with_url(f"{item_path}/createUploadSession").to_post_request_information(body)
        session = await call(partial(send_json, builder.request_adapter, request))
        upload_url = session.get("uploadUrl")
        if not isinstance(upload_url, str) or not upload_url:
            raise GraphUnavailableError(None, "noUploadUrl")
        total = len(content)
        response: httpx.Response | None = None
        for start in range(0, total, CHUNK):
            chunk = content[start:start + CHUNK]
            headers = {"Content-Range": f"bytes {start}-{start + len(chunk) - 1}/{total}",
                       "Content-Length": str(len(chunk))}
            try:
                response = await self._http.put(upload_url, content=chunk, headers=headers)
            except httpx.HTTPError as err:
                raise GraphUnavailableError(None, type(err).__name__) from None
            if response.status_code >= 400:
                raise GraphUnavailableError(response.status_code, "uploadRange")
        if response is None:
            return None
        data = json_object(response.content)
        return data or None

    async def _same_file(self, drive_id: str, item_path: str, content: bytes) -> dict[str, object] | None:
        """The existing file at ``item_path`` if it holds exactly ``content`` (our own earlier upload)."""
        builder = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id("root").with_url(item_path)
        existing = await call(partial(send_json, builder.request_adapter, builder.to_get_request_information()))
        item_id = existing.get("id")
        if existing.get("size") != len(content) or not isinstance(item_id, str) or not item_id:
            return None
        stored = await call(self._client.drives.by_drive_id(drive_id).items.by_drive_item_id(item_id).content.get)
        return existing if stored == content else None

    async def _drive_id(self, owner: str) -> str:
        known = self._drive_ids.get(owner.lower())
        if known:
            return known
        builder = self._client.users.by_user_id(owner).drive
        drive = await call(partial(send_json, builder.request_adapter, builder.to_get_request_information()))
        drive_id = drive.get("id")
        if not isinstance(drive_id, str) or not drive_id:
            raise GraphUnavailableError(None, "noDrive")
        self._drive_ids[owner.lower()] = drive_id
        return drive_id

    async def _child_folder(self, drive_id: str, name: str) -> str | None:
        """The folder ``name`` under the drive root, looked for on every page (Graph pages children by 200)."""
        builder = self._client.drives.by_drive_id(drive_id).items.by_drive_item_id("root").children
        request = builder.to_get_request_information()
        while True:
            page = await call(partial(send_json, builder.request_adapter, request))
            items = page.get("value")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("name") == name and "folder" in item and item.get("id"):
                    return str(item["id"])
            next_link = page.get("@odata.nextLink")
            if not isinstance(next_link, str) or not next_link:
                return None
            request = builder.with_url(next_link).to_get_request_information()

    def _base(self) -> str:
        return str(self._client.request_adapter.base_url).rstrip("/")
