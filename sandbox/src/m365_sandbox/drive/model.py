"""OneDrive for Business data as the sandbox keeps it: items, permissions, upload sessions, ids, names."""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant

ItemKind = Literal["root", "folder", "file"]
CONFLICT_BEHAVIORS: frozenset[str] = frozenset({"fail", "replace", "rename"})
CONFLICT_KEY = "@microsoft.graph.conflictBehavior"
DRIVE_TYPE = "business"
# Characters OneDrive for Business does not allow in names.
_INVALID_NAME = re.compile(r'["*:<>?/\\|\x00-\x1f]')
_MIME_TYPES: Mapping[str, str] = MappingProxyType({
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
    "html": "text/html",
    "json": "application/json",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "zip": "application/zip",
})
# The letter in a sharing link's path, as SharePoint picks it from the file type.
_LINK_LETTERS: Mapping[str, str] = MappingProxyType({
    "docx": "w", "doc": "w", "xlsx": "x", "pptx": "p", "pdf": "b",
})


@dataclass
class ItemRecord:
    """One driveItem (the root, a folder or a file); content bytes are stored separately."""

    id: str
    drive_id: str
    owner_id: str
    parent_id: str | None
    name: str
    kind: ItemKind
    created: str
    modified: str
    created_by: str
    modified_by: str
    version: int = 1
    tag: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    mime_type: str | None = None
    size: int = 0
    quick_xor: str | None = None

    @property
    def is_folder(self) -> bool:
        """Whether the item holds children (the root or a folder)."""
        return self.kind != "file"

    def to_json(self) -> dict[str, Any]:
        """The stored JSON form."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemRecord:
        """Read the stored JSON form."""
        return cls(**data)


@dataclass
class PermissionRecord:
    """A sharing permission on one item: a direct grant to a person, or a sharing link."""

    id: str
    item_id: str
    kind: Literal["user", "link"]
    roles: list[str]
    created: str
    granted_by: str
    user_id: str | None = None
    email: str | None = None
    display_name: str | None = None
    sign_in_required: bool = True
    link_type: str | None = None
    link_scope: str | None = None
    web_url: str | None = None
    recipients: list[str] = field(default_factory=list)
    expiration: str | None = None
    message: str | None = None
    invitation_sent: bool = False

    def to_json(self) -> dict[str, Any]:
        """The stored JSON form."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PermissionRecord:
        """Read the stored JSON form."""
        return cls(**data)


@dataclass
class UploadSessionRecord:
    """A resumable upload: the bytes received so far are stored with it."""

    id: str
    drive_id: str
    parent_id: str | None
    name: str
    target_id: str | None
    conflict: str
    actor_id: str
    expires: float  # POSIX timestamp (sandbox clock)
    total: int | None = None
    received: int = 0

    def to_json(self) -> dict[str, Any]:
        """The stored JSON form."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UploadSessionRecord:
        """Read the stored JSON form."""
        return cls(**data)


def drive_id_for(tenant: Tenant, owner: Mailbox) -> str:
    """The user's drive id: ``b!`` and 64 URL-safe characters, as OneDrive for Business shows them."""
    digest = hashlib.sha512(f"{tenant.tenant_id}/{owner.id}".encode()).digest()[:48]
    return "b!" + base64.urlsafe_b64encode(digest).decode()


def root_id_for(drive_id: str) -> str:
    """The drive's root item id."""
    return _item_id(hashlib.sha1(f"{drive_id}/root".encode()).digest())  # noqa: S324 - an id, not security


def new_item_id() -> str:
    """A new item id like OneDrive for Business ones: ``01`` and 32 base32 characters."""
    return _item_id(uuid.uuid4().bytes + uuid.uuid4().bytes[:4])


def _item_id(raw: bytes) -> str:
    return "01" + base64.b32encode(raw[:20]).decode().rstrip("=")[:32]


def not_found() -> GraphError:
    """OneDrive's 404."""
    return GraphError(404, "itemNotFound", "The resource could not be found.")


def name_exists() -> GraphError:
    """OneDrive's 409 for a name that is already taken in the folder."""
    return GraphError(409, "nameAlreadyExists", "The specified item name already exists.")


def check_name(name: object) -> str:
    """A valid item name, or 400 ``invalidRequest``."""
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, "invalidRequest", "The name of the item is missing.")
    if _INVALID_NAME.search(name) or name != name.strip() or name in {".", ".."} or len(name) > 400:
        raise GraphError(400, "invalidRequest", f"The name '{name}' contains characters that aren't allowed.")
    return name


def conflict_behavior(value: object, default: str) -> str:
    """``fail``, ``replace`` or ``rename`` (400 for anything else)."""
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value.lower() not in CONFLICT_BEHAVIORS:
        raise GraphError(400, "invalidRequest", f"Invalid value '{value}' for {CONFLICT_KEY}.")
    return value.lower()


def numbered_name(name: str, number: int) -> str:
    """OneDrive's rename on conflict: ``plan.pdf`` → ``plan 1.pdf``, ``Kansio`` → ``Kansio 1``."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return f"{name} {number}"
    return f"{stem} {number}.{extension}"


def extension_of(name: str) -> str:
    """The lower-case file extension without the dot ('' when there is none)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


def mime_type_for(name: str) -> str:
    """The MIME type OneDrive reports for a file name."""
    return _MIME_TYPES.get(extension_of(name), "application/octet-stream")


def account_name(owner: Mailbox) -> str:
    """The owner's personal-site name, as OneDrive builds it: ``liisa_lahinen_esimerkkila_onmicrosoft_com``."""
    return re.sub(r"[^A-Za-z0-9]", "_", owner.user_principal_name).lower()


def personal_site(site_root: str, owner: Mailbox) -> str:
    """The owner's OneDrive site URL below ``site_root`` (the sandbox's SharePoint stand-in).

    ``site_root`` is e.g. ``http://127.0.0.1:3979/_sharepoint``; the result keeps OneDrive's shape,
    ``…/personal/liisa_lahinen_esimerkkila_onmicrosoft_com``.
    """
    return f"{site_root}/personal/{account_name(owner)}"


def documents_url(site_root: str, owner: Mailbox, path: str = "") -> str:
    """The webUrl of a path in the owner's Documents library (path without a leading slash)."""
    base = f"{personal_site(site_root, owner)}/Documents"
    return f"{base}/{quote(path)}" if path else base


def link_path(owner: Mailbox, item: ItemRecord, token: str) -> str:
    """A sharing link's path in SharePoint's short form (``/:b:/g/personal/…/{token}``), without the site root.

    Stored like this so that the link's webUrl follows the address the sandbox is reached at.
    """
    letter = "f" if item.is_folder else _LINK_LETTERS.get(extension_of(item.name), "u")
    return f"/:{letter}:/g/personal/{account_name(owner)}/{token}"


def link_web_url(site_root: str, stored: str) -> str:
    """A sharing link's webUrl from its stored path (older databases stored a full SharePoint URL)."""
    if "://" in stored:
        stored = urlsplit(stored).path
    return site_root + stored


def link_token(stored: str) -> str:
    """The token at the end of a stored sharing link (what ``/_sharepoint/:x:/g/…/{token}`` looks up)."""
    return stored.rstrip("/").rsplit("/", 1)[-1]


def share_id(web_url: str) -> str:
    """The ``u!`` share id Graph derives from a sharing URL."""
    return "u!" + base64.urlsafe_b64encode(web_url.encode()).decode().rstrip("=")


def login_name(email: str, tenant: Tenant) -> str:
    """SharePoint's claims login name for a member or a guest."""
    if email.lower().endswith("@" + tenant.domain.lower()):
        return f"i:0#.f|membership|{email.lower()}"
    return f"i:0#.f|membership|urn:spo:guest#{email.lower()}"


def user_permission_id(email: str, tenant: Tenant) -> str:
    """The id SharePoint gives a person's direct permission: base64 of the claims login name."""
    return base64.b64encode(login_name(email, tenant).encode()).decode().rstrip("=")


def site_user_id(key: str) -> str:
    """A stable small number for a person's SharePoint site-user id."""
    return str(10 + int(hashlib.sha256(key.encode()).hexdigest()[:6], 16) % 989)


def identity(box: Mailbox) -> dict[str, str]:
    """A Graph ``identity`` for a tenant user."""
    return {"displayName": box.display_name, "id": box.id}
