"""The aiohttp application: /api/messages (Bot Framework) and /healthz."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator

from aiohttp import web
from microsoft_agents.hosting.aiohttp import jwt_authorization_middleware, start_agent_process

from bot.bootstrap import Bot
from bot.scheduler import running

BOT_KEY = web.AppKey("bot", Bot)


async def _messages(request: web.Request) -> web.StreamResponse:
    bot = request.app[BOT_KEY]
    response = await start_agent_process(request, bot.agent, bot.adapter)
    return response or web.Response(status=202)


async def _health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_web_app(bot: Bot, *, run_scheduler: bool = True) -> web.Application:
    """The web app; the JWT middleware guards /api/messages (anonymous only without an app id).

    ``run_scheduler`` starts the background ticks (start notices, time warnings,
    reminders, retention); tests drive ``bot.scheduler.tick()`` themselves instead.
    """
    messages = web.Application(middlewares=[jwt_authorization_middleware])
    with warnings.catch_warnings():
        # The SDK's middleware looks the configuration up by this plain string key.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        messages["agent_configuration"] = bot.auth_config
    messages.router.add_post("/messages", _messages)
    app = web.Application()
    app[BOT_KEY] = bot
    messages[BOT_KEY] = bot
    app.router.add_get("/healthz", _health)
    app.router.add_routes([bot.media.route()])
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
