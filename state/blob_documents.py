"""The document store on Azure Blob Storage: the same contract as SqliteDocuments, for several bot instances.

One block blob per document, named ``{collection}/{base64url(key)}``; the body is the blob's content and the
blob's own ETag is the document's eTag, so every write is a single conditional Put Blob:

* ``if_match=None``  → ``If-None-Match: *`` (create only),
* ``if_match=<eTag>`` → ``If-Match: <eTag>`` (the service refuses the write if anyone wrote in between),
* ``if_match="*"``   → a conditional write against the version just read, repeated if someone wrote meanwhile,
  so that the owner and the creation stamp of the existing document are kept exactly as SQLite keeps them.

Besides the body a blob carries metadata: ``created`` (a creation stamp, kept across overwrites; it orders
``by_owner`` like SQLite's rowid), ``owner`` (a SHA-256 digest of collection and owner, never the owner
itself: owners are e-mail addresses), ``due`` (the exact float) and ``write`` (a random id of the write, which
tells whether a write the SDK retried after a lost response had in fact landed).

Finding documents by owner or due time (``index``):

* ``"tags"`` (default): blob index tags ``o`` (the owner digest) and ``d`` (``{collection}:{due as 19 sortable
  digits}``), set atomically with the content by the same Put Blob, queried with Find Blobs by Tags: one
  equality or one range on a single tag, the efficient query shapes. Costs: Azure updates the tag index
  asynchronously (usually well under a second at this bot's write rate), so a document written a moment ago
  may be missing from a listing for that moment; each hit is then downloaded and checked against its
  metadata, so a stale index entry never yields a wrong answer, only (briefly) a missing one. Tags need the
  ``Storage Blob Data Owner`` role (or a custom role adding ``blobs/tags/read``, ``blobs/tags/write`` and
  ``blobs/filter/action`` to Storage Blob Data Contributor) and are not available with a hierarchical
  namespace (ADLS Gen2).
* ``"listing"``: no tags; List Blobs with metadata over the collection's prefix (5,000 blobs a page), then the
  matching ones downloaded. Strongly consistent and needs only Storage Blob Data Contributor, but its cost
  grows with the size of the collection rather than with the size of the answer.

Nothing here logs; document bodies never leave this module except to the caller and the storage service.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import math
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContentSettings
from azure.storage.blob.aio import BlobClient, BlobServiceClient, ContainerClient

from state.documents import Document, ETagMismatchError

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

IndexMode = Literal["tags", "listing"]

#: Collections become blob-name prefixes and tag values: letters, digits, ``.``, ``_`` and ``-`` only.
_COLLECTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
#: Blob names are at most 1,024 characters.
_MAX_NAME = 1024
#: ``due`` in microseconds is shifted by this so that every supported time is a non-negative 19-digit number.
_DUE_SHIFT = 10**18
_DUE_DIGITS = 19
#: How many blobs a listing downloads at once.
_FETCH_CONCURRENCY = 16
#: How many times an unconditional write re-reads when others keep writing the same document.
_UPSERT_ATTEMPTS = 32
#: How many document versions (eTag, creation stamp, owner) an instance remembers to spare a read before writes.
_VERSION_CACHE = 4096
_CONTENT_TYPE = "application/json; charset=utf-8"


class _AsyncClosable(Protocol):
    """A client or credential with an async ``close``."""

    async def close(self) -> None:
        """Releases its connections."""
        ...


@dataclass(frozen=True)
class _Version:
    """What a write must carry over from the version it replaces."""

    etag: str
    created: str
    owner: str | None


class _ConflictError(Exception):
    """A conditional write was refused (the blob exists, changed or vanished)."""


class BlobDocuments:
    """Documents keyed by (collection, key) as blobs in one container, with eTags, owners and due times.

    ``container``: an ``azure.storage.blob.aio.ContainerClient`` (closed by :meth:`close`); ``resources``:
    further clients or credentials this store owns and closes (for example the service client the container
    client came from). The container is created on first use unless ``create_container`` is False.
    """

    def __init__(self, container: ContainerClient, *, index: IndexMode = "tags", create_container: bool = True,
                 resources: Sequence[_AsyncClosable] = ()) -> None:
        if index not in ("tags", "listing"):
            raise ValueError(f"index must be 'tags' or 'listing', not {index!r}")
        self._container = container
        self._index: IndexMode = index
        self._ready = not create_container
        self._resources = tuple(resources)
        # Per-instance: the versions this instance last read or wrote, so that a read-modify-write costs one
        # GET and one PUT. Safe across instances: a remembered version is only used for a write conditional on
        # its own eTag, which the service refuses if the blob has moved on.
        self._versions: OrderedDict[str, _Version] = OrderedDict()
        self._last_stamp = 0

    @property
    def index(self) -> IndexMode:
        """How owners and due times are found: ``"tags"`` or ``"listing"``."""
        return self._index

    async def close(self) -> None:
        """Closes the container client and the owned clients and credentials."""
        await self._container.close()
        for resource in self._resources:
            await resource.close()

    async def get(self, collection: str, key: str) -> Document | None:
        """The document, or None."""
        await self._ensure_container()
        found = await self._fetch(self._name(collection, key))
        return found[1] if found else None

    async def put(self, collection: str, key: str, body: str, *, if_match: str | None,
                  owner: str | None = None, due: float | None = None) -> str:
        """Writes the document; returns the new eTag.

        ``if_match``: an eTag to require, ``"*"`` for unconditional, None to require
        that the document does not exist yet. Raises ETagMismatchError when the condition fails.
        """
        name = self._name(collection, key)
        owner_id = _owner_digest(collection, owner) if owner is not None else None
        if due is not None:
            _due_digits(due)  # refuses NaN and out-of-range times before anything is written
        data = body.encode("utf-8")
        await self._ensure_container()
        if if_match is None:
            try:
                return await self._write(name, collection, data, self._stamp(), owner_id, due, None)
            except _ConflictError as err:
                raise ETagMismatchError(key) from err
        if if_match == "*":
            return await self._upsert(name, collection, key, data, owner_id, due)
        version = self._remembered(name, if_match) or await self._head(name)
        if version is None or version.etag != if_match:
            raise ETagMismatchError(key)
        try:
            return await self._write(name, collection, data, version.created, owner_id or version.owner, due,
                                     if_match)
        except _ConflictError as err:
            raise ETagMismatchError(key) from err

    async def delete(self, collection: str, key: str) -> None:
        """Removes the document if present."""
        name = self._name(collection, key)
        await self._ensure_container()
        self._versions.pop(name, None)
        try:
            await self._container.get_blob_client(name).delete_blob()
        except ResourceNotFoundError as err:
            if _code(err) != "BlobNotFound":
                raise

    async def due_before(self, collection: str, until: float) -> list[tuple[str, Document]]:
        """(key, document) pairs whose due time is at or before ``until`` (a POSIX timestamp), soonest first."""
        prefix = self._prefix(collection)
        await self._ensure_container()
        if self._index == "tags":
            expression = f"\"d\" >= '{collection}:' AND \"d\" <= '{collection}:{_due_digits(until)}'"
            names = [item.name async for item in self._container.find_blobs_by_tags(expression)
                     if item.name.startswith(prefix)]
        else:
            names = [item.name async for item in self._container.list_blobs(name_starts_with=prefix,
                                                                              include=["metadata"])
                     if _due_at_most(item.metadata, until)]
        found = [f for f in await self._fetch_all(names) if _due_at_most(f[2], until)]
        found.sort(key=lambda f: (float(f[2]["due"]), f[2].get("created", ""), f[0]))
        return [(_key(prefix, name), doc) for name, doc, _ in found]

    async def by_owner(self, collection: str, owner: str) -> list[Document]:
        """Documents of ``owner``, in the order they were created (the newest last)."""
        prefix = self._prefix(collection)
        owner_id = _owner_digest(collection, owner)
        await self._ensure_container()
        if self._index == "tags":
            names = [item.name async for item in self._container.find_blobs_by_tags(f"\"o\" = '{owner_id}'")
                     if item.name.startswith(prefix)]
        else:
            names = [item.name async for item in self._container.list_blobs(name_starts_with=prefix,
                                                                              include=["metadata"])
                     if (item.metadata or {}).get("owner") == owner_id]
        found = [f for f in await self._fetch_all(names) if f[2].get("owner") == owner_id]
        found.sort(key=lambda f: (f[2].get("created", ""), f[0]))
        return [doc for _, doc, _ in found]

    # -- writes ------------------------------------------------------------------------------------------

    async def _upsert(self, name: str, collection: str, key: str, data: bytes, owner_id: str | None,
                      due: float | None) -> str:
        """Create or overwrite, keeping the existing owner (when none is given) and creation stamp."""
        for _ in range(_UPSERT_ATTEMPTS):
            version = self._versions.get(name) or await self._head(name)
            try:
                if version is None:
                    return await self._write(name, collection, data, self._stamp(), owner_id, due, None)
                return await self._write(name, collection, data, version.created, owner_id or version.owner, due,
                                         version.etag)
            except _ConflictError:
                continue  # someone wrote, created or deleted it meanwhile: read again
        raise ETagMismatchError(key)

    async def _write(self, name: str, collection: str, data: bytes, created: str, owner_id: str | None,
                     due: float | None, etag: str | None) -> str:
        """One Put Blob: create-only when ``etag`` is None, else only over version ``etag``."""
        write_id = uuid.uuid4().hex
        metadata = {"created": created, "write": write_id}
        tags: dict[str, str] | None = None
        if owner_id is not None:
            metadata["owner"] = owner_id
        if due is not None:
            metadata["due"] = repr(float(due))
        if self._index == "tags":
            tags = {"c": collection}
            if owner_id is not None:
                tags["o"] = owner_id
            if due is not None:
                tags["d"] = f"{collection}:{_due_digits(due)}"
        blob = self._container.get_blob_client(name)
        content = ContentSettings(content_type=_CONTENT_TYPE)
        try:
            if etag is None:
                result = await blob.upload_blob(data, overwrite=False, metadata=metadata, tags=tags,
                                                content_settings=content)
            else:
                result = await blob.upload_blob(data, overwrite=True, metadata=metadata, tags=tags,
                                                content_settings=content, etag=etag,
                                                match_condition=MatchConditions.IfNotModified)
            new_etag = str(result["etag"])
        except HttpResponseError as err:
            if not _is_conflict(err):
                raise
            # The SDK retries a request whose response was lost; the retry then meets our own write.
            landed = await self._landed(blob, write_id)
            if landed is None:
                self._versions.pop(name, None)
                raise _ConflictError(name) from err
            new_etag = landed
        self._remember(name, _Version(new_etag, created, owner_id))
        return new_etag

    async def _landed(self, blob: BlobClient, write_id: str) -> str | None:
        """The eTag of the blob if its current version is the write ``write_id``."""
        try:
            props = await blob.get_blob_properties()
        except ResourceNotFoundError:
            return None
        return str(props.etag) if (props.metadata or {}).get("write") == write_id else None

    # -- reads -------------------------------------------------------------------------------------------

    async def _head(self, name: str) -> _Version | None:
        """The current version's eTag, creation stamp and owner, or None when there is no such blob."""
        try:
            props = await self._container.get_blob_client(name).get_blob_properties()
        except ResourceNotFoundError as err:
            if _code(err) not in ("BlobNotFound", None):
                raise
            self._versions.pop(name, None)
            return None
        metadata = props.metadata or {}
        version = _Version(str(props.etag), metadata.get("created", ""), metadata.get("owner"))
        self._remember(name, version)
        return version

    async def _fetch(self, name: str) -> tuple[str, Document, dict[str, str]] | None:
        """Downloads one blob: its name, the document and its metadata; None when it does not exist."""
        try:
            downloader = await self._container.get_blob_client(name).download_blob(max_concurrency=1)
            data = await downloader.readall()
        except ResourceNotFoundError as err:
            if _code(err) != "BlobNotFound":
                raise
            self._versions.pop(name, None)
            return None
        metadata = dict(downloader.properties.metadata or {})
        etag = str(downloader.properties.etag)
        self._remember(name, _Version(etag, metadata.get("created", ""), metadata.get("owner")))
        return name, Document(data.decode("utf-8"), etag), metadata

    async def _fetch_all(self, names: list[str]) -> list[tuple[str, Document, dict[str, str]]]:
        """Downloads the blobs (a few at a time), skipping those deleted since they were listed."""
        gate = asyncio.Semaphore(_FETCH_CONCURRENCY)

        async def one(name: str) -> tuple[str, Document, dict[str, str]] | None:
            async with gate:
                return await self._fetch(name)

        results = await asyncio.gather(*(one(n) for n in dict.fromkeys(names)))
        return [r for r in results if r is not None]

    # -- helpers -----------------------------------------------------------------------------------------

    async def _ensure_container(self) -> None:
        if self._ready:
            return
        with contextlib.suppress(ResourceExistsError):
            await self._container.create_container()
        self._ready = True

    def _remember(self, name: str, version: _Version) -> None:
        self._versions[name] = version
        self._versions.move_to_end(name)
        while len(self._versions) > _VERSION_CACHE:
            self._versions.popitem(last=False)

    def _remembered(self, name: str, etag: str) -> _Version | None:
        version = self._versions.get(name)
        return version if version is not None and version.etag == etag else None

    def _stamp(self) -> str:
        """A creation stamp: nanoseconds since the epoch, strictly increasing within this instance."""
        self._last_stamp = max(time.time_ns(), self._last_stamp + 1)
        return f"{self._last_stamp:020d}"

    @staticmethod
    def _prefix(collection: str) -> str:
        if not _COLLECTION.fullmatch(collection):
            raise ValueError(f"collection {collection!r}: use letters, digits, '.', '_' and '-' (at most 63)")
        return f"{collection}/"

    def _name(self, collection: str, key: str) -> str:
        if not key:
            raise ValueError("the key must not be empty")
        name = self._prefix(collection) + base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")
        if len(name) > _MAX_NAME:
            raise ValueError(f"key too long for a blob name ({len(key)} characters)")
        return name


def blob_documents_from_settings(*, container: str, connection_string: str | None = None,
                                 account_url: str | None = None, credential: AsyncTokenCredential | None = None,
                                 managed_identity_client_id: str | None = None, index: IndexMode = "tags",
                                 create_container: bool = True) -> BlobDocuments:
    """A BlobDocuments from settings (no I/O: the first operation opens the connection).

    Either ``connection_string`` (Azurite, or an account key; development) or ``account_url``
    (``https://<account>.blob.core.windows.net``, production) with ``credential``; without one, a
    ManagedIdentityCredential when ``managed_identity_client_id`` is given, else DefaultAzureCredential.
    A credential passed in stays the caller's to close; one made here is closed with the store.
    """
    owned: list[_AsyncClosable] = []
    if connection_string:
        service = BlobServiceClient.from_connection_string(connection_string)
    elif account_url:
        if credential is None:
            # Imported only when used: development with Azurite never needs azure-identity's start-up cost.
            from azure.identity.aio import DefaultAzureCredential, ManagedIdentityCredential  # noqa: PLC0415

            made: DefaultAzureCredential | ManagedIdentityCredential
            if managed_identity_client_id:
                made = ManagedIdentityCredential(client_id=managed_identity_client_id)
            else:
                made = DefaultAzureCredential()
            owned.append(made)
            credential = made
        service = BlobServiceClient(account_url, credential=credential)
    else:
        raise ValueError("blob state needs a connection string or an account URL")
    return BlobDocuments(service.get_container_client(container), index=index, create_container=create_container,
                         resources=(service, *owned))


def _owner_digest(collection: str, owner: str) -> str:
    """What is stored of an owner: a digest (tag values cannot hold '@', and owners are e-mail addresses)."""
    return hashlib.sha256(f"{collection}\0{owner}".encode()).hexdigest()


def _due_digits(due: float) -> str:
    """``due`` as 19 digits whose string order is the time order (microseconds, rounded down, shifted)."""
    if not math.isfinite(due):
        raise ValueError(f"due must be a finite timestamp, not {due!r}")
    shifted = math.floor(due * 1_000_000) + _DUE_SHIFT
    if not 0 <= shifted < 10**_DUE_DIGITS:
        raise ValueError(f"due {due!r} is out of range")
    return f"{shifted:0{_DUE_DIGITS}d}"


def _due_at_most(metadata: dict[str, str] | None, until: float) -> bool:
    value = (metadata or {}).get("due")
    return value is not None and float(value) <= until


def _key(prefix: str, name: str) -> str:
    encoded = name[len(prefix):]
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as err:
        raise ValueError(f"blob {name!r} is not a document of this store") from err


def _code(err: HttpResponseError) -> str | None:
    """The storage error code (``BlobNotFound``, ``ConditionNotMet``, …) the SDK attached, if any."""
    code: object = getattr(err, "error_code", None)
    if code is None:
        return None
    return str(getattr(code, "value", code))


def _is_conflict(err: HttpResponseError) -> bool:
    """Whether a refused conditional write: changed (412), exists (409) or gone (404 on the blob)."""
    if err.status_code == 412:
        return True
    if err.status_code == 409:
        return _code(err) == "BlobAlreadyExists"
    return err.status_code == 404 and _code(err) in ("BlobNotFound", None)
