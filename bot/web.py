"""The aiohttp application: /api/messages (Bot Framework), /healthz, media, short links, the availability page
and Graph's notifications.

Made from the composition root's first stage (bot.front), so that the port can open before the rest of the bot
is loaded: /api/messages goes to the front's SDK application, the other routes wait for the loaded bot's
handlers (``Bot.routes``, registered here by ``bot.paths.LATER_ROUTES``). This module imports nothing of the
cards, Graph or services (an import-linter contract keeps it so)."""

from __future__ import annotations

import json
import re

from aiohttp import web
from aiohttp.typedefs import Handler
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import start_agent_process

from bot.activity_body import activity_json, not_an_activity, service_url
from bot.channel_auth import channel_auth_middleware
from bot.front import Front
from bot.paths import LATER_ROUTES
from bot.safe_logging import install_server_redaction
from bot.tenant_guard import tenant_guard_middleware

FRONT_KEY = web.AppKey("front", Front)
_OBJECT_ID = re.compile(r"[0-9A-Fa-f-]{1,64}")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


async def _messages(request: web.Request) -> web.StreamResponse:
    front = request.app[FRONT_KEY]
    if not await _answerable(request):
        return not_an_activity()
    response = await start_agent_process(request, front.agent, front.adapter)
    return response or web.Response(status=202)


async def _answerable(request: web.Request) -> bool:
    """Whether the body is an activity with the fields the Bot Framework requires (a turn can run and reply).

    The SDK answers 500 for a body its Activity model refuses, and fails the turn (or answers 500) when
    ``from``, ``recipient``, ``channelId`` or a usable ``serviceUrl`` (absolute http(s), no query or fragment)
    is missing, when a text holds a lone surrogate (valid JSON, not Unicode) or ``from.aadObjectId`` is not an
    object id: 400 here instead.
    """
    body = await activity_json(request)  # not JSON, nested too deep, another charset: None
    if body is None or service_url(body) is None:
        return False
    try:
        if _SURROGATE_ESCAPE.search(await request.read()):
            # A lone surrogate ("\ud800") fails wherever it is stored; only a \u escape can make one (the body
            # decoded as UTF-8), so the whole body is encoded again only when one is there.
            json.dumps(body, ensure_ascii=False).encode()
        activity = Activity.model_validate(body)
    except Exception:  # noqa: BLE001 - nested too deep, or refused by the SDK's model (plain Exception too)
        return False
    sender, recipient, conversation = activity.from_property, activity.recipient, activity.conversation
    return bool(activity.type and activity.channel_id and conversation and conversation.id and sender and sender.id
                and recipient and recipient.id
                # The caller's Entra object id becomes a Graph URL: a GUID, nothing else.
                and (sender.aad_object_id is None or _OBJECT_ID.fullmatch(sender.aad_object_id)))


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _later(front: Front, method: str, path: str) -> Handler:
    """The loaded bot's handler for ``method path``, once it is loaded (its match_info is this route's)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        bot = await front.loaded.get()
        for route in bot.routes:
            if (route.method, route.path) == (method, path):
                return await route.handler(request)
        raise web.HTTPNotFound

    return handle


def create_web_app(front: Front) -> web.Application:
    """The web app; /api/messages admits valid Bot Framework tokens only (anonymous only without an app id),
    then only activities of ``YA_ALLOWED_TENANTS`` (when set), before the SDK's adapter sees them.

    Cleaning it up closes the front and the loaded bot (``Front.close``).
    """
    install_server_redaction()  # aiohttp's own 400s (an over-long header) would log the request's bytes
    messages = web.Application(middlewares=[channel_auth_middleware(front.settings),
                                            tenant_guard_middleware(front.settings.allowed_tenants)])
    messages.router.add_post("/messages", _messages)
    app = web.Application()
    app[FRONT_KEY] = front
    messages[FRONT_KEY] = front
    app.router.add_get("/healthz", _health)
    # Before /api: Graph's change notifications are under /api/graph, outside the Bot Framework token check.
    for method, path in LATER_ROUTES:
        app.router.add_route(method, path, _later(front, method, path))
    app.add_subapp("/api", messages)

    async def _close(_: web.Application) -> None:
        await front.close()

    app.on_cleanup.append(_close)
    return app
