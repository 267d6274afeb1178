"""The drive area's application keys: the running app's drives and sharing."""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.drive.service import DriveService
from m365_sandbox.drive.sharing import SharingService

DRIVES = web.AppKey("sandbox.drives", DriveService)
SHARING = web.AppKey("sandbox.sharing", SharingService)
