"""OneDrive through msgraph-sdk (and raw HTTP where the SDK has no call): folders, files, uploads, sharing."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from msgraph import GraphServiceClient
from msgraph.generated.drives.item.items.item.create_link.create_link_post_request_body import (
    CreateLinkPostRequestBody,
)
from msgraph.generated.drives.item.items.item.create_upload_session.create_upload_session_post_request_body import (
    CreateUploadSessionPostRequestBody,
)
from msgraph.generated.drives.item.items.item.drive_item_item_request_builder import DriveItemItemRequestBuilder
from msgraph.generated.drives.item.items.item.invite.invite_post_request_body import InvitePostRequestBody
from msgraph.generated.models.drive_item import DriveItem
from msgraph.generated.models.drive_item_uploadable_properties import DriveItemUploadableProperties
from msgraph.generated.models.drive_recipient import DriveRecipient
from msgraph.generated.models.folder import Folder
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from sandbox_support import LIISA_ID, MIKKO_ID, GraphFactory, StartSandbox, mail

from m365_sandbox.drive.quickxor import quick_xor_hash
from m365_sandbox.runner import RunningSandbox

FOLDER = "Yhdessä aika"
PLAN = "Perhe Virtanen – suunnitelma.pdf"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + "Yhteinen suunnitelma – äö".encode()
CHUNK = 327_680  # fragments must be multiples of 320 KiB
CONFLICT = "@microsoft.graph.conflictBehavior"
LIISA_ACCOUNT = "liisa_lahinen_esimerkkila_onmicrosoft_com"


async def drive_id(graph: GraphServiceClient, user: str = LIISA_ID) -> str:
    """The user's drive id, as the bot would look it up."""
    drive = await graph.users.by_user_id(user).drive.get()
    assert drive is not None and drive.id is not None
    return drive.id


def folder(name: str, conflict: str) -> DriveItem:
    """A folder to create with POST …/children."""
    return DriveItem(name=name, folder=Folder(), additional_data={CONFLICT: conflict})


def item(graph: GraphServiceClient, drive: str, reference: str) -> DriveItemItemRequestBuilder:
    """``/drives/{drive}/items/{reference}`` (an id, ``root``, or ``root:/path:``)."""
    return graph.drives.by_drive_id(drive).items.by_drive_item_id(reference)


async def upload_plan(graph: GraphServiceClient, drive: str, content: bytes = PDF) -> DriveItem:
    """PUT the plan into ``Yhdessä aika`` (the folder is created on the way, as OneDrive does)."""
    uploaded = await item(graph, drive, f"root:/{FOLDER}/{PLAN}:").content.put(content)
    assert uploaded is not None
    return uploaded


def test_quick_xor_hash_matches_published_vectors() -> None:
    vectors = {
        "": "AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "Sg==": "SgAAAAAAAAAAAAAAAQAAAAAAAAA=",
        "J9iPGCbfZSTNyw==": "J8DGIzBggm+UgQTNUgYAAAAAAAA=",
        "2fuxhBJXtpWFe8dOfdGeHw==": "O9tHLAghgSvYohKFyMMxnNCHaHg=",
    }
    for given, expected in vectors.items():
        assert quick_xor_hash(base64.b64decode(given)) == expected
    long_input = bytes(i * 7 % 256 for i in range(1000))
    by_bytes = 0
    for position, value in enumerate(long_input):  # the definition, one byte at a time
        shifted = value << (position * 11 % 160)
        by_bytes ^= (shifted | (shifted >> 160)) & ((1 << 160) - 1)
    digest = bytearray(by_bytes.to_bytes(20, "little"))
    for index, value in enumerate(len(long_input).to_bytes(8, "little")):
        digest[12 + index] ^= value
    assert quick_xor_hash(long_input) == base64.b64encode(bytes(digest)).decode()


async def test_drive_shapes_and_forms(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    did = await drive_id(graph)
    assert did.startswith("b!") and len(did) == 66
    for path in (f"/v1.0/users/{mail('liisa.lahinen')}/drive", "/v1.0/me/drive", f"/v1.0/drives/{did}"):
        drive = (await http.get(path)).json()
        assert drive["id"] == did and drive["driveType"] == "business"
        assert drive["owner"]["user"]["id"] == LIISA_ID
        assert drive["webUrl"] == f"{sandbox.root_url}/_sharepoint/personal/{LIISA_ACCOUNT}/Documents"
    root = await item(graph, did, "root").get()
    assert root is not None and root.root is not None and root.folder is not None and root.name == "root"
    room = await http.get(f"/v1.0/users/{mail('kaste')}/drive")
    assert room.status_code == 404
    assert (await http.get("/v1.0/drives/b!nope/root")).json()["error"]["code"] == "itemNotFound"


async def test_folder_conflict_fail_then_rename(graph: GraphServiceClient) -> None:
    did = await drive_id(graph)
    root = item(graph, did, "root")
    first = await root.children.post(folder(FOLDER, "fail"))
    assert first is not None and first.name == FOLDER and first.folder is not None
    assert first.folder.child_count == 0
    assert first.parent_reference is not None and first.parent_reference.path == "/drive/root:"
    assert first.parent_reference.drive_id == did and first.parent_reference.drive_type == "business"
    with pytest.raises(ODataError) as caught:
        await root.children.post(folder(FOLDER.upper(), "fail"))  # names compare case-insensitively
    assert caught.value.response_status_code == 409
    assert caught.value.error is not None and caught.value.error.code == "nameAlreadyExists"
    renamed = await root.children.post(folder(FOLDER, "rename"))
    assert renamed is not None and renamed.name == f"{FOLDER} 1" and renamed.id != first.id
    children = await root.children.get()
    assert children is not None and [c.name for c in children.value or []] == [FOLDER, f"{FOLDER} 1"]


async def test_put_content_then_download_same_bytes(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    did = await drive_id(graph)
    uploaded = await upload_plan(graph, did)
    assert uploaded.name == PLAN and uploaded.size == len(PDF) and uploaded.id is not None
    assert uploaded.file is not None and uploaded.file.mime_type == "application/pdf"
    assert uploaded.file.hashes is not None and uploaded.file.hashes.quick_xor_hash == quick_xor_hash(PDF)
    assert uploaded.parent_reference is not None and uploaded.parent_reference.path == f"/drive/root:/{FOLDER}"
    assert uploaded.created_by is not None and uploaded.created_by.user is not None
    assert uploaded.created_by.user.id == LIISA_ID
    assert await item(graph, did, uploaded.id).content.get() == PDF  # the SDK follows the 302

    redirect = await http.get(f"/v1.0/users/{LIISA_ID}/drive/items/{uploaded.id}/content")
    assert redirect.status_code == 302
    location = redirect.headers["Location"]
    assert location.startswith(f"{sandbox.root_url}/_download/")
    async with httpx.AsyncClient() as anonymous:  # pre-authenticated: no Authorization header needed
        assert (await anonymous.get(location)).content == PDF
        assert (await anonymous.get(location.split("?")[0])).status_code == 401
    metadata = (await http.get(f"/v1.0/drives/{did}/items/{uploaded.id}")).json()
    assert metadata["@microsoft.graph.downloadUrl"].startswith(f"{sandbox.root_url}/_download/{uploaded.id}?")
    assert metadata["eTag"].endswith(',1"') and metadata["webUrl"].endswith("Yhdess%C3%A4%20aika/" + (
        "Perhe%20Virtanen%20%E2%80%93%20suunnitelma.pdf"))

    path = f"/v1.0/users/{LIISA_ID}/drive/root:/{FOLDER}/{PLAN}:/content"
    renamed = await http.put(path, params={CONFLICT: "rename"}, content=b"v2")
    assert renamed.status_code == 201 and renamed.json()["name"] == "Perhe Virtanen – suunnitelma 1.pdf"
    failed = await http.put(path, params={CONFLICT: "fail"}, content=b"v3")
    assert failed.status_code == 409 and failed.json()["error"]["code"] == "nameAlreadyExists"
    replaced = await http.put(path, content=b"v4")  # replace is the default for PUT
    assert replaced.status_code == 200 and replaced.json()["id"] == uploaded.id
    assert replaced.json()["eTag"].endswith(',2"') and replaced.json()["size"] == 2
    assert await item(graph, did, uploaded.id).content.get() == b"v4"
    assert (await http.get(f"/v1.0/drives/{did}/items/root/content")).status_code == 400


async def test_upload_session_in_three_ranges(
    graph: GraphServiceClient, sandbox: RunningSandbox, http: httpx.AsyncClient
) -> None:
    did = await drive_id(graph)
    folder_item = await item(graph, did, "root").children.post(folder(FOLDER, "fail"))
    assert folder_item is not None and folder_item.id is not None
    body = CreateUploadSessionPostRequestBody(
        item=DriveItemUploadableProperties(name="iso.docx", additional_data={CONFLICT: "rename"})
    )
    session = await item(graph, did, f"{folder_item.id}:/iso.docx:").create_upload_session.post(body)
    assert session is not None and session.upload_url is not None
    assert session.upload_url.startswith(f"{sandbox.root_url}/_upload/")
    assert session.next_expected_ranges == ["0-"] and session.expiration_date_time is not None
    data = bytes(i * 31 % 251 for i in range(2 * CHUNK + 1000))
    total = len(data)
    ranges = [(0, CHUNK - 1), (CHUNK, 2 * CHUNK - 1), (2 * CHUNK, total - 1)]
    async with httpx.AsyncClient() as upload:  # the upload URL needs no Authorization header
        for start, end in ranges[:2]:
            headers = {"Content-Range": f"bytes {start}-{end}/{total}"}
            response = await upload.put(session.upload_url, content=data[start : end + 1], headers=headers)
            assert response.status_code == 202, response.text
            assert response.json()["nextExpectedRanges"] == [f"{end + 1}-"]
        again = await upload.put(
            session.upload_url, content=data[:CHUNK], headers={"Content-Range": f"bytes 0-{CHUNK - 1}/{total}"}
        )
        assert again.status_code == 416 and again.json()["error"]["code"] == "invalidRange"
        status = await upload.get(session.upload_url)
        assert status.json()["nextExpectedRanges"] == [f"{2 * CHUNK}-"]
        wrong_total = await upload.put(
            session.upload_url, content=data[2 * CHUNK :], headers={"Content-Range": f"bytes {2 * CHUNK}-{total - 1}/9"}
        )
        assert wrong_total.status_code == 400
        start, end = ranges[2]
        done = await upload.put(
            session.upload_url, content=data[start:], headers={"Content-Range": f"bytes {start}-{end}/{total}"}
        )
        assert done.status_code == 201, done.text
        finished = done.json()
        assert finished["name"] == "iso.docx" and finished["size"] == total
        assert finished["file"]["mimeType"].endswith("wordprocessingml.document")
        assert (await upload.get(session.upload_url)).status_code == 404
    assert await item(graph, did, finished["id"]).content.get() == data
    counts = (await http.get("/_admin/requests")).json()["byRoute"]
    assert counts["PUT /_upload/{session}"] == 5


async def test_invite_shows_exactly_the_invitee_and_no_link(graph: GraphServiceClient) -> None:
    did = await drive_id(graph)
    plan = await upload_plan(graph, did)
    assert plan.id is not None and plan.shared is None
    body = InvitePostRequestBody(
        recipients=[DriveRecipient(email=mail("mikko.miettinen"))],
        require_sign_in=True,
        send_invitation=False,
        roles=["read"],
        message="Perheen suunnitelma",
    )
    granted = await item(graph, did, plan.id).invite.post(body)
    assert granted is not None and granted.value is not None and len(granted.value) == 1
    permission = granted.value[0]
    assert permission.roles == ["read"] and permission.link is None
    assert permission.granted_to_v2 is not None and permission.granted_to_v2.user is not None
    assert permission.granted_to_v2.user.id == MIKKO_ID
    assert permission.invitation is not None and permission.invitation.sign_in_required is True
    listed = await item(graph, did, plan.id).permissions.get()
    assert listed is not None and listed.value is not None
    people = {p.granted_to_v2.user.id: p.roles for p in listed.value if p.granted_to_v2 and p.granted_to_v2.user}
    assert people == {LIISA_ID: ["owner"], MIKKO_ID: ["read"]}
    assert len(listed.value) == 2 and all(p.link is None for p in listed.value)
    shared = await item(graph, did, plan.id).get()
    assert shared is not None and shared.shared is not None and shared.shared.scope == "users"
    again = await item(graph, did, plan.id).invite.post(body)  # the same person keeps one permission
    assert again is not None and again.value is not None and again.value[0].id == permission.id


async def test_links_show_in_permissions_with_scope(graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    did = await drive_id(graph)
    plan = await upload_plan(graph, did)
    assert plan.id is not None and plan.parent_reference is not None
    folder_id = plan.parent_reference.id
    assert folder_id is not None
    anonymous = await item(graph, did, plan.id).create_link.post(
        CreateLinkPostRequestBody(type="view", scope="anonymous")
    )
    assert anonymous is not None and anonymous.link is not None
    assert anonymous.link.scope == "anonymous" and anonymous.roles == ["read"]
    assert anonymous.link.web_url is not None and "/:b:/g/personal/" in anonymous.link.web_url
    same = await item(graph, did, plan.id).create_link.post(CreateLinkPostRequestBody(type="view", scope="anonymous"))
    assert same is not None and same.id == anonymous.id
    organisation = await item(graph, did, folder_id).create_link.post(CreateLinkPostRequestBody(type="edit"))
    assert organisation is not None and organisation.link is not None and organisation.link.scope == "organization"

    listed = (await http.get(f"/v1.0/drives/{did}/items/{plan.id}/permissions")).json()["value"]
    links = {p["link"]["scope"]: p for p in listed if "link" in p}
    assert set(links) == {"anonymous", "organization"}
    assert "inheritedFrom" not in links["anonymous"]
    assert links["organization"]["inheritedFrom"]["id"] == folder_id
    assert links["organization"]["roles"] == ["write"]
    assert (await item(graph, did, plan.id).get()).shared.scope == "anonymous"  # type: ignore[union-attr]

    permissions = f"/v1.0/drives/{did}/items/{plan.id}/permissions"
    assert (await http.delete(f"{permissions}/{organisation.id}")).status_code == 400  # inherited
    owner = next(p for p in listed if p["roles"] == ["owner"])
    assert (await http.delete(f"{permissions}/{owner['id']}")).status_code == 403
    assert (await http.delete(f"{permissions}/{anonymous.id}")).status_code == 204
    await item(graph, did, folder_id).permissions.by_permission_id(organisation.id or "").delete()
    remaining = await item(graph, did, plan.id).permissions.get()
    assert remaining is not None and [p.roles for p in remaining.value or []] == [["owner"]]
    bad = await http.post(f"{permissions.rsplit('/', 1)[0]}/createLink", json={"type": "embed"})
    assert bad.status_code == 400


async def test_item_by_path_with_finnish_letters_and_spaces(graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    did = await drive_id(graph)
    plan = await upload_plan(graph, did)
    upn = mail("liisa.lahinen")
    for path in (
        f"/v1.0/users/{upn}/drive/root:/{FOLDER}/{PLAN}",
        f"/v1.0/users/{LIISA_ID}/drive/root:/{FOLDER}/{PLAN}:",
        f"/v1.0/me/drive/root:/{FOLDER.upper()}/{PLAN}",
        f"/v1.0/drives/{did}/items/{plan.parent_reference.id}:/{PLAN}:",  # type: ignore[union-attr]
    ):
        response = await http.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["id"] == plan.id
    children = (await http.get(f"/v1.0/me/drive/root:/{FOLDER}:/children")).json()
    assert [c["name"] for c in children["value"]] == [PLAN]
    by_sdk = await item(graph, did, f"root:/{FOLDER}:").get()
    assert by_sdk is not None and by_sdk.folder is not None and by_sdk.folder.child_count == 1
    assert by_sdk.size == len(PDF)
    missing = await http.get(f"/v1.0/me/drive/root:/{FOLDER}/puuttuu.pdf")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "itemNotFound"
    await item(graph, did, f"root:/{FOLDER}:").delete()
    assert (await http.get(f"/v1.0/drives/{did}/items/{plan.id}")).status_code == 404


async def test_restart_keeps_files_and_permissions(
    start: StartSandbox, graph_for: GraphFactory, tmp_path: Path
) -> None:
    db = tmp_path / "drive.db"
    first = await start(db)
    graph = graph_for(first.base_url)
    did = await drive_id(graph)
    plan = await upload_plan(graph, did)
    assert plan.id is not None
    await item(graph, did, plan.id).invite.post(
        InvitePostRequestBody(recipients=[DriveRecipient(email=mail("mikko.miettinen"))], roles=["write"])
    )
    await first.close()
    second = await start(db)
    graph = graph_for(second.base_url)
    again = await item(graph, did, f"root:/{FOLDER}/{PLAN}:").get()
    assert again is not None and again.id == plan.id and again.e_tag == plan.e_tag
    assert await item(graph, did, plan.id).content.get() == PDF
    permissions = await item(graph, did, plan.id).permissions.get()
    assert permissions is not None and [p.roles for p in permissions.value or []] == [["owner"], ["write"]]


async def test_upload_url_is_faulted_like_graph(graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    did = await drive_id(graph)
    session = await item(graph, did, "root:/f.pdf:").create_upload_session.post(CreateUploadSessionPostRequestBody())
    assert session is not None and session.upload_url is not None
    await http.put("/_admin/faults", json={"p503": 1.0})
    faulted = await http.put(session.upload_url, content=b"abc", headers={"Content-Range": "bytes 0-2/3"})
    assert faulted.status_code == 503 and faulted.json()["error"]["code"] == "ServiceUnavailable"
    assert (await http.get("/_admin/health")).status_code == 200
    await http.put("/_admin/faults", json={"p503": 0.0})
    done = await http.put(session.upload_url, content=b"abc", headers={"Content-Range": "bytes 0-2/3"})
    assert done.status_code == 201 and done.json()["name"] == "f.pdf"
    assert (await http.get("/_admin/requests")).json()["faults"] == {"503": 1}
