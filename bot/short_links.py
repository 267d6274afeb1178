"""Serving the family's short Teams links: ``GET /t/{token}`` → 302 to the meeting's join URL (state.short_links)."""

from __future__ import annotations

from html import escape

from aiohttp import web

from bot.paths import SHORT_LINK
from i18n.messages import t
from state.short_links import ShortLinkStore

#: The page a cancelled meeting's link shows: the family may read any of the three languages.
_LANGS = ("fi", "sv", "en")


def short_link_route(links: ShortLinkStore) -> web.RouteDef:
    """``GET /t/{token}``: a redirect to the join URL; a short page saying the meeting was cancelled (410) for
    a withdrawn link; a plain 404 for an unknown or expired token."""

    async def redirect(request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        url = await links.resolve(token)
        if url is None and await links.withdrawn(token):
            return web.Response(status=410, text=_cancelled_page(), content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"})
        if url is None:
            raise web.HTTPNotFound
        # The Location as Graph gave it (aiohttp's HTTPFound would re-encode it: "%40" becomes "@"). Not cached:
        # the link stops working when it expires, and the meeting may move.
        return web.Response(status=302, headers={"Location": url, "Cache-Control": "private, no-store",
                                                 "Referrer-Policy": "no-referrer"})

    return web.get(SHORT_LINK, redirect)


def _cancelled_page() -> str:
    """A page a phone shows readably: the meeting was cancelled, and whom to ask, in Finnish, Swedish, English."""
    paragraphs = "".join(f'<p lang="{lang}">{escape(t("link.cancelled", lang))}</p>' for lang in _LANGS)
    return ('<!doctype html><html lang="fi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(t('link.cancelled_title', 'fi'))}</title>"
            "<style>body{font:18px/1.5 system-ui,sans-serif;margin:1.5em;max-width:36em;color:#1a1a1a}</style>"
            f"</head><body>{paragraphs}</body></html>")
