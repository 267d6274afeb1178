"""The family's short links to a Teams meeting (``/t/{token}``) on the document store.

A Teams join URL is some 330 characters: too long for a text message a family reads on a phone. The bot
does not ask a third-party shortener (the link must not leave our systems); it keeps ``token → join URL``
here and redirects (bot.short_links). The token is random, never a record id; the link expires after the
meeting; there is no listing, and an unknown or expired token is a plain 404. A cancelled meeting's link is
withdrawn: it no longer leads to the meeting, and says so until it would have expired.
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Callable
from datetime import datetime
from typing import Any

from state.document_store import DocumentStore

_COLLECTION = "short_link"
_ALPHABET = string.ascii_letters + string.digits
#: 11 letters or digits: about 65 random bits, short enough to type from a printed invitation.
TOKEN_LENGTH = 11
PATH = "/t"


def is_token(value: str) -> bool:
    """Whether ``value`` could be a token at all (checked before the store is asked)."""
    return len(value) == TOKEN_LENGTH and all(c in _ALPHABET for c in value)


class ShortLinkStore:
    """Join URLs by short token, each with an expiry (the ShortLinks port)."""

    def __init__(self, documents: DocumentStore, public_base_url: str, clock: Callable[[], datetime]) -> None:
        self._docs = documents
        self._base = public_base_url.rstrip("/")
        self._clock = clock

    async def publish(self, url: str, expires: datetime, *, reuse: str | None = None) -> str:
        """Stores ``url`` until ``expires`` and returns the short link; ``reuse`` (a link this store made)
        keeps the family's link the same when the meeting moves, with the new expiry."""
        token = reuse.rsplit("/", 1)[-1] if reuse else "".join(secrets.choice(_ALPHABET) for _ in range(TOKEN_LENGTH))
        if not is_token(token):
            raise ValueError("not a short link of this bot")
        body = json.dumps({"url": url, "expires": expires.timestamp()})
        await self._docs.put(_COLLECTION, token, body, if_match="*" if reuse else None, due=expires.timestamp())
        return f"{self._base}{PATH}/{token}"

    async def resolve(self, token: str) -> str | None:
        """The URL behind ``token`` if it is known and not expired."""
        data = await self._live(token)
        return None if data is None or data["url"] is None else str(data["url"])

    async def withdraw(self, link: str) -> None:
        """Stops ``link`` (one this store made) from leading to its meeting: the meeting was cancelled. Until the
        link would have expired it says so (``withdrawn``); an unknown or already expired link is left alone."""
        token = link.rsplit("/", 1)[-1]
        if not is_token(token):
            return
        doc = await self._docs.get(_COLLECTION, token)
        if doc is None:
            return
        expires = float(json.loads(doc.body)["expires"])
        await self._docs.put(_COLLECTION, token, json.dumps({"url": None, "expires": expires}), if_match="*",
                             due=expires)

    async def withdrawn(self, token: str) -> bool:
        """Whether ``token`` is the link of a cancelled meeting that would still be valid otherwise."""
        data = await self._live(token)
        return data is not None and data["url"] is None

    async def _live(self, token: str) -> dict[str, Any] | None:
        """What is kept for ``token`` (its URL, None once withdrawn), unless unknown or expired."""
        if not is_token(token):
            return None
        doc = await self._docs.get(_COLLECTION, token)
        if doc is None:
            return None
        data: dict[str, Any] = json.loads(doc.body)
        return data if float(data["expires"]) > self._clock().timestamp() else None

    async def purge(self) -> int:
        """Deletes expired links; returns how many."""
        expired = await self._docs.due_before(_COLLECTION, self._clock().timestamp())
        for key, _ in expired:
            await self._docs.delete(_COLLECTION, key)
        return len(expired)
