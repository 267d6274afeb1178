"""Outlook's limit on concurrent requests: at most 4 under way at once per app and mailbox.

Microsoft Graph's throttling guidance (Outlook service limits) allows an app 4 concurrent requests against
one mailbox's mail and calendar resources; a fifth is refused with 429 and the error "Application is over its
MailboxConcurrency limit." (``ApplicationThrottled``), with a Retry-After. A request is under way from when it
arrives until its answer is ready, the latency the sandbox adds included, as Exchange's time would be.

The mailbox is the ``/users/{user}`` segment as addressed (lower-cased), or the token's user for ``/me``; the
app is the token's ``appid`` (``azp``), or none without a token.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import unquote

from aiohttp import web

from m365_sandbox.core.context import token_claims

MAILBOX_CONCURRENCY = 4
#: The first path segment under a user that is the mailbox's mail or calendar.
OUTLOOK_SEGMENTS = frozenset({"calendar", "calendars", "calendarView", "calendarGroups", "events", "messages",
                              "mailFolders", "sendMail", "microsoft.graph.sendMail", "mailboxSettings"})
MESSAGE = "Application is over its MailboxConcurrency limit."


def mailbox_key(request: web.Request) -> str | None:
    """"app|mailbox" for a request to a mailbox's mail or calendar, else None."""
    parts = request.path.split("/")[2:]  # after "", "v1.0"
    claims = token_claims(request)
    if len(parts) >= 3 and parts[0] == "users" and parts[2] in OUTLOOK_SEGMENTS:
        mailbox = unquote(parts[1]).strip().lower()
    elif len(parts) >= 2 and parts[0] == "me" and parts[1] in OUTLOOK_SEGMENTS:
        mailbox = f"me:{claims.get('oid', '')}"
    else:
        return None
    app = claims.get("appid") or claims.get("azp") or ""
    return f"{app}|{mailbox}"


class MailboxConcurrency:
    """The requests under way per app and mailbox."""

    def __init__(self, limit: int = MAILBOX_CONCURRENCY) -> None:
        self._limit = limit
        self._under_way: Counter[str] = Counter()
        self.refused = 0

    def admit(self, key: str) -> bool:
        """Counts the request in, or False (and counts nothing) when ``limit`` are under way already."""
        if self._under_way[key] >= self._limit:
            self.refused += 1
            return False
        self._under_way[key] += 1
        return True

    def release(self, key: str) -> None:
        """The admitted request has its answer."""
        self._under_way[key] -= 1
        if self._under_way[key] <= 0:
            del self._under_way[key]


MAILBOXES = web.AppKey("sandbox.mailboxes", MailboxConcurrency)
