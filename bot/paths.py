"""The bot's own URL paths besides /api/messages and /healthz.

Named in one cheap module because the web app registers them before the handlers behind them are loaded
(``bot.web``: the port opens first, the cards, Graph and services load after).
"""

from __future__ import annotations

from state.short_links import PATH as SHORT_LINK_PREFIX

#: Card images and the statistics' download (bot.media).
MEDIA = "/media/{token}.{ext:png|csv}"
#: The family's short Teams links (bot.short_links).
SHORT_LINK = SHORT_LINK_PREFIX + "/{token}"
#: The page where people whose calendars cannot be read answer the e-mailed question (bot.question_page).
QUESTION_PREFIX = "/saatavuus"
QUESTION = QUESTION_PREFIX + "/{token}"
#: Graph's change notifications: outside /api, whose Bot Framework token check would refuse Graph.
NOTIFICATIONS = "/api/graph/notifications"
LIFECYCLE = "/api/graph/lifecycle"

#: Every (method, path) the loaded bot serves, in the order they are registered.
LATER_ROUTES: tuple[tuple[str, str], ...] = (
    ("GET", MEDIA), ("GET", SHORT_LINK), ("GET", QUESTION), ("POST", QUESTION),
    ("POST", NOTIFICATIONS), ("POST", LIFECYCLE))
