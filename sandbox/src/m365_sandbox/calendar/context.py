"""The calendar area's application key: the running app's :class:`CalendarService`."""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.calendar.service import CalendarService

CALENDAR = web.AppKey("sandbox.service", CalendarService)


def calendar_service(request: web.Request) -> CalendarService:
    """The calendar service of the running app."""
    return request.app[CALENDAR]
