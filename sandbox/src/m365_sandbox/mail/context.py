"""The mail area's application key: the running app's :class:`MailService`."""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.mail.service import MailService

MAIL = web.AppKey("sandbox.mail", MailService)


def mail_service(request: web.Request) -> MailService:
    """The mail service of the running app."""
    return request.app[MAIL]
