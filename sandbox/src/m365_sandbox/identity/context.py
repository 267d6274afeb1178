"""The identity area's application key: the running app's :class:`TokenService`."""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.identity.tokens import TokenService

TOKENS = web.AppKey("sandbox.tokens", TokenService)
