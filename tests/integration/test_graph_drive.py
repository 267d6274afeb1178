"""The Drive adapter against the sandbox over HTTP: uploads by path (simple, ranged) that make the folder; sharing."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from graph.client import GraphClientHolder, GraphSettings
from graph.drive import GraphDrive
from m365_sandbox.runner import start_sandbox
from tests.integration.conftest import TENANT

OWNER = "hanna.heikkinen@esimerkkila.onmicrosoft.com"


async def test_upload_and_share_only_with_named_people(tmp_path: Path) -> None:
    async with await start_sandbox(TENANT, tmp_path / "sb.db") as sandbox:
        holder = GraphClientHolder(GraphSettings(sandbox.base_url), None)
        try:
            drive = GraphDrive(holder.client, holder.http)
            folder = "Yhdessä aika"  # made by the first upload, found by the others
            small = await drive.upload(OWNER, folder, "2026-12-03 Yhdessä aika PK.pdf", b"%PDF-1.4 small")
            again = await drive.upload(OWNER, folder, "2026-12-03 Yhdessä aika PK.pdf", b"%PDF-1.4 other")
            assert again.id != small.id and again.name != small.name, "an existing name is renamed, not overwritten"
            big_content = bytes(range(256)) * 20_000  # 5 MB: through an upload session
            big = await drive.upload(OWNER, folder, "iso.docx", big_content)
            await drive.share(OWNER, small.id, ["mikko.miettinen@esimerkkila.onmicrosoft.com"], "Suunnitelma")
            async with aiohttp.ClientSession() as session:
                base = f"{sandbox.base_url}/users/{OWNER}/drive/items"
                async with session.get(f"{base}/{big.id}/content") as resp:
                    assert await resp.read() == big_content
                async with session.get(f"{base}/{small.id}/permissions") as resp:
                    permissions = (await resp.json())["value"]
            granted = [p for p in permissions if "owner" not in p.get("roles", [])]
            assert len(granted) == 1
            assert granted[0]["roles"] == ["read"]
            assert "link" not in granted[0], "never an anonymous or organisation-wide link"
            user = (granted[0].get("grantedToV2") or granted[0].get("grantedTo") or {}).get("user", {})
            assert "mikko" in str(user).lower()
        finally:
            await holder.close()
