"""Sharing a driveItem: invitations (direct grants), sharing links, and the effective permissions list."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox
from m365_sandbox.core.timezones import format_offset
from m365_sandbox.drive.model import (
    ItemRecord,
    PermissionRecord,
    link_path,
    link_token,
    user_permission_id,
)
from m365_sandbox.drive.service import Drive, DriveService

ROLES = frozenset({"read", "write"})
LINK_ROLES: Mapping[str, str] = MappingProxyType({"view": "read", "edit": "write"})
LINK_SCOPES = frozenset({"anonymous", "organization", "users"})
# What createLink makes without a scope: the tenant's default link type (here: people in the organisation).
DEFAULT_LINK_SCOPE = "organization"
OWNER_ROLE = "owner"


@dataclass(frozen=True)
class EffectivePermission:
    """A permission as the permissions list shows it: given on the item itself or on a folder above."""

    permission: PermissionRecord
    inherited_from: ItemRecord | None = None


def _invalid(message: str) -> GraphError:
    return GraphError(400, "invalidRequest", message)


class SharingMail(Protocol):
    """Where sharing invitations are mailed (the mail area's ``MailService``)."""

    def send_sharing_invitation(
        self, *, sender: Mailbox, address: str, recipient: Mailbox | None, subject: str, text: str, link: str
    ) -> None:
        """Mail the invitation to a sandbox mailbox (``recipient``), else to the outside outbox."""


class SharingService:
    """Permissions on items; inherited from the folders above, as in OneDrive for Business.

    With ``mail``, invitations sent (``sendInvitation``) to people of other tenants or outside every tenant
    are mailed to them (their Inbox, or the outside outbox); the owner's colleagues get no mail here.
    """

    def __init__(self, drives: DriveService, mail: SharingMail | None = None) -> None:
        self.drives = drives
        self.store = drives.store
        self.mail = mail

    def send_invitations(
        self, item: ItemRecord, granted: list[PermissionRecord], actor: Mailbox, link: str
    ) -> None:
        """Mail the invitations of ``granted`` permissions to recipients outside the drive owner's tenant."""
        if self.mail is None:
            return
        directory = self.drives.directory
        home = directory.tenant_of(self.drives.drive_of_item(item).owner)
        for permission in granted:
            address = permission.email or ""
            if not address or not permission.invitation_sent:
                continue
            member = directory.find(address)
            if member is not None and directory.tenant_of(member).tenant_id == home.tenant_id:
                continue
            self.mail.send_sharing_invitation(
                sender=actor, address=address, recipient=member,
                subject=f"{actor.display_name} shared \"{item.name}\" with you", text=permission.message or "",
                link=link,
            )

    def owner_permission(self, drive: Drive) -> PermissionRecord:
        """The owner's permission (every item has it; it cannot be removed)."""
        owner = drive.owner
        return PermissionRecord(
            id=user_permission_id(owner.mail, self.drives.tenant), item_id=drive.root.id, kind="user",
            roles=[OWNER_ROLE], created=drive.root.created, granted_by=owner.id, user_id=owner.id,
            email=owner.mail, display_name=owner.display_name,
        )

    def effective(self, item: ItemRecord) -> list[EffectivePermission]:
        """The owner's permission, the item's own permissions, then those inherited from folders above."""
        drive = self.drives.drive_of_item(item)
        result = [EffectivePermission(self.owner_permission(drive))]
        result += [EffectivePermission(p) for p in self.store.permissions(item.id)]
        for folder in self.drives.ancestors(item):
            result += [EffectivePermission(p, folder) for p in self.store.permissions(folder.id)]
        return result

    def find(self, item: ItemRecord, permission_id: str) -> EffectivePermission:
        """One permission of the effective list (404 ``itemNotFound``)."""
        for entry in self.effective(item):
            if entry.permission.id == permission_id:
                return entry
        raise GraphError(404, "itemNotFound", "The permission could not be found.")

    def shared_scope(self, item: ItemRecord) -> str | None:
        """The ``shared.scope`` facet: the widest audience of any permission besides the owner's."""
        scopes = {
            (p.permission.link_scope or "users") if p.permission.kind == "link" else "users"
            for p in self.effective(item)
            if OWNER_ROLE not in p.permission.roles
        }
        for scope in ("anonymous", "organization", "users"):
            if scope in scopes:
                return scope
        return None

    def link_target(self, token: str) -> tuple[PermissionRecord, ItemRecord] | None:
        """The sharing link whose URL ends in ``token``, and the item it shares (None if there is none)."""
        if len(token) < 8:
            return None
        for permission in self.store.permissions_containing(token):
            if permission.kind == "link" and link_token(permission.web_url or "") == token:
                item = self.store.item(permission.item_id)
                return None if item is None else (permission, item)
        return None

    def shared_with(self, box: Mailbox) -> list[ItemRecord]:
        """Items in other people's drives given to ``box`` directly (an invitation or a link naming them)."""
        address = box.mail.lower()
        items: dict[str, ItemRecord] = {}
        for permission in self.store.permissions_containing(address):
            named = (permission.email or "").lower() == address or address in (
                r.lower() for r in permission.recipients
            )
            item = self.store.item(permission.item_id) if named else None
            if item is not None and item.owner_id != box.id:
                items[item.id] = item
        return list(items.values())

    def delete(self, item: ItemRecord, permission_id: str) -> None:
        """Remove a permission given on this item (not the owner's, not an inherited one)."""
        entry = self.find(item, permission_id)
        if OWNER_ROLE in entry.permission.roles:
            raise GraphError(403, "accessDenied", "The owner's permission can't be removed.")
        if entry.inherited_from is not None:
            raise _invalid("An inherited permission can only be removed from the item it was given on.")
        self.store.remove_permission(item.id, permission_id)

    # --- invite --------------------------------------------------------------------------

    def invite(self, item: ItemRecord, body: dict[str, Any], actor: Mailbox) -> list[PermissionRecord]:
        """POST …/invite: grant ``roles`` to each recipient directly (one permission per person)."""
        roles = _roles(body.get("roles"))
        recipients = body.get("recipients")
        if not isinstance(recipients, list) or not recipients:
            raise _invalid("At least one recipient is required.")
        message = body.get("message")
        if message is not None and (not isinstance(message, str) or len(message) > 2000):
            raise _invalid("The message must be a string of at most 2000 characters.")
        require_sign_in = _flag(body, "requireSignIn", default=False)
        send_invitation = _flag(body, "sendInvitation", default=False)
        expiration = _optional_string(body, "expirationDateTime")
        drive = self.drives.drive_of_item(item)
        stamp = format_offset(self.drives.clock())
        granted: list[PermissionRecord] = []
        with self.store.transaction():
            for recipient in recipients:
                email, member = self._recipient(recipient)
                if member is not None and member.id == drive.owner.id:
                    continue
                permission_id = user_permission_id(email, self.drives.tenant)
                existing = next((p for p in self.store.permissions(item.id) if p.id == permission_id), None)
                permission = existing or PermissionRecord(
                    id=permission_id, item_id=item.id, kind="user", roles=[], created=stamp, granted_by=actor.id,
                    user_id=member.id if member else None, email=member.mail if member else email,
                    display_name=member.display_name if member else email,
                )
                permission.roles = sorted(set(permission.roles) | set(roles), key=["read", "write"].index)
                permission.sign_in_required = require_sign_in
                permission.message = message
                permission.invitation_sent = permission.invitation_sent or send_invitation
                permission.expiration = expiration
                self.store.put_permission(permission)
                granted.append(permission)
        return granted

    def _recipient(self, raw: object) -> tuple[str, Mailbox | None]:
        if not isinstance(raw, dict):
            raise _invalid("Each recipient must be a driveRecipient object.")
        object_id = raw.get("objectId")
        email = raw.get("email") or raw.get("alias")
        if isinstance(object_id, str) and object_id:
            member = self.drives.tenant.find(object_id)
            if member is None or member.is_room:
                raise _invalid(f"The recipient '{object_id}' was not found.")
            return member.mail, member
        if not isinstance(email, str) or "@" not in email:
            raise _invalid("A recipient needs an email address or an objectId.")
        member = self.drives.tenant.find(email)
        if member is not None and member.is_room:
            raise _invalid(f"The recipient '{email}' is a room.")
        return (member.mail if member else email), member

    # --- createLink ----------------------------------------------------------------------

    def create_link(self, item: ItemRecord, body: dict[str, Any], actor: Mailbox) -> tuple[PermissionRecord, bool]:
        """POST …/createLink: an existing link of the same type and scope is returned (False: not new)."""
        link_type = body.get("type")
        if link_type == "embed":
            raise _invalid("Embed links are only available in OneDrive for home.")
        if link_type not in LINK_ROLES:
            raise _invalid("The link type must be 'view' or 'edit'.")
        scope = body.get("scope") or DEFAULT_LINK_SCOPE
        if scope not in LINK_SCOPES:
            raise _invalid("The link scope must be 'anonymous', 'organization' or 'users'.")
        if body.get("password"):
            raise _invalid("Link passwords are not supported for this drive.")
        recipients = [self._recipient(r)[0] for r in body.get("recipients") or []]
        for existing in self.store.permissions(item.id):
            same = existing.kind == "link" and existing.link_type == link_type and existing.link_scope == scope
            if same and existing.recipients == recipients:
                return existing, False
        drive = self.drives.drive_of_item(item)
        permission = PermissionRecord(
            id=str(uuid.uuid4()), item_id=item.id, kind="link", roles=[LINK_ROLES[str(link_type)]],
            created=format_offset(self.drives.clock()), granted_by=actor.id, link_type=str(link_type),
            link_scope=str(scope), recipients=recipients,
            web_url=link_path(drive.owner, item, "E" + secrets.token_urlsafe(30)),
            expiration=_optional_string(body, "expirationDateTime"),
        )
        self.store.put_permission(permission)
        return permission, True


def _roles(raw: object) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, str) and r in ROLES for r in raw):
        raise _invalid("'roles' must list 'read' and/or 'write'.")
    return [str(r) for r in raw]


def _flag(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _invalid(f"'{key}' must be a boolean.")
    return value


def _optional_string(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"'{key}' must be a string.")
    return value
