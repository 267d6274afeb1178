"""The Drive adapter against recorded Graph answers: uploads by path (the plan folder made by the upload, no
lookups first), small and ranged, that never leave a duplicate, and sharing with named people only (``invite``,
sign-in required, read, all at once), never a link."""

from __future__ import annotations

from typing import Any

import pytest

from graph.drive import CHUNK, SIMPLE_UPLOAD_LIMIT, GraphDrive
from services.ports import StoredFile
from tests.graph.recorded import (
    DROP,
    RecordedGraph,
    Reply,
    Seen,
    Waits,
    connected,
    failure,
    ok,
    recorded,
    service_error,
    status_and_code,
)

T = "esimerkkila.onmicrosoft.com"
OWNER = f"mikko.miettinen@{T}"
FOLDER = "Yhdessä aika"
PDF = "2027-04-01 Yhdessä aika PK.pdf"
DOCX = "2027-04-01 Yhdessä aika PK.docx"
PDF_BYTES = b"%PDF-1.7 plan."
DRIVE: dict[str, Reply] = {}  # no drive lookup: every request names the drive by its owner
PUT_FILE = "PUT /users/{user}/drive/root:/{folder}/{name}:/content"
GET_FILE = "GET /users/{user}/drive/root:/{folder}/{name}:"
GET_CONTENT = "GET /users/{user}/drive/items/{item}/content"
DOWNLOAD = "GET https://esimerkkila-my.sharepoint.com/personal/{site}/_layouts/15/download.aspx"
SESSION = "POST /users/{user}/drive/root:/{folder}/{name}:/createUploadSession"
UPLOAD_URL = recorded("upload_session")["uploadUrl"]
RANGES = ("PUT https://esimerkkila-my.sharepoint.com/personal/{site}/_api/v2.0/drives/{drive}/items/{item}"
          "/uploadSession")
INVITE = "POST /users/{user}/drive/items/{item}/invite"


def _file(name: str, **changes: Any) -> Reply:
    """A recorded driveItem answer (201 Created) with some fields changed."""
    return Reply(201, {**recorded(name), **changes})


async def test_a_small_file_is_put_failing_on_a_name_conflict() -> None:
    graph = RecordedGraph({**DRIVE, PUT_FILE: ok("file_uploaded", 201)})

    async with connected(graph) as holder:
        stored = await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, PDF, PDF_BYTES)

    uploaded = recorded("file_uploaded")
    assert stored == StoredFile(uploaded["id"], PDF, uploaded["webUrl"])
    [put] = graph.requests(PUT_FILE)
    assert put.path == f"/users/{OWNER}/drive/root:/{FOLDER}/{PDF}:/content"
    assert put.query == {"@microsoft.graph.conflictBehavior": "fail"}
    assert put.content == PDF_BYTES
    assert graph.seen == [put], "one round trip: no drive or folder looked up first (the upload makes the folder)"


def _same_file_routes(stored: bytes) -> dict[str, Any]:
    """A PUT that conflicts with an existing file holding ``stored``; its content is downloaded as Graph serves
    it: a 302 to a pre-authenticated URL. A second PUT (``rename``) answers with the renamed file."""
    existing = recorded("file_uploaded")
    return {**DRIVE,
            PUT_FILE: [failure(409, "error_name_exists"), _file("file_renamed")],
            GET_FILE: Reply(200, {**existing, "size": len(stored)}),
            GET_CONTENT: Reply(302, headers={"Location": existing["@microsoft.graph.downloadUrl"]}),
            DOWNLOAD: Reply(200, stored, {"Content-Type": "application/pdf"})}


async def test_a_retried_upload_finds_its_own_earlier_file_instead_of_making_a_copy() -> None:
    graph = RecordedGraph(_same_file_routes(PDF_BYTES))

    async with connected(graph) as holder:
        stored = await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, PDF, PDF_BYTES)

    assert stored.id == recorded("file_uploaded")["id"] and stored.name == PDF
    assert [s.route for s in graph.seen] == [PUT_FILE, GET_FILE, GET_CONTENT, DOWNLOAD]
    assert graph.seen[1].path == f"/users/{OWNER}/drive/root:/{FOLDER}/{PDF}:"


async def test_another_file_with_the_same_name_is_kept_and_the_plan_gets_a_new_name() -> None:
    graph = RecordedGraph(_same_file_routes(b"%PDF-1.7 another family's plan"))

    async with connected(graph) as holder:
        stored = await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, PDF, PDF_BYTES)

    assert stored.name == "2027-04-01 Yhdessä aika PK 1.pdf"
    assert [p.query["@microsoft.graph.conflictBehavior"] for p in graph.requests(PUT_FILE)] == ["fail", "rename"]
    assert all(p.content == PDF_BYTES for p in graph.requests(PUT_FILE))


async def test_a_renaming_upload_is_not_repeated_after_a_dropped_connection() -> None:
    routes = _same_file_routes(b"%PDF-1.7 another family's plan")
    graph = RecordedGraph({**routes, PUT_FILE: [failure(409, "error_name_exists"), DROP]})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, PDF, PDF_BYTES)

    assert status_and_code(caught.value) == (None, "ConnectError")
    assert len(graph.requests(PUT_FILE)) == 2, "the rename PUT is sent once: a second could leave two copies"


async def test_a_large_file_goes_in_320_kib_multiple_ranges_to_the_pre_authenticated_url() -> None:
    content = bytes(range(256)) * 20_000  # 5 120 000 bytes: over the 4 MiB simple upload
    assert len(content) > SIMPLE_UPLOAD_LIMIT and CHUNK % (320 * 1024) == 0
    graph = RecordedGraph({**DRIVE, SESSION: ok("upload_session"),
                           RANGES: [Reply(202, recorded("upload_range_accepted")), ok("upload_completed", 201)]})

    async with connected(graph) as holder:
        stored = await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, DOCX, content)

    completed = recorded("upload_completed")
    assert stored == StoredFile(completed["id"], DOCX, completed["webUrl"])
    [session] = graph.requests(SESSION)
    assert session.path == f"/users/{OWNER}/drive/root:/{FOLDER}/{DOCX}:/createUploadSession"
    item = session.json()["item"]
    assert (item["name"], item["@microsoft.graph.conflictBehavior"]) == (DOCX, "rename")
    ranges = graph.requests(RANGES)
    assert [r.headers["Content-Range"] for r in ranges] == [
        f"bytes 0-{CHUNK - 1}/{len(content)}", f"bytes {CHUNK}-{len(content) - 1}/{len(content)}"]
    assert b"".join(r.content for r in ranges) == content
    assert all(r.query["tempauth"] == "v1.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTBmZjEtY2UwMC0wMDAwMDAwMDAwMDAifQ.y"
               and "Authorization" not in r.headers for r in ranges)


async def test_a_failed_range_stops_the_upload_with_a_graph_failure() -> None:
    content = bytes(SIMPLE_UPLOAD_LIMIT + 10)
    graph = RecordedGraph({**DRIVE, SESSION: ok("upload_session"),
                           RANGES: failure(416, "error_invalid_range")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, DOCX, content)

    assert status_and_code(caught.value) == (416, "uploadRange")
    assert len(graph.requests(RANGES)) == 1


async def test_sharing_invites_each_named_person_to_read_after_signing_in() -> None:
    item = recorded("file_uploaded")["id"]
    graph = RecordedGraph({**DRIVE, INVITE: ok("invite")})
    people = [f"hanna.heikkinen@{T}", f"liisa.lahinen@{T}"]

    async with connected(graph) as holder:
        failed = await GraphDrive(holder.client, holder.http).share(OWNER, item, people, "Yhteinen suunnitelma")

    assert failed == ()
    invites = graph.requests(INVITE)
    assert [i.path for i in invites] == [f"/users/{OWNER}/drive/items/{item}/invite"] * 2
    assert sorted(str(i.json()["recipients"]) for i in invites) == sorted(str([{"email": p}]) for p in people)
    for invite in invites:
        body = invite.json()
        assert (body["requireSignIn"], body["sendInvitation"], body["roles"]) == (True, True, ["read"])
        assert body["message"] == "Yhteinen suunnitelma"
        assert not {"expirationDateTime", "password"} & set(body), "no link-style options"
    # Only invite was asked: an unrecorded call (createLink, permissions) would fail the test.
    assert {s.route for s in graph.seen} == {INVITE}


async def test_a_refused_invite_is_reported_for_that_person_only() -> None:
    item = recorded("file_uploaded")["id"]
    people = [f"hanna.heikkinen@{T}", f"ulkopuolinen@{T}", f"liisa.lahinen@{T}"]

    def answer(seen: Seen) -> Reply:
        """Graph refuses the outsider (the invites go at once, so by address, not by order)."""
        refused = seen.json()["recipients"] == [{"email": people[1]}]
        return failure(403, "error_drive_access_denied") if refused else ok("invite")

    graph = RecordedGraph({**DRIVE, INVITE: answer})

    async with connected(graph) as holder:
        failed = await GraphDrive(holder.client, holder.http).share(OWNER, item, people, "Suunnitelma")

    assert failed == (f"ulkopuolinen@{T}",)
    assert len(graph.requests(INVITE)) == 3, "one invite per person, the refusal not repeated"


async def test_sharing_with_nobody_asks_graph_nothing() -> None:
    graph = RecordedGraph({})

    async with connected(graph) as holder:
        assert await GraphDrive(holder.client, holder.http).share(OWNER, "x", [], "Suunnitelma") == ()

    assert graph.seen == []


async def test_a_throttled_small_upload_waits_and_is_sent_again(waits: Waits) -> None:
    # Kiota alone never retries an application/octet-stream body; graph.client.BoundedRetryHandler does for
    # bytes in memory, so the file upload is throttled like every other request.
    graph = RecordedGraph({**DRIVE, PUT_FILE: [failure(429, "error_throttled", Retry_After="2"),
                                               ok("file_uploaded", 201)]})

    async with connected(graph) as holder:
        stored = await GraphDrive(holder.client, holder.http).upload(OWNER, FOLDER, PDF, PDF_BYTES)

    assert stored.id == recorded("file_uploaded")["id"]
    assert waits.seconds == [2.0]
