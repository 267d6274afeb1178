"""Openable webUrls: the sandbox plays the SharePoint site that driveItem, drive and link webUrls point to."""

from __future__ import annotations

import html
from urllib.parse import quote

import httpx
from msgraph import GraphServiceClient
from msgraph.generated.drives.item.items.item.create_link.create_link_post_request_body import (
    CreateLinkPostRequestBody,
)
from msgraph.generated.models.drive_item import DriveItem
from sandbox_support import LIISA_ID, StartSandbox

from m365_sandbox.drive.model import link_web_url
from m365_sandbox.runner import RunningSandbox

FOLDER = "Yhdessä aika"
PLAN = "Perhe Virtanen – suunnitelma #1.pdf"
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8 + "Yhteinen suunnitelma – äö".encode()
DOCX = b"PK\x03\x04 not really a docx"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCOUNT = "liisa_lahinen_esimerkkila_onmicrosoft_com"
MEMO = "Muistio & 'tärkeä'.txt"


async def upload(graph: GraphServiceClient, name: str, content: bytes) -> DriveItem:
    """PUT a file into Liisa's ``Yhdessä aika`` through msgraph-sdk, as the bot does."""
    drive = await graph.users.by_user_id(LIISA_ID).drive.get()
    assert drive is not None and drive.id is not None
    builder = graph.drives.by_drive_id(drive.id).items.by_drive_item_id(f"root:/{FOLDER}/{name}:")
    uploaded = await builder.content.put(content)
    assert uploaded is not None and uploaded.web_url is not None
    return uploaded


async def test_pdf_web_url_opens_inline_and_docx_downloads(
    graph: GraphServiceClient, sandbox: RunningSandbox
) -> None:
    plan = await upload(graph, PLAN, PDF)
    expected = f"{sandbox.root_url}/_sharepoint/personal/{ACCOUNT}/Documents/{quote(FOLDER)}/{quote(PLAN)}"
    assert plan.web_url == expected
    async with httpx.AsyncClient() as browser:  # no Authorization, no base URL: just the link
        opened = await browser.get(expected)
        assert opened.status_code == 200
        assert opened.content == PDF
        assert opened.headers["content-type"] == "application/pdf"
        assert opened.headers["content-disposition"].startswith("inline;")
        docx = await upload(graph, "suunnitelma.docx", DOCX)
        fetched = await browser.get(docx.web_url or "")
        assert fetched.content == DOCX and fetched.headers["content-type"] == DOCX_TYPE
        assert fetched.headers["content-disposition"].startswith("attachment;")
        missing = await browser.get(expected.replace("%231", "%232"))
        assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


async def test_folder_and_drive_web_urls_list_their_items(
    graph: GraphServiceClient, http: httpx.AsyncClient
) -> None:
    plan = await upload(graph, PLAN, PDF)
    await upload(graph, MEMO, b"muistio")
    folder = (await http.get(f"/v1.0/users/{LIISA_ID}/drive/root:/{FOLDER}")).json()
    drive = (await http.get(f"/v1.0/users/{LIISA_ID}/drive")).json()
    async with httpx.AsyncClient() as browser:
        listing = await browser.get(folder["webUrl"])
        assert listing.status_code == 200 and listing.headers["content-type"].startswith("text/html")
        assert f'href="{html.escape(plan.web_url or "")}"' in listing.text
        assert html.escape(PLAN) in listing.text and html.escape(MEMO) in listing.text
        root = await browser.get(drive["webUrl"])
        assert f'href="{html.escape(folder["webUrl"])}"' in root.text
        index = await browser.get(drive["webUrl"].split("/personal/")[0] + "/")
        assert drive["webUrl"] in index.text and "Liisa Lähinen" in index.text


async def test_sharing_link_web_urls_open_what_they_share(graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    plan = await upload(graph, PLAN, PDF)
    assert plan.id is not None and plan.parent_reference is not None and plan.parent_reference.drive_id
    items = graph.drives.by_drive_id(plan.parent_reference.drive_id).items
    link = await items.by_drive_item_id(plan.id).create_link.post(
        CreateLinkPostRequestBody(type="view", scope="anonymous")
    )
    assert link is not None and link.link is not None and link.link.web_url is not None
    folder_link = await items.by_drive_item_id(plan.parent_reference.id or "").create_link.post(
        CreateLinkPostRequestBody(type="view", scope="organization")
    )
    assert folder_link is not None and folder_link.link is not None and folder_link.link.web_url is not None
    assert "/_sharepoint/:f:/g/personal/" in folder_link.link.web_url
    async with httpx.AsyncClient() as browser:
        opened = await browser.get(link.link.web_url)
        assert opened.status_code == 200 and opened.content == PDF
        assert opened.headers["content-type"] == "application/pdf"
        assert html.escape(PLAN) in (await browser.get(folder_link.link.web_url)).text
        permissions = f"/v1.0/drives/{plan.parent_reference.drive_id}/items/{plan.id}/permissions"
        assert (await http.delete(f"{permissions}/{link.id}")).status_code == 204
        assert (await browser.get(link.link.web_url)).status_code == 404


async def test_web_urls_follow_the_host_or_the_public_url(start: StartSandbox) -> None:
    sandbox = await start()
    async with httpx.AsyncClient(base_url=sandbox.root_url) as client:
        drive = await client.get(f"/v1.0/users/{LIISA_ID}/drive", headers={"Host": "sandbox.local:8080"})
        assert drive.json()["webUrl"] == f"http://sandbox.local:8080/_sharepoint/personal/{ACCOUNT}/Documents"
    await sandbox.close()
    public = await start(public_url="https://onedrive.example:8443/")
    async with httpx.AsyncClient(base_url=public.root_url) as client:
        drive = await client.get(f"/v1.0/users/{LIISA_ID}/drive")
        assert drive.json()["webUrl"] == f"https://onedrive.example:8443/_sharepoint/personal/{ACCOUNT}/Documents"
        assert drive.json()["@odata.context"].startswith(public.root_url)  # Graph URLs keep the request's


async def test_web_urls_are_never_faulted_or_counted(graph: GraphServiceClient, http: httpx.AsyncClient) -> None:
    plan = await upload(graph, PLAN, PDF)
    assert (await http.put("/_admin/faults", json={"p503": 1.0})).status_code == 200
    await http.delete("/_admin/requests")
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(plan.web_url or "")).content == PDF
    assert (await http.put("/_admin/faults", json={"p503": 0.0})).status_code == 200
    assert (await http.get("/_admin/requests")).json()["total"] == 0


def test_links_stored_by_older_databases_move_to_the_sandbox() -> None:
    stored = "https://esimerkkila-my.sharepoint.com/:b:/g/personal/liisa/Etoken"
    assert link_web_url("http://h:1/_sharepoint", stored) == "http://h:1/_sharepoint/:b:/g/personal/liisa/Etoken"
    assert link_web_url("http://h/_sharepoint", "/:f:/g/personal/x/Eabc") == "http://h/_sharepoint/:f:/g/personal/x/Eabc"
