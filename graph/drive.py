"""The Drive port over Graph: the responsible worker's OneDrive, uploads and sharing.

Answers are read as plain JSON (graph/json_requests.py), never as kiota models: the first model would import
~1,200 msgraph modules on the event loop in the middle of finalizing a plan (1–2 s when every click waits).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from urllib.parse import quote

import httpx
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.drives.item.items.item.invite.invite_post_request_body import InvitePostRequestBody
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.drive_recipient import DriveRecipient
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
NOT_FOUND = 404


class GraphDrive:
    """``/users/{owner}/drive/...``: every request names the owner's drive by the owner, so no drive id (nor
    folder id) is looked up first: an upload is one round trip, and the folder is made by it when missing."""

    def __init__(self, client: GraphServiceClient, http: httpx.AsyncClient) -> None:
        self._client = client
        self._http = http  # for upload-session ranges: their URL is pre-authenticated, as Graph requires

    async def upload(self, owner: str, folder: str, file_name: str, content: bytes) -> StoredFile:
        """A new file in ``folder`` (a folder name under the drive root, made by Graph if missing: an upload to
        a path creates its folders); an existing name gets a new one (``rename``), never overwritten."""
        item_path = f"{self._drive(owner)}/root:/{quote(folder)}/{quote(file_name)}:"
        if len(content) <= SIMPLE_UPLOAD_LIMIT:
            builder = self._client.drives.by_drive_id("-").items.by_drive_item_id("-").content

            def put(conflict: str) -> RequestInformation:
                return builder.with_url(f"{item_path}/content?{_RENAME}={conflict}").to_put_request_information(content)

            try:
                # "fail" first: a retry after a dropped connection finds its own file instead of a copy.
                item: dict[str, object] | None = await call(partial(send_json, builder.request_adapter, put("fail")))
            except GraphUnavailableError as err:
                if err.status != CONFLICT:
                    raise
                try:
                    item = await self._same_file(owner, item_path, content)
                except GraphUnavailableError as missing:
                    if missing.status != NOT_FOUND:
                        raise
                    # No file there: the conflict was the folder, made at the same moment by the document's
                    # other upload (both go at once). It exists now; this upload goes again.
                    item = await call(partial(send_json, builder.request_adapter, put("fail")))
                if item is None:  # another family's plan with the same date and initials: a new name
                    item = await call(partial(send_json, builder.request_adapter, put("rename")),
                                      retry_transport=False)
        else:
            item = await self._upload_in_ranges(item_path, file_name, content)
        if not item or not item.get("id"):
            raise GraphUnavailableError(None, "noItemId")
        return StoredFile(str(item["id"]), str(item.get("name") or file_name), str(item.get("webUrl") or ""))

    async def share(self, owner: str, item_id: str, emails: Sequence[str], message: str) -> tuple[str, ...]:
        """Read access for the named people, who must sign in: never an anonymous or organisation link.

        One ``invite`` per person, so a failure for one is known and retried for that one only; the invites
        go at once (one round trip however many people). Returns those it failed for.
        """
        if not emails:
            return ()
        invite = self._client.drives.by_drive_id("-").items.by_drive_item_id(item_id).invite
        url = f"{self._drive(owner)}/items/{quote(item_id, safe='!')}/invite"

        async def one(email: str) -> str | None:
            body = InvitePostRequestBody(recipients=[DriveRecipient(email=email)], require_sign_in=True,
                                         send_invitation=True, roles=["read"], message=message)
            try:
                request = invite.with_url(url).to_post_request_information(body)
                await call(partial(send_bytes, invite.request_adapter, request))
            except GraphUnavailableError:
                return email
            return None

        results = await asyncio.gather(*(one(email) for email in emails))
        return tuple(email for email in results if email is not None)

    async def _upload_in_ranges(self, item_path: str, file_name: str, content: bytes) -> dict[str, object] | None:
        builder = self._client.drives.by_drive_id("-").items.by_drive_item_id("-").create_upload_session
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

    async def _same_file(self, owner: str, item_path: str, content: bytes) -> dict[str, object] | None:
        """The existing file at ``item_path`` if it holds exactly ``content`` (our own earlier upload)."""
        builder = self._client.drives.by_drive_id("-").items.by_drive_item_id("-").with_url(item_path)
        existing = await call(partial(send_json, builder.request_adapter, builder.to_get_request_information()))
        item_id = existing.get("id")
        if existing.get("size") != len(content) or not isinstance(item_id, str) or not item_id:
            return None
        download = self._client.drives.by_drive_id("-").items.by_drive_item_id(item_id).content.with_url(
            f"{self._drive(owner)}/items/{quote(item_id, safe='!')}/content")
        stored = await call(download.get)
        return existing if stored == content else None

    def _drive(self, owner: str) -> str:
        """The owner's drive as a URL: ``…/users/{owner}/drive``."""
        return f"{self._base()}/users/{quote(owner, safe='@')}/drive"

    def _base(self) -> str:
        return str(self._client.request_adapter.base_url).rstrip("/")
