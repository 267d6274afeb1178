"""OneDrive behaviour: one drive per user, folders, files, conflicts, upload sessions, download links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from m365_sandbox.core.directory import Directory
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.timezones import format_offset
from m365_sandbox.drive.model import (
    ItemRecord,
    UploadSessionRecord,
    account_name,
    check_name,
    drive_id_for,
    mime_type_for,
    name_exists,
    new_item_id,
    not_found,
    numbered_name,
    root_id_for,
)
from m365_sandbox.drive.quickxor import quick_xor_hash
from m365_sandbox.drive.store import DriveStore

UPLOAD_SESSION_LIFETIME = timedelta(minutes=15)
DOWNLOAD_LINK_LIFETIME = timedelta(hours=1)
MAX_FRAGMENT_BYTES = 60 * 1024 * 1024


@dataclass(frozen=True)
class Drive:
    """A user's OneDrive (``driveType`` business) and its root folder."""

    id: str
    owner: Mailbox
    root: ItemRecord


@dataclass(frozen=True)
class Fragment:
    """One ``PUT`` to an upload URL: bytes ``start``–``end`` (inclusive) of a ``total``-byte file."""

    start: int
    end: int
    total: int
    data: bytes


class DriveService:
    """Reads and changes drives; every change is persisted in the :class:`DriveStore`."""

    def __init__(
        self, tenant: Tenant, store: DriveStore, clock: Callable[[], datetime], directory: Directory | None = None
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.clock = clock
        self.directory = directory or Directory.single(tenant)
        self._owners = {
            drive_id_for(owner, box): box for owner in self.directory.tenants for box in owner.users
        }

    def find(self, key: str) -> Mailbox | None:
        """The mailbox (of any tenant) with this id or address."""
        return self.directory.find(key)

    # --- drives and lookups --------------------------------------------------------------

    def drive_of(self, box: Mailbox) -> Drive:
        """The user's drive, created (empty) on first use; rooms have none."""
        if box.is_room:
            raise GraphError(404, "itemNotFound", f"The user '{box.mail}' has no OneDrive.")
        drive_id = drive_id_for(self.directory.tenant_of(box), box)
        root = self.store.item(root_id_for(drive_id))
        if root is None:
            stamp = format_offset(self.clock())
            root = ItemRecord(
                id=root_id_for(drive_id), drive_id=drive_id, owner_id=box.id, parent_id=None, name="root",
                kind="root", created=stamp, modified=stamp, created_by=box.id, modified_by=box.id,
            )
            self.store.put_item(root)
        return Drive(drive_id, box, root)

    def existing_drive(self, box: Mailbox) -> Drive | None:
        """The user's drive if it has been used, without creating it (None for rooms and unused drives)."""
        if box.is_room:
            return None
        drive_id = drive_id_for(self.directory.tenant_of(box), box)
        root = self.store.item(root_id_for(drive_id))
        return None if root is None else Drive(drive_id, box, root)

    def owner_by_account(self, account: str) -> Mailbox | None:
        """The user whose personal-site name (``liisa_lahinen_esimerkkila_onmicrosoft_com``) this is."""
        wanted = account.lower()
        return next((box for box in self.tenant.users if account_name(box) == wanted), None)

    def drive_by_id(self, drive_id: str) -> Drive:
        """The drive with this id (404 ``itemNotFound``)."""
        owner = self._owners.get(drive_id)
        if owner is None:
            raise not_found()
        return self.drive_of(owner)

    def drive_of_item(self, item: ItemRecord) -> Drive:
        """The drive an item belongs to."""
        return self.drive_by_id(item.drive_id)

    def resolve(self, drive: Drive, base: str, segments: list[str]) -> ItemRecord:
        """The item ``base`` (``root`` or an item id) of ``drive``, then down the path ``segments``."""
        item = drive.root if base.lower() == "root" else self.store.item(base)
        if item is None or item.drive_id != drive.id:
            raise not_found()
        for segment in segments:
            if not item.is_folder:
                raise not_found()
            child = self.store.child_named(item.id, segment)
            if child is None:
                raise not_found()
            item = child
        return item

    def ensure_folders(self, drive: Drive, base: str, segments: list[str], actor: Mailbox) -> ItemRecord:
        """Like :meth:`resolve`, but creates missing folders (as an upload to a path does)."""
        folder = self.resolve(drive, base, [])
        for segment in segments:
            child = self.store.child_named(folder.id, segment)
            if child is None:
                child = self._new_item(drive, folder, check_name(segment), "folder", actor)
                self.store.put_item(child)
            elif not child.is_folder:
                raise name_exists()
            folder = child
        if not folder.is_folder:
            raise GraphError(400, "invalidRequest", "The parent of an item must be a folder.")
        return folder

    def ancestors(self, item: ItemRecord) -> list[ItemRecord]:
        """The folders above ``item``, nearest first (the root last)."""
        chain: list[ItemRecord] = []
        parent_id = item.parent_id
        while parent_id is not None:
            parent = self.store.item(parent_id)
            if parent is None:
                break
            chain.append(parent)
            parent_id = parent.parent_id
        return chain

    def relative_path(self, item: ItemRecord) -> str:
        """The item's path below the root, e.g. ``Yhdessä aika/plan.pdf`` ('' for the root)."""
        names = [a.name for a in reversed(self.ancestors(item)) if a.kind != "root"]
        if item.kind != "root":
            names.append(item.name)
        return "/".join(names)

    def children(self, folder: ItemRecord) -> list[ItemRecord]:
        """The items directly in a folder, by name."""
        if not folder.is_folder:
            return []
        return self.store.children(folder.id)

    def size_of(self, item: ItemRecord) -> int:
        """A file's size, or the total size of everything in a folder."""
        if not item.is_folder:
            return item.size
        return sum(self.size_of(child) for child in self.store.children(item.id))

    def content(self, item: ItemRecord) -> bytes:
        """A file's bytes (400 for folders)."""
        if item.is_folder:
            raise GraphError(400, "invalidRequest", "Only files can be downloaded; this item is a folder.")
        return self.store.content(item.id)

    # --- changes -------------------------------------------------------------------------

    def create_folder(
        self, drive: Drive, parent: ItemRecord, name: str, conflict: str, actor: Mailbox
    ) -> ItemRecord:
        """A new folder in ``parent``; ``conflict`` decides what happens when the name is taken."""
        if not parent.is_folder:
            raise GraphError(400, "invalidRequest", "The parent of an item must be a folder.")
        name = check_name(name)
        with self.store.transaction():
            name = self._free_name(parent, name, conflict, replacing_folder=True)
            folder = self._new_item(drive, parent, name, "folder", actor)
            self.store.put_item(folder)
        return folder

    def write_file(
        self, drive: Drive, parent: ItemRecord, name: str, content: bytes, conflict: str, actor: Mailbox
    ) -> tuple[ItemRecord, bool]:
        """Store a file in ``parent``; returns it and whether it is new (False: content replaced)."""
        name = check_name(name)
        existing = self.store.child_named(parent.id, name)
        with self.store.transaction():
            if existing is not None and not existing.is_folder and conflict == "replace":
                return self.replace_content(existing, content, actor), False
            name = self._free_name(parent, name, conflict, replacing_folder=False)
            item = self._new_item(drive, parent, name, "file", actor)
            self._set_content(item, content)
            self.store.put_item(item)
        return item, True

    def replace_content(self, item: ItemRecord, content: bytes, actor: Mailbox) -> ItemRecord:
        """New bytes for an existing file (a new version)."""
        if item.is_folder:
            raise GraphError(400, "invalidRequest", "Content can only be uploaded to a file, not a folder.")
        item.version += 1
        item.modified = format_offset(self.clock())
        item.modified_by = actor.id
        self._set_content(item, content)
        self.store.put_item(item)
        return item

    def delete(self, item: ItemRecord) -> None:
        """Delete an item and everything in it (the root cannot be deleted)."""
        if item.kind == "root":
            raise GraphError(403, "accessDenied", "The root folder of a drive can't be deleted.")
        with self.store.transaction():
            self._delete_tree(item)

    def _delete_tree(self, item: ItemRecord) -> None:
        for child in self.store.children(item.id):
            self._delete_tree(child)
        self.store.remove_item(item.id)

    def _free_name(self, parent: ItemRecord, name: str, conflict: str, replacing_folder: bool) -> str:
        """The name to use in ``parent``: ``name`` itself, after replacing a folder, or numbered."""
        existing = self.store.child_named(parent.id, name)
        if existing is None:
            return name
        if conflict == "replace" and existing.is_folder == replacing_folder:
            self._delete_tree(existing)
            return name
        if conflict != "rename":
            raise name_exists()
        number = 1
        while self.store.child_named(parent.id, numbered_name(name, number)) is not None:
            number += 1
        return numbered_name(name, number)

    def _new_item(self, drive: Drive, parent: ItemRecord, name: str, kind: str, actor: Mailbox) -> ItemRecord:
        stamp = format_offset(self.clock())
        return ItemRecord(
            id=new_item_id(), drive_id=drive.id, owner_id=drive.owner.id, parent_id=parent.id, name=name,
            kind="folder" if kind == "folder" else "file", created=stamp, modified=stamp,
            created_by=actor.id, modified_by=actor.id,
            mime_type=None if kind == "folder" else mime_type_for(name),
        )

    def _set_content(self, item: ItemRecord, content: bytes) -> None:
        item.size = len(content)
        item.quick_xor = quick_xor_hash(content)
        self.store.put_content(item.id, content)

    # --- upload sessions -----------------------------------------------------------------

    def open_session(
        self,
        drive: Drive,
        parent: ItemRecord | None,
        name: str,
        target: ItemRecord | None,
        conflict: str,
        actor: Mailbox,
        size: int | None,
    ) -> UploadSessionRecord:
        """Start a resumable upload of a new file in ``parent`` or of new bytes for ``target``."""
        if target is not None and target.is_folder:
            raise GraphError(400, "invalidRequest", "Content can only be uploaded to a file, not a folder.")
        if parent is not None:
            check_name(name)
            existing = self.store.child_named(parent.id, name)
            if existing is not None and conflict == "fail":
                raise name_exists()
        session = UploadSessionRecord(
            id=secrets.token_urlsafe(24), drive_id=drive.id, parent_id=parent.id if parent else None, name=name,
            target_id=target.id if target else None, conflict=conflict, actor_id=actor.id,
            expires=(self.clock() + UPLOAD_SESSION_LIFETIME).timestamp(), total=size,
        )
        self.store.put_session(session, b"")
        return session

    def session(self, session_id: str) -> tuple[UploadSessionRecord, bytes]:
        """An open upload session (404 once it has expired or finished)."""
        found = self.store.session(session_id)
        if found is None:
            raise GraphError(404, "itemNotFound", "The upload session was not found or has expired.")
        if found[0].expires <= self.clock().timestamp():
            self.store.remove_session(session_id)
            raise GraphError(404, "itemNotFound", "The upload session was not found or has expired.")
        return found

    def write_fragment(self, session_id: str, fragment: Fragment) -> UploadSessionRecord | tuple[ItemRecord, bool]:
        """Append a fragment; returns the session, or the file and whether it is new once complete."""
        session, received = self.session(session_id)
        if len(fragment.data) != fragment.end - fragment.start + 1:
            raise GraphError(400, "invalidRequest", "The Content-Range does not match the number of bytes sent.")
        if len(fragment.data) > MAX_FRAGMENT_BYTES:
            raise GraphError(400, "invalidRequest", "A fragment must be smaller than 60 MiB.")
        if session.total is not None and fragment.total != session.total:
            raise GraphError(400, "invalidRequest", "The total file size differs from the size declared before.")
        if fragment.end >= fragment.total or fragment.start != session.received:
            raise GraphError(
                416,
                "invalidRange",
                f"The fragment doesn't start at the next expected byte ({session.received}).",
            )
        session.total = fragment.total
        session.received += len(fragment.data)
        session.expires = (self.clock() + UPLOAD_SESSION_LIFETIME).timestamp()
        content = received + fragment.data
        if session.received < session.total:
            self.store.put_session(session, content)
            return session
        result = self._commit_session(session, content)
        self.store.remove_session(session.id)
        return result

    def _commit_session(self, session: UploadSessionRecord, content: bytes) -> tuple[ItemRecord, bool]:
        drive = self.drive_by_id(session.drive_id)
        actor = self.find(session.actor_id) or drive.owner
        if session.target_id is not None:
            target = self.store.item(session.target_id)
            if target is None:
                raise not_found()
            return self.replace_content(target, content, actor), False
        parent = self.store.item(session.parent_id or "")
        if parent is None:
            raise not_found()
        return self.write_file(drive, parent, session.name, content, session.conflict, actor)

    def session_expiry(self, session: UploadSessionRecord) -> str:
        """The session's expirationDateTime."""
        return format_offset(datetime.fromtimestamp(session.expires, UTC))

    # --- download links ------------------------------------------------------------------

    def download_path(self, item: ItemRecord) -> str:
        """A pre-authenticated download path (valid for an hour), as ``@microsoft.graph.downloadUrl``."""
        expires = int((self.clock() + DOWNLOAD_LINK_LIFETIME).timestamp())
        return f"/_download/{item.id}?tempauth={expires}.{self._signature(item.id, expires)}"

    def check_download(self, item_id: str, token: str) -> ItemRecord:
        """The file a download link points to (401 for a bad or expired link)."""
        raw_expires, _, signature = token.partition(".")
        valid = raw_expires.isdigit() and hmac.compare_digest(signature, self._signature(item_id, int(raw_expires)))
        if not valid or int(raw_expires) < self.clock().timestamp():
            raise GraphError(401, "unauthenticated", "The download link is invalid or has expired.")
        item = self.store.item(item_id)
        if item is None or item.is_folder:
            raise not_found()
        return item

    def _signature(self, item_id: str, expires: int) -> str:
        return hmac.new(self.store.secret(), f"{item_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:40]
