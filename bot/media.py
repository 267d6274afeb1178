"""Serving card images and downloads: ``GET /media/{token}.png`` (and ``.csv``), from state.media.

Teams shows card images only from a URL; the token in it is random and expires (state.media.MediaStore).
There is no listing, and an unknown or expired token is a plain 404.
"""

from __future__ import annotations

from aiohttp import web

from bot.paths import MEDIA
from state.media import MediaStore


def media_route(media: MediaStore) -> web.RouteDef:
    """``GET /media/{token}.png`` (and ``.csv``, the statistics' download)."""

    async def serve(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if len(token) > 64 or not token.replace("-", "").replace("_", "").isalnum():
            raise web.HTTPNotFound
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        extension = request.match_info["ext"]
        if extension != "png":
            found = await media.fetch_download(token, extension)
            if found is None:
                raise web.HTTPNotFound
            content, content_type, filename = found
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
            return web.Response(body=content, headers={**headers, "Content-Type": content_type})
        png = await media.fetch(token)
        if png is None:
            raise web.HTTPNotFound
        return web.Response(body=png, content_type="image/png", headers=headers)

    return web.get(MEDIA, serve)
