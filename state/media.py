"""Images for cards (the star picture) and downloads (the statistics' CSV) on the document store, each under
an unguessable token that expires.

Teams shows card images only from a URL. The URL carries a random token (never a
record id); the picture is kept in the state store until it expires; there is no
listing. The bot serves them (bot.media); an unknown or expired token is a plain 404 there.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from state.document_store import DocumentStore

_COLLECTION = "media"
TOKEN_BYTES = 24
#: Downloads served besides pictures (the statistics' CSV).
DOWNLOAD_EXTENSIONS = frozenset({"csv"})


class MediaStore:
    """PNG pictures by token, each with an expiry."""

    def __init__(self, documents: DocumentStore, public_base_url: str, clock: Callable[[], datetime],
                 lifetime: timedelta = timedelta(hours=12)) -> None:
        self._docs = documents
        self._base = public_base_url.rstrip("/")
        self._clock = clock
        self._lifetime = lifetime

    async def publish(self, png: bytes) -> str:
        """Stores the picture and returns its URL."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = (self._clock() + self._lifetime).timestamp()
        body = json.dumps({"png": base64.b64encode(png).decode("ascii"), "expires": expires})
        await self._docs.put(_COLLECTION, token, body, if_match=None, due=expires)
        return f"{self._base}/media/{token}.png"

    async def fetch(self, token: str) -> bytes | None:
        """The picture if the token is known and not expired."""
        doc = await self._docs.get(_COLLECTION, token)
        if doc is None:
            return None
        data = json.loads(doc.body)
        if float(data["expires"]) <= self._clock().timestamp():
            return None
        return base64.b64decode(data["png"]) if "png" in data else None

    async def publish_download(self, content: bytes, *, extension: str, content_type: str, filename: str) -> str:
        """Stores a download (the statistics' CSV) like a picture; its URL ends in ``.<extension>``."""
        if extension not in DOWNLOAD_EXTENSIONS or not filename.replace("-", "").replace(".", "").isalnum() \
                or not filename.isascii():
            raise ValueError("unsupported download type or file name")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = (self._clock() + self._lifetime).timestamp()
        body = json.dumps({"data": base64.b64encode(content).decode("ascii"), "ext": extension,
                           "type": content_type, "filename": filename, "expires": expires})
        await self._docs.put(_COLLECTION, token, body, if_match=None, due=expires)
        return f"{self._base}/media/{token}.{extension}"

    async def fetch_download(self, token: str, extension: str) -> tuple[bytes, str, str] | None:
        """(content, content type, file name) if the token is a known, unexpired download of that type."""
        doc = await self._docs.get(_COLLECTION, token)
        if doc is None:
            return None
        data = json.loads(doc.body)
        if data.get("ext") != extension or float(data["expires"]) <= self._clock().timestamp():
            return None
        return base64.b64decode(data["data"]), str(data["type"]), str(data["filename"])

    async def purge(self) -> int:
        """Deletes expired pictures; returns how many."""
        expired = await self._docs.due_before(_COLLECTION, self._clock().timestamp())
        for key, _ in expired:
            await self._docs.delete(_COLLECTION, key)
        return len(expired)
