"""The subscriptions area's application keys: the running app's subscriptions and notifier."""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.subscriptions.notifications import Notifier
from m365_sandbox.subscriptions.service import SubscriptionService

SUBSCRIPTIONS = web.AppKey("sandbox.subscriptions", SubscriptionService)
NOTIFIER = web.AppKey("sandbox.notifier", Notifier)
