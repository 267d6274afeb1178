"""Serving the family's short Teams links: ``GET /t/{token}`` → 302 to the meeting's join URL (state.short_links)."""

from __future__ import annotations

from aiohttp import web

from state.short_links import PATH, ShortLinkStore


def short_link_route(links: ShortLinkStore) -> web.RouteDef:
    """``GET /t/{token}``: a redirect to the join URL, or a plain 404 for an unknown or expired token."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        url = await links.resolve(request.match_info["token"])
        if url is None:
            raise web.HTTPNotFound
        # The Location as Graph gave it (aiohttp's HTTPFound would re-encode it: "%40" becomes "@"). Not cached:
        # the link stops working when it expires, and the meeting may move.
        return web.Response(status=302, headers={"Location": url, "Cache-Control": "private, no-store",
                                                 "Referrer-Policy": "no-referrer"})

    return web.get(PATH + "/{token}", redirect)
