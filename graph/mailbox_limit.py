"""At most 4 requests under way at once per mailbox, as Outlook allows one app.

Microsoft Graph's throttling guidance (Outlook service limits): an app may have 4 concurrent requests against
one mailbox's mail and calendar; a fifth is answered 429 "Application is over its MailboxConcurrency limit.".
The bot sends requests at once where it can (a search's getSchedule chunks, the questions mailed to several
people); this transport, under all the middleware, lets a fifth one to the same mailbox wait for a free
place instead of being throttled. Other resources (OneDrive, the directory) are not held back.
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote
from weakref import WeakValueDictionary

import httpx

#: Requests one app may have under way at once against one mailbox (Outlook service limits).
MAILBOX_CONCURRENCY = 4
#: The first path segment under ``/users/{user}`` that is the mailbox's mail or calendar.
OUTLOOK_SEGMENTS = frozenset({"calendar", "calendars", "calendarView", "calendarGroups", "events", "messages",
                              "mailFolders", "sendMail", "microsoft.graph.sendMail", "mailboxSettings"})


def mailbox_of(url: httpx.URL) -> str | None:
    """The mailbox a request to ``url`` is under way against, or None for other resources."""
    parts = [p for p in url.path.split("/") if p]
    for index, part in enumerate(parts[:-2]):
        if part == "users" and parts[index + 2] in OUTLOOK_SEGMENTS:
            return unquote(parts[index + 1]).strip().lower()
    return None


class MailboxLimitedTransport(httpx.AsyncBaseTransport):
    """Wraps the transport that sends: per mailbox, at most ``limit`` requests under way."""

    def __init__(self, inner: httpx.AsyncBaseTransport, limit: int = MAILBOX_CONCURRENCY) -> None:
        self._inner = inner
        self._limit = limit
        # An entry lives while a request holds or waits for it: one per mailbox busy now, not per mailbox ever.
        self._mailboxes: WeakValueDictionary[str, asyncio.Semaphore] = WeakValueDictionary()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Sends ``request`` once its mailbox has a free place."""
        mailbox = mailbox_of(request.url)
        if mailbox is None:
            return await self._inner.handle_async_request(request)
        places = self._mailboxes.get(mailbox)
        if places is None:
            places = self._mailboxes[mailbox] = asyncio.Semaphore(self._limit)
        async with places:
            response = await self._inner.handle_async_request(request)
            # The place is held until the answer is in: Exchange counts the request until it has answered.
            await response.aread()
            return response

    async def aclose(self) -> None:
        """Closes the wrapped transport."""
        await self._inner.aclose()
