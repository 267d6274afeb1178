"""Several Microsoft 365 organisations in one data file: the home tenant, other tenants, apps, outside people.

The file's top-level document is the *home* tenant (see :mod:`m365_sandbox.core.tenant`); optional keys add:

- ``other_tenants``: tenant documents in the same format (each with ``consented_apps`` and
  ``shares_calendar_availability_with`` if wanted; the home tenant may share its availability too);
- ``apps``: app registrations ``{client_id, secret, home_tenant}`` that may get tokens;
- ``outside_people``: addresses with no tenant at all ``{mail, displayName}`` (their mail goes to the
  outside outbox);
- ``delivery``: how Exchange delivers between mailboxes ``{delay_seconds, reorder, duplicate, seed}``.

Ids and addresses are unique across every tenant and the outside people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from m365_sandbox.core.tenant import Mailbox, Tenant, TenantError, WorkingHours, parse_tenant
from m365_sandbox.core.transport import TransportConfig


@dataclass(frozen=True)
class AppRegistration:
    """An Entra app registration the token endpoint knows: client id, secret and the tenant it lives in."""

    client_id: str
    secret: str
    home_tenant: str


@dataclass(frozen=True)
class OutsidePerson:
    """Someone with an e-mail address but no Microsoft 365 tenant in the sandbox (e.g. an NGO worker)."""

    mail: str
    display_name: str

    def as_mailbox(self) -> Mailbox:
        """A stand-in mailbox for naming this person in meeting mails (never stored, never addressable)."""
        return outside_mailbox(self.mail, self.display_name)


def outside_mailbox(address: str, name: str | None = None) -> Mailbox:
    """A stand-in :class:`Mailbox` for an address outside every tenant (for the sender of a reply mail)."""
    return Mailbox(
        id=address.lower(), display_name=name or address, mail=address, user_principal_name=address,
        given_name=None, surname=None, job_title=None, office_location=None, department=None,
        preferred_language=None, usage_location=None, mobile_phone=None, business_phones=(),
        working_hours=WorkingHours(("monday",), time(8), time(16), "UTC"),
    )


@dataclass(frozen=True)
class Directory:
    """Every tenant of the sandbox with lookups across them (all dictionaries, built once)."""

    home: Tenant
    others: tuple[Tenant, ...] = ()
    apps: tuple[AppRegistration, ...] = ()
    outside: tuple[OutsidePerson, ...] = ()
    transport: TransportConfig = field(default_factory=TransportConfig)
    _tenants: dict[str, Tenant] = field(default_factory=dict, repr=False, compare=False)
    _owner: dict[str, Tenant] = field(default_factory=dict, repr=False, compare=False)
    _apps: dict[str, AppRegistration] = field(default_factory=dict, repr=False, compare=False)
    _outside: dict[str, OutsidePerson] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for tenant in self.tenants:
            self._tenants[tenant.tenant_id.lower()] = tenant
            for box in tenant.mailboxes:
                for key in (box.id, box.mail, box.user_principal_name):
                    self._owner[key.lower()] = tenant
        self._apps.update({app.client_id.lower(): app for app in self.apps})
        self._outside.update({person.mail.lower(): person for person in self.outside})

    @classmethod
    def single(cls, tenant: Tenant) -> Directory:
        """A directory of one tenant (what a data file without the multi-tenant keys describes)."""
        return cls(home=tenant)

    @property
    def tenants(self) -> tuple[Tenant, ...]:
        """The home tenant, then the others in file order."""
        return (self.home, *self.others)

    @property
    def mailboxes(self) -> tuple[Mailbox, ...]:
        """Every mailbox of every tenant."""
        return tuple(box for tenant in self.tenants for box in tenant.mailboxes)

    def tenant(self, tenant_id: str) -> Tenant | None:
        """The tenant with this id (case-insensitive), if the sandbox has it."""
        return self._tenants.get(tenant_id.strip().lower())

    def find(self, key: str) -> Mailbox | None:
        """The mailbox with this id, mail or UPN in any tenant."""
        owner = self._owner.get(key.strip().lower())
        return owner.find(key) if owner is not None else None

    def tenant_of(self, box: Mailbox) -> Tenant:
        """The tenant a mailbox belongs to (the home tenant for stand-ins of outside people)."""
        return self._owner.get(box.id.lower(), self.home)

    def is_member(self, tenant: Tenant, box: Mailbox) -> bool:
        """Whether ``box`` is one of ``tenant``'s mailboxes."""
        return self.tenant_of(box).tenant_id == tenant.tenant_id and tenant.find(box.id) is not None

    def outside_person(self, address: str) -> OutsidePerson | None:
        """The outside person with this address, if the file lists one."""
        return self._outside.get(address.strip().lower())

    def app(self, client_id: str) -> AppRegistration | None:
        """The app registration with this client id."""
        return self._apps.get(client_id.strip().lower())

    def consented(self, tenant: Tenant, app: AppRegistration) -> bool:
        """Whether ``app`` may have an app-only token in ``tenant`` (its own tenant, or admin consent there)."""
        return app.home_tenant.lower() == tenant.tenant_id.lower() or app.client_id in tenant.consented_apps

    @staticmethod
    def shares_availability(owner: Tenant, viewer: Tenant) -> bool:
        """Whether ``owner``'s cross-tenant access policy lets ``viewer``'s users see its free/busy."""
        return viewer.tenant_id.lower() in owner.shares_calendar_availability_with


def load_directory(path: str | Path) -> Directory:
    """Read and validate a data file with one or more tenants; errors name the file and the entry."""
    with Path(path).open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict):
        raise TenantError(f"{path}: the file must contain a mapping")
    try:
        return parse_directory(raw)
    except TenantError as exc:
        raise TenantError(f"{path}: {exc}") from exc


def parse_directory(raw: dict[str, Any]) -> Directory:
    """Build a :class:`Directory` from the parsed YAML mapping (the home tenant is the document itself)."""
    home = parse_tenant(raw)
    others: list[Tenant] = []
    for index, item in enumerate(_list(raw.get("other_tenants", []), "other_tenants")):
        if not isinstance(item, dict):
            raise TenantError(f"other_tenants[{index}]: expected a mapping")
        try:
            others.append(parse_tenant(item))
        except TenantError as exc:
            raise TenantError(f"other_tenants[{index}]: {exc}") from exc
    apps = tuple(_app(item, f"apps[{i}]") for i, item in enumerate(_list(raw.get("apps", []), "apps")))
    outside = tuple(
        _outside(item, f"outside_people[{i}]")
        for i, item in enumerate(_list(raw.get("outside_people", []), "outside_people"))
    )
    directory = Directory(
        home=home, others=tuple(others), apps=apps, outside=outside,
        transport=_transport(raw.get("delivery", {})),
    )
    _check(directory)
    return directory


def _check(directory: Directory) -> None:
    seen_tenants: set[str] = set()
    seen_keys: dict[str, str] = {}
    for index, tenant in enumerate(directory.tenants):
        where = "tenant" if index == 0 else f"other_tenants[{index - 1}]"
        if tenant.tenant_id.lower() in seen_tenants:
            raise TenantError(f"{where}.tenant.id: duplicate tenant id {tenant.tenant_id!r}")
        seen_tenants.add(tenant.tenant_id.lower())
        for box in tenant.mailboxes:
            for key in {box.id.lower(), box.mail.lower(), box.user_principal_name.lower()}:
                if key in seen_keys and seen_keys[key] != where:
                    raise TenantError(f"{where}: id or address {key!r} is already used in {seen_keys[key]}")
                seen_keys[key] = where
    for index, person in enumerate(directory.outside):
        if person.mail.lower() in seen_keys:
            raise TenantError(f"outside_people[{index}].mail: {person.mail!r} belongs to a tenant")
    client_ids = {app.client_id for app in directory.apps}
    for index, app in enumerate(directory.apps):
        if app.home_tenant.lower() not in seen_tenants:
            raise TenantError(f"apps[{index}].home_tenant: unknown tenant {app.home_tenant!r}")
    for index, tenant in enumerate(directory.tenants):
        where = "" if index == 0 else f"other_tenants[{index - 1}]."
        for tenant_id in tenant.shares_calendar_availability_with:
            if tenant_id not in seen_tenants:
                raise TenantError(f"{where}shares_calendar_availability_with: unknown tenant {tenant_id!r}")
        for client_id in tenant.consented_apps:
            if client_id not in client_ids:
                raise TenantError(f"{where}consented_apps: unknown app {client_id!r}")


def _app(raw: object, where: str) -> AppRegistration:
    if not isinstance(raw, dict):
        raise TenantError(f"{where}: expected a mapping")
    values = [raw.get(key) for key in ("client_id", "secret", "home_tenant")]
    for key, value in zip(("client_id", "secret", "home_tenant"), values, strict=True):
        if value is None or str(value) == "":
            raise TenantError(f"{where}.{key} is required")
    return AppRegistration(client_id=str(values[0]), secret=str(values[1]), home_tenant=str(values[2]))


def _outside(raw: object, where: str) -> OutsidePerson:
    if not isinstance(raw, dict):
        raise TenantError(f"{where}: expected a mapping")
    address = str(raw.get("mail") or "")
    if "@" not in address:
        raise TenantError(f"{where}.mail is required (an e-mail address)")
    return OutsidePerson(mail=address, display_name=str(raw.get("displayName") or address))


def _transport(raw: object) -> TransportConfig:
    if raw is None:
        return TransportConfig()
    if not isinstance(raw, dict):
        raise TenantError("delivery: expected a mapping")
    try:
        return TransportConfig(
            delay_seconds=float(raw.get("delay_seconds", 0.0)),
            reorder=bool(raw.get("reorder", False)),
            duplicate=bool(raw.get("duplicate", False)),
            seed=int(raw.get("seed", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise TenantError(f"delivery: {exc}") from exc


def _list(raw: object, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise TenantError(f"{where}: expected a list")
    return raw
