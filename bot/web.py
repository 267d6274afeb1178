"""The aiohttp application: /api/messages (Bot Framework), /healthz, media and the availability page."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import start_agent_process

from bot.activity_body import activity_json, not_an_activity, service_url
from bot.bootstrap import Bot
from bot.channel_auth import channel_auth_middleware
from bot.media import media_route
from bot.question_page import question_routes
from bot.safe_logging import install_server_redaction
from bot.scheduler import running
from bot.short_links import short_link_route
from bot.tenant_guard import tenant_guard_middleware

BOT_KEY = web.AppKey("bot", Bot)
_OBJECT_ID = re.compile(r"[0-9A-Fa-f-]{1,64}")


async def _messages(request: web.Request) -> web.StreamResponse:
    bot = request.app[BOT_KEY]
    if not await _answerable(request):
        return not_an_activity()
    response = await start_agent_process(request, bot.agent, bot.adapter)
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
        json.dumps(body, ensure_ascii=False).encode()  # a lone surrogate ("\ud800") fails wherever it is stored
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


def create_web_app(bot: Bot, *, run_scheduler: bool = True) -> web.Application:
    """The web app; /api/messages admits valid Bot Framework tokens only (anonymous only without an app id),
    then only activities of ``YA_ALLOWED_TENANTS`` (when set), before the SDK's adapter sees them.

    ``run_scheduler`` starts the background ticks (start notices, time warnings,
    reminders, retention); tests drive ``bot.scheduler.tick()`` themselves instead.
    """
    install_server_redaction()  # aiohttp's own 400s (an over-long header) would log the request's bytes
    messages = web.Application(middlewares=[channel_auth_middleware(bot.settings),
                                            tenant_guard_middleware(bot.settings.allowed_tenants)])
    messages.router.add_post("/messages", _messages)
    app = web.Application()
    app[BOT_KEY] = bot
    messages[BOT_KEY] = bot
    app.router.add_get("/healthz", _health)
    app.router.add_routes([media_route(bot.media)])
    if bot.short_links is not None:
        app.router.add_routes([short_link_route(bot.short_links)])
    # The page where people whose calendars cannot be read answer the e-mailed question (no Teams token).
    if bot.questions is not None:
        app.router.add_routes(question_routes(bot.questions))
    # Graph's change notifications: outside /api, whose Bot Framework token check would refuse Graph.
    app.router.add_routes(bot.webhook.routes())
    app.add_subapp("/api", messages)

    async def _background(_: web.Application) -> AsyncIterator[None]:
        async with running(bot.scheduler):
            yield

    async def _close(_: web.Application) -> None:
        await bot.close()

    if run_scheduler:
        app.cleanup_ctx.append(_background)
    app.on_cleanup.append(_close)
    return app
