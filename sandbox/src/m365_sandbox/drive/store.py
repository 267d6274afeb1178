"""Persistent OneDrive state in the ``--db`` file: items, file bytes, permissions, upload sessions."""

from __future__ import annotations

import json
import secrets
from contextlib import AbstractContextManager
from pathlib import Path

from m365_sandbox.core.database import NestedCommits, connect
from m365_sandbox.drive.model import ItemRecord, PermissionRecord, UploadSessionRecord

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS drive_items (id TEXT PRIMARY KEY, drive_id TEXT NOT NULL, parent_id TEXT, "
    "name_key TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS drive_items_parent ON drive_items (parent_id, name_key)",
    "CREATE TABLE IF NOT EXISTS drive_content (item_id TEXT PRIMARY KEY, content BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS drive_permissions (id TEXT NOT NULL, item_id TEXT NOT NULL, data TEXT NOT NULL, "
    "PRIMARY KEY (item_id, id))",
    "CREATE TABLE IF NOT EXISTS upload_sessions (id TEXT PRIMARY KEY, data TEXT NOT NULL, content BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS drive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


class DriveStore:
    """Items, contents, permissions and upload sessions; every write is committed at once."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, _SCHEMA)
        self._commits = NestedCommits(self._db)

    def transaction(self) -> AbstractContextManager[None]:
        """Group several writes into one commit (nesting is allowed)."""
        return self._commits.transaction()

    def _commit(self) -> None:
        self._commits.commit()

    # --- items ---------------------------------------------------------------------------

    def item(self, item_id: str) -> ItemRecord | None:
        """The item with this id, in any drive."""
        row = self._db.execute("SELECT data FROM drive_items WHERE id = ?", (item_id,)).fetchone()
        return None if row is None else ItemRecord.from_json(json.loads(row[0]))

    def children(self, parent_id: str) -> list[ItemRecord]:
        """The items directly in a folder, by name."""
        rows = self._db.execute(
            "SELECT data FROM drive_items WHERE parent_id = ? ORDER BY name_key", (parent_id,)
        ).fetchall()
        return [ItemRecord.from_json(json.loads(row[0])) for row in rows]

    def child_named(self, parent_id: str, name: str) -> ItemRecord | None:
        """The item called ``name`` in a folder (names compare case-insensitively, as in OneDrive)."""
        row = self._db.execute(
            "SELECT data FROM drive_items WHERE parent_id = ? AND name_key = ?", (parent_id, name.casefold())
        ).fetchone()
        return None if row is None else ItemRecord.from_json(json.loads(row[0]))

    def put_item(self, item: ItemRecord) -> None:
        """Insert or replace an item."""
        self._db.execute(
            "INSERT OR REPLACE INTO drive_items (id, drive_id, parent_id, name_key, data) VALUES (?, ?, ?, ?, ?)",
            (item.id, item.drive_id, item.parent_id, item.name.casefold(), json.dumps(item.to_json())),
        )
        self._commit()

    def remove_item(self, item_id: str) -> None:
        """Delete an item with its content and permissions (children are the caller's business)."""
        for table, column in (("drive_items", "id"), ("drive_content", "item_id"), ("drive_permissions", "item_id")):
            self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (item_id,))  # noqa: S608 - fixed names
        self._commit()

    def content(self, item_id: str) -> bytes:
        """A file's bytes (empty when none were stored)."""
        row = self._db.execute("SELECT content FROM drive_content WHERE item_id = ?", (item_id,)).fetchone()
        return b"" if row is None else bytes(row[0])

    def put_content(self, item_id: str, content: bytes) -> None:
        """Store a file's bytes."""
        self._db.execute(
            "INSERT OR REPLACE INTO drive_content (item_id, content) VALUES (?, ?)", (item_id, content)
        )
        self._commit()

    # --- permissions ---------------------------------------------------------------------

    def permissions(self, item_id: str) -> list[PermissionRecord]:
        """The permissions given on an item itself (not inherited ones), oldest first."""
        rows = self._db.execute(
            "SELECT data FROM drive_permissions WHERE item_id = ? ORDER BY rowid", (item_id,)
        ).fetchall()
        return [PermissionRecord.from_json(json.loads(row[0])) for row in rows]

    def put_permission(self, permission: PermissionRecord) -> None:
        """Insert or replace a permission."""
        self._db.execute(
            "INSERT OR REPLACE INTO drive_permissions (id, item_id, data) VALUES (?, ?, ?)",
            (permission.id, permission.item_id, json.dumps(permission.to_json())),
        )
        self._commit()

    def remove_permission(self, item_id: str, permission_id: str) -> None:
        """Delete a permission from an item."""
        self._db.execute("DELETE FROM drive_permissions WHERE item_id = ? AND id = ?", (item_id, permission_id))
        self._commit()

    def permissions_containing(self, text: str) -> list[PermissionRecord]:
        """Permissions on any item whose stored form contains ``text`` (case-insensitive), oldest first.

        A coarse filter for lookups by link token or address; callers check the field they mean.
        """
        rows = self._db.execute(
            "SELECT data FROM drive_permissions WHERE instr(lower(data), lower(?)) > 0 ORDER BY rowid", (text,)
        ).fetchall()
        return [PermissionRecord.from_json(json.loads(row[0])) for row in rows]

    # --- upload sessions -----------------------------------------------------------------

    def session(self, session_id: str) -> tuple[UploadSessionRecord, bytes] | None:
        """An upload session and the bytes received so far."""
        row = self._db.execute("SELECT data, content FROM upload_sessions WHERE id = ?", (session_id,)).fetchone()
        return None if row is None else (UploadSessionRecord.from_json(json.loads(row[0])), bytes(row[1]))

    def put_session(self, session: UploadSessionRecord, content: bytes) -> None:
        """Insert or replace an upload session."""
        self._db.execute(
            "INSERT OR REPLACE INTO upload_sessions (id, data, content) VALUES (?, ?, ?)",
            (session.id, json.dumps(session.to_json()), content),
        )
        self._commit()

    def remove_session(self, session_id: str) -> None:
        """Delete an upload session."""
        self._db.execute("DELETE FROM upload_sessions WHERE id = ?", (session_id,))
        self._commit()

    # --- settings ------------------------------------------------------------------------

    def secret(self) -> bytes:
        """The key that signs download URLs (created once per database)."""
        row = self._db.execute("SELECT value FROM drive_meta WHERE key = 'downloadKey'").fetchone()
        if row is not None:
            return bytes.fromhex(row[0])
        key = secrets.token_bytes(32)
        self._db.execute("INSERT INTO drive_meta (key, value) VALUES ('downloadKey', ?)", (key.hex(),))
        self._commit()
        return key

    def count(self) -> int:
        """How many items (roots included) are stored."""
        return int(self._db.execute("SELECT COUNT(*) FROM drive_items").fetchone()[0])

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()
