"""The tenant data file (YAML): directory users, room mailboxes and calendar rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.timezones import resolve_zone

DAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
SHOW_AS_VALUES = frozenset({"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"})
SENSITIVITY_VALUES = frozenset({"normal", "personal", "private", "confidential"})


class TenantError(ValueError):
    """The tenant file is malformed; the message says where."""


@dataclass(frozen=True)
class WorkingHours:
    """Working hours as Graph's ``workingHours`` (days by Graph name, local times, IANA zone)."""

    days: tuple[str, ...]
    start: time
    end: time
    time_zone: str


@dataclass(frozen=True)
class RoomInfo:
    """The ``room`` place properties of a room mailbox."""

    capacity: int
    wheelchair_accessible: bool
    building: str | None
    floor_number: int | None
    booking_type: str
    nickname: str
    address: dict[str, str] | None


@dataclass(frozen=True)
class Mailbox:
    """A directory user with a mailbox: a person, or a room when ``room`` is set."""

    id: str
    display_name: str
    mail: str
    user_principal_name: str
    given_name: str | None
    surname: str | None
    job_title: str | None
    office_location: str | None
    department: str | None
    preferred_language: str | None
    usage_location: str | None
    mobile_phone: str | None
    business_phones: tuple[str, ...]
    working_hours: WorkingHours
    playground: bool = False
    room: RoomInfo | None = None

    @property
    def is_room(self) -> bool:
        """Whether this mailbox is a room resource."""
        return self.room is not None


@dataclass(frozen=True)
class BusyRule:
    """A weekly busy block for some mailboxes, expanded into events per week."""

    who: tuple[str, ...]
    days: tuple[int, ...]
    start: time | None
    end: time | None
    all_day: bool
    show_as: str
    subject: str
    location: str | None
    weeks: str | frozenset[int]
    sensitivity: str
    organizer: tuple[str, str] | None

    def applies_to_week(self, week_index: int) -> bool:
        """Whether the rule is active in the week ``week_index`` (0 = the current week)."""
        if isinstance(self.weeks, frozenset):
            return week_index in self.weeks
        if self.weeks == "even":
            return week_index % 2 == 0
        if self.weeks == "odd":
            return week_index % 2 == 1
        return True


@dataclass(frozen=True)
class Sprinkle:
    """Seeded pseudo-random appointments for every person."""

    seed: int
    density: float
    window_density: float
    durations: tuple[int, ...]
    private_share: float
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class PracticeWindow:
    """A weekly window in which the team meets families (local time)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Tenant:
    """Everything the tenant file describes, with lookups by id and address."""

    tenant_id: str
    display_name: str
    domain: str
    time_zone: str
    mailboxes: tuple[Mailbox, ...]
    horizon_weeks: int
    rules: tuple[BusyRule, ...]
    sprinkle: Sprinkle | None
    practice_windows: tuple[PracticeWindow, ...]
    _by_key: dict[str, Mailbox] = field(default_factory=dict, repr=False, compare=False)
    #: Client ids of multi-tenant apps this tenant's administrator consented to (app-only tokens here).
    consented_apps: frozenset[str] = frozenset()
    #: Tenant ids this tenant's cross-tenant access policy grants free/busy (calendar availability) to.
    shares_calendar_availability_with: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for box in self.mailboxes:
            for key in (box.id, box.mail, box.user_principal_name):
                self._by_key[key.lower()] = box

    @property
    def users(self) -> tuple[Mailbox, ...]:
        """People (not rooms), in file order."""
        return tuple(b for b in self.mailboxes if not b.is_room)

    @property
    def rooms(self) -> tuple[Mailbox, ...]:
        """Room mailboxes, in file order."""
        return tuple(b for b in self.mailboxes if b.is_room)

    @property
    def default_user(self) -> Mailbox:
        """The default current user: the first ``playground`` user, else the first user."""
        for box in self.users:
            if box.playground:
                return box
        return self.users[0]

    def find(self, key: str) -> Mailbox | None:
        """The mailbox with this id, mail or UPN (case-insensitive)."""
        return self._by_key.get(key.strip().lower())

    def mailbox(self, key: str) -> Mailbox:
        """The mailbox for a user id or address; 404 ``ErrorInvalidUser`` as Outlook's APIs answer."""
        box = self.find(key)
        if box is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")
        return box

    def resolve_ref(self, ref: str) -> Mailbox:
        """A mailbox referred to in the file by id, address, or the address's local part."""
        found = self.find(ref) or self.find(f"{ref}@{self.domain}")
        if found is None:
            raise TenantError(f"unknown person or room {ref!r}")
        return found


def default_tenant_path() -> Path:
    """The demo tenant shipped with the package (``m365_sandbox/data/demo-tenant.yaml``, package data)."""
    return Path(str(resources.files("m365_sandbox").joinpath("data/demo-tenant.yaml")))


def load_tenant(path: str | Path) -> Tenant:
    """Read and validate a tenant file."""
    with Path(path).open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    if not isinstance(raw, dict):
        raise TenantError(f"{path}: the file must contain a mapping")
    return parse_tenant(raw)


def parse_tenant(raw: dict[str, Any]) -> Tenant:
    """Build a :class:`Tenant` from the parsed YAML mapping."""
    head = _mapping(raw.get("tenant"), "tenant")
    domain = _text(head, "domain", "tenant")
    time_zone = _zone(str(head.get("timeZone", "UTC")), "tenant.timeZone")
    defaults = _mapping(raw.get("defaults", {}), "defaults")
    default_hours = _working_hours(defaults.get("workingHours"), "defaults.workingHours", None)
    mailboxes = [
        _user(_mapping(item, f"users[{i}]"), defaults, default_hours, f"users[{i}]")
        for i, item in enumerate(_list(raw.get("users"), "users"))
    ]
    mailboxes += [
        _room(_mapping(item, f"rooms[{i}]"), default_hours, f"rooms[{i}]")
        for i, item in enumerate(_list(raw.get("rooms", []), "rooms"))
    ]
    if not any(not box.is_room for box in mailboxes):
        raise TenantError("users: at least one user is required")
    calendars = _mapping(raw.get("calendars", {}), "calendars")
    draft = Tenant(
        tenant_id=_text(head, "id", "tenant"),
        display_name=str(head.get("displayName", domain)),
        domain=domain,
        time_zone=time_zone,
        mailboxes=tuple(mailboxes),
        horizon_weeks=int(calendars.get("horizonWeeks", 8)),
        rules=(),
        sprinkle=None,
        practice_windows=tuple(
            _window(_mapping(item, f"practiceWindows[{i}]"), f"practiceWindows[{i}]")
            for i, item in enumerate(_list(raw.get("practiceWindows", []), "practiceWindows"))
        ),
    )
    _check_unique(draft)
    rules = tuple(
        _rule(_mapping(item, f"calendars.busy[{i}]"), draft, f"calendars.busy[{i}]")
        for i, item in enumerate(_list(calendars.get("busy", []), "calendars.busy"))
    )
    sprinkle_raw = calendars.get("sprinkle")
    sprinkle = _sprinkle(_mapping(sprinkle_raw, "calendars.sprinkle")) if sprinkle_raw else None
    return Tenant(
        tenant_id=draft.tenant_id,
        display_name=draft.display_name,
        domain=domain,
        time_zone=time_zone,
        mailboxes=draft.mailboxes,
        horizon_weeks=draft.horizon_weeks,
        rules=rules,
        sprinkle=sprinkle,
        practice_windows=draft.practice_windows,
        consented_apps=frozenset(str(c) for c in _list(raw.get("consented_apps", []), "consented_apps")),
        shares_calendar_availability_with=frozenset(
            str(t).lower()
            for t in _list(raw.get("shares_calendar_availability_with", []), "shares_calendar_availability_with")
        ),
    )


def _check_unique(tenant: Tenant) -> None:
    seen: set[str] = set()
    for box in tenant.mailboxes:
        for key in {box.id.lower(), box.mail.lower(), box.user_principal_name.lower()}:
            if key in seen:
                raise TenantError(f"duplicate id or address {key!r}")
            seen.add(key)


def _user(
    item: dict[str, Any], defaults: dict[str, Any], hours: WorkingHours | None, where: str
) -> Mailbox:
    mail = _text(item, "mail", where)
    working = _working_hours(item.get("workingHours"), f"{where}.workingHours", hours)
    return Mailbox(
        id=_text(item, "id", where),
        display_name=_text(item, "displayName", where),
        mail=mail,
        user_principal_name=str(item.get("userPrincipalName", mail)),
        given_name=_opt(item, "givenName"),
        surname=_opt(item, "surname"),
        job_title=_opt(item, "jobTitle"),
        office_location=_opt(item, "officeLocation"),
        department=_opt(item, "department"),
        preferred_language=_opt(item, "preferredLanguage") or _opt(defaults, "preferredLanguage"),
        usage_location=_opt(item, "usageLocation") or _opt(defaults, "usageLocation"),
        mobile_phone=_opt(item, "mobilePhone"),
        business_phones=tuple(str(p) for p in _list(item.get("businessPhones", []), where)),
        working_hours=working,
        playground=bool(item.get("playground", False)),
    )


def _room(item: dict[str, Any], hours: WorkingHours | None, where: str) -> Mailbox:
    mail = _text(item, "emailAddress", where)
    display = _text(item, "displayName", where)
    address = item.get("address")
    room = RoomInfo(
        capacity=int(item.get("capacity", 0)),
        wheelchair_accessible=bool(item.get("isWheelChairAccessible", False)),
        building=_opt(item, "building"),
        floor_number=int(item["floorNumber"]) if item.get("floorNumber") is not None else None,
        booking_type=str(item.get("bookingType", "standard")),
        nickname=str(item.get("nickname", display)),
        address={str(k): str(v) for k, v in address.items()} if isinstance(address, dict) else None,
    )
    return Mailbox(
        id=_text(item, "id", where),
        display_name=display,
        mail=mail,
        user_principal_name=mail,
        given_name=None,
        surname=None,
        job_title=None,
        office_location=room.building,
        department=None,
        preferred_language=None,
        usage_location=None,
        mobile_phone=None,
        business_phones=(),
        working_hours=_working_hours(item.get("workingHours"), f"{where}.workingHours", hours),
        room=room,
    )


def _working_hours(raw: object, where: str, fallback: WorkingHours | None) -> WorkingHours:
    if raw is None:
        if fallback is not None:
            return fallback
        return WorkingHours(DAY_NAMES[:5], time(8), time(16), "UTC")
    item = _mapping(raw, where)
    days = tuple(_day(d, where) for d in _list(item.get("daysOfWeek"), where))
    zone = _zone(str(item.get("timeZone", "UTC")), f"{where}.timeZone")
    return WorkingHours(
        days=tuple(DAY_NAMES[d] for d in days),
        start=_time(item.get("startTime"), where),
        end=_time(item.get("endTime"), where),
        time_zone=zone,
    )


def _window(item: dict[str, Any], where: str) -> PracticeWindow:
    return PracticeWindow(
        weekday=_day(item.get("day"), where),
        start=_time(item.get("start"), where),
        end=_time(item.get("end"), where),
    )


def _rule(item: dict[str, Any], tenant: Tenant, where: str) -> BusyRule:
    who = tuple(tenant.resolve_ref(str(r)).id for r in _list(item.get("who"), f"{where}.who"))
    all_day = bool(item.get("allDay", False))
    start = None if all_day else _time(item.get("start"), where)
    end = None if all_day else _time(item.get("end"), where)
    if start is not None and end is not None and end <= start:
        raise TenantError(f"{where}: end must be after start")
    show_as = str(item.get("showAs", "busy"))
    if show_as not in SHOW_AS_VALUES:
        raise TenantError(f"{where}: unknown showAs {show_as!r}")
    sensitivity = str(item.get("sensitivity", "normal"))
    if sensitivity not in SENSITIVITY_VALUES:
        raise TenantError(f"{where}: unknown sensitivity {sensitivity!r}")
    organizer_raw = item.get("organizer")
    organizer = None
    if organizer_raw is not None:
        org = _mapping(organizer_raw, f"{where}.organizer")
        organizer = (_text(org, "name", where), _text(org, "address", where))
    return BusyRule(
        who=who,
        days=tuple(_day(d, where) for d in _list(item.get("days"), f"{where}.days")),
        start=start,
        end=end,
        all_day=all_day,
        show_as=show_as,
        subject=_text(item, "subject", where),
        location=_opt(item, "location"),
        weeks=_weeks(item.get("weeks", "all"), where),
        sensitivity=sensitivity,
        organizer=organizer,
    )


def _weeks(raw: object, where: str) -> str | frozenset[int]:
    if isinstance(raw, str) and raw in {"all", "even", "odd"}:
        return raw
    if isinstance(raw, list) and all(isinstance(w, int) for w in raw):
        return frozenset(raw)
    raise TenantError(f"{where}.weeks: use all, even, odd or a list of week numbers")


def _sprinkle(item: dict[str, Any]) -> Sprinkle:
    return Sprinkle(
        seed=int(item.get("seed", 0)),
        density=float(item.get("density", 0.05)),
        window_density=float(item.get("practiceWindowDensity", item.get("density", 0.05))),
        durations=tuple(int(d) for d in _list(item.get("durationsMinutes", [60]), "sprinkle")),
        private_share=float(item.get("privateShare", 0.0)),
        subjects=tuple(str(s) for s in _list(item.get("subjects", ["Varattu"]), "sprinkle")),
    )


def _day(raw: object, where: str) -> int:
    name = str(raw).lower()
    for index, day in enumerate(DAY_NAMES):
        if name in {day, day[:3]}:
            return index
    raise TenantError(f"{where}: unknown day {raw!r}")


def _time(raw: object, where: str) -> time:
    try:
        return time.fromisoformat(str(raw))
    except ValueError as exc:
        raise TenantError(f"{where}: expected a time like 08:00, got {raw!r}") from exc


def _zone(name: str, where: str) -> str:
    try:
        resolve_zone(name)
    except GraphError as exc:
        raise TenantError(f"{where}: unknown time zone {name!r}") from exc
    return name


def _mapping(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TenantError(f"{where}: expected a mapping")
    return raw


def _list(raw: object, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise TenantError(f"{where}: expected a list")
    return raw


def _text(item: dict[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if value is None or str(value) == "":
        raise TenantError(f"{where}.{key} is required")
    return str(value)


def _opt(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return None if value is None else str(value)
