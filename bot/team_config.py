"""Loading and validating the teams file (YAML) into domain Teams, failing fast with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, ValidationError, field_validator

from domain.organisations import CalendarAccess, Organisation, home_organisation
from domain.roles import DEFAULT_ROLES, Role
from domain.statistics import ALL_TEAMS, CoordinatorAccess
from domain.team import InvitationPractice, Localized, Member, PersonDetails, PracticeWindow, Room, Team

#: libyaml's safe loader where PyYAML has it: the same documents, ~5 × faster to read at start-up.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
#: A phone number as the family dials it: digits, spaces, dashes, brackets, an optional leading "+".
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{4,24}$")]


class ConfigError(Exception):
    """The teams file is invalid; the message says where and why (safe to print)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowModel(_Strict):
    weekday: Weekday
    start: ClockTime
    end: ClockTime


class DeadlineModel(_Strict):
    weekday: Weekday
    weeks_before: int = Field(1, ge=0, le=8)


class PracticeModel(_Strict):
    windows: list[WindowModel] = Field(min_length=1)
    default_duration_minutes: int = Field(90, ge=30, le=240)
    deadline: DeadlineModel | None = None
    min_lead_days: int = Field(0, ge=0, le=60)
    horizon_days: int = Field(56, ge=7, le=61)
    slot_step_minutes: int = Field(30, ge=5, le=120)
    channel: str = "Outlook-kutsu"


class LocalizedModel(_Strict):
    fi: str = Field(min_length=1)
    sv: str | None = None
    en: str | None = None


class RoomModel(_Strict):
    email: EmailStr
    name: str = Field(min_length=1)
    capacity: int = Field(ge=1)
    wheelchair_accessible: bool = False
    # For the family's invitation: the street address, and how to get in (a text, or {fi, sv, en}).
    address: str = ""
    directions: str | LocalizedModel | None = None


class RoleModel(_Strict):
    key: str = Field(pattern=r"^[a-z_]+$")
    fi: str
    sv: str | None = None
    en: str | None = None


class OrganisationModel(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1)
    # home: our tenant; partner: our Graph app is consented there; shared_free_busy: their tenant shares
    # free/busy with ours (cross-tenant access policy); no_calendar: availability is asked by e-mail.
    access: CalendarAccess
    tenant_id: str | None = Field(None, pattern=r"^[0-9a-fA-F-]{36}$")
    domains: list[str] = Field(default_factory=list)

    @field_validator("domains")
    @classmethod
    def _domains(cls, value: list[str]) -> list[str]:
        for domain in value:
            if "@" in domain or "." not in domain or domain != domain.strip():
                raise ValueError(f"{domain!r} is not an e-mail domain (e.g. hyvinvointialue.fi)")
        return [d.lower() for d in value]


class MemberModel(_Strict):
    name: str = Field(min_length=1)
    organisation: str | None = None
    # For the family's invitation: the profession (a text, or {fi, sv, en}) and the phone number to call.
    title: str | LocalizedModel | None = None
    phone: Phone | None = None


class TeamModel(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1)
    timezone: str = "Europe/Helsinki"
    practice: PracticeModel
    roles: list[RoleModel] | None = None
    roster: dict[str, list[EmailStr]]
    # Display names, or {name, organisation, title, phone} (organisation: where the domain does not tell the
    # employer). Near workers who only convene may be listed too, for their phone in the family's invitation.
    members: dict[EmailStr, str | MemberModel] = Field(default_factory=dict)
    rooms: list[RoomModel] = Field(default_factory=list)
    contacts: dict[str, str] = Field(default_factory=dict)
    # Who may see this team's statistics (`tilastot`), besides the file's top-level coordinators.
    coordinators: list[EmailStr] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError(f"unknown time zone {value!r}") from err
        return value


class TeamsFileModel(_Strict):
    default_team: str
    teams: list[TeamModel] = Field(min_length=1)
    # The employers of the teams' people and how the bot learns each one's availability (default: the
    # home tenant only). Exactly one is `home`.
    organisations: list[OrganisationModel] = Field(default_factory=list)
    # Who may see every team's statistics (`tilastot`): directory addresses (mail, or UPN without one).
    coordinators: list[EmailStr] = Field(default_factory=list)


@dataclass(frozen=True)
class TeamConfig:
    """The validated teams file: teams by key, the default team's key, and the statistics' coordinators."""

    teams: dict[str, Team]
    default_team: str
    coordinators: CoordinatorAccess
    #: The employers of the teams' people, the home organisation first.
    organisations: tuple[Organisation, ...] = (home_organisation(),)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _organisations(models: list[OrganisationModel], source: str) -> tuple[Organisation, ...]:
    """The file's organisations, the home one first; (the implicit home one) when none are listed."""
    if not models:
        return (home_organisation(),)
    homes = [m for m in models if m.access is CalendarAccess.HOME]
    if len(homes) != 1:
        raise ConfigError(f"{source}: organisations: exactly one must have access: home (found {len(homes)})")
    keys = [m.key for m in models]
    if len(set(keys)) != len(keys):
        raise ConfigError(f"{source}: organisations: keys must be unique")
    owners: dict[str, str] = {}
    for m in models:
        if m.access in (CalendarAccess.PARTNER, CalendarAccess.SHARED_FREE_BUSY) and not m.tenant_id:
            raise ConfigError(f"{source}: organisation {m.key}: access {m.access.value} needs its tenant_id")
        for domain in m.domains:
            if owners.setdefault(domain, m.key) != m.key:
                raise ConfigError(f"{source}: domain {domain} belongs to both {owners[domain]} and {m.key}")
    ordered = homes + [m for m in models if m is not homes[0]]
    return tuple(Organisation(m.key, m.name, m.access, m.tenant_id.lower() if m.tenant_id else None,
                              tuple(m.domains)) for m in ordered)


def _member_organisation(email: str, named: str | None, organisations: tuple[Organisation, ...],
                         team: str) -> str:
    """The member's employer: as named, else by the address's domain, else the home organisation."""
    if named is not None:
        if all(o.key != named for o in organisations):
            raise ConfigError(f"team {team}: member {email}: unknown organisation {named!r}")
        return named
    return next((o.key for o in organisations if o.owns(email)), organisations[0].key)


def _localized(value: str | LocalizedModel | None) -> Localized:
    if value is None:
        return Localized()
    if isinstance(value, str):
        return Localized(fi=value)
    return Localized(fi=value.fi, sv=value.sv or "", en=value.en or "")


def _team(model: TeamModel, organisations: tuple[Organisation, ...]) -> Team:
    roles = (tuple(Role(r.key, {k: v for k, v in (("fi", r.fi), ("sv", r.sv), ("en", r.en)) if v})
                   for r in model.roles) if model.roles else DEFAULT_ROLES)
    role_keys = {r.key for r in roles}
    unknown = sorted(set(model.roster) - role_keys)
    if unknown:
        raise ConfigError(f"team {model.key}: roster names unknown roles: {', '.join(unknown)}")
    emails: dict[str, list[str]] = {}
    for role, people in model.roster.items():
        for email in people:
            emails.setdefault(email.lower(), []).append(role)
    given = {k.lower(): (v if isinstance(v, MemberModel) else MemberModel(name=v)) for k, v in model.members.items()}
    members = tuple(Member(email=e, display_name=given[e].name if e in given else e, roles=tuple(rs),
                           organisation=_member_organisation(e, given[e].organisation if e in given else None,
                                                             organisations, model.key))
                    for e, rs in emails.items())
    windows = []
    for w in model.practice.windows:
        start, end = _clock(w.start), _clock(w.end)
        if end <= start:
            raise ConfigError(f"team {model.key}: practice window {w.weekday} {w.start}-{w.end} ends before it starts")
        windows.append(PracticeWindow(_WEEKDAYS.index(w.weekday), start, end))
    deadline = model.practice.deadline
    practice = InvitationPractice(
        windows=tuple(windows),
        default_duration_minutes=model.practice.default_duration_minutes,
        min_lead_days=model.practice.min_lead_days,
        deadline_weekday=_WEEKDAYS.index(deadline.weekday) if deadline else None,
        deadline_weeks_before=deadline.weeks_before if deadline else 1,
        horizon_days=model.practice.horizon_days,
        slot_step_minutes=model.practice.slot_step_minutes,
        channel=model.practice.channel,
    )
    rooms = tuple(Room(r.email.lower(), r.name, r.capacity, r.wheelchair_accessible, address=r.address.strip(),
                       directions=_localized(r.directions)) for r in model.rooms)
    details = {e: PersonDetails(_localized(m.title), m.phone or "") for e, m in given.items() if m.title or m.phone}
    return Team(key=model.key, name=model.name, roles=roles, members=members, rooms=rooms, practice=practice,
                timezone=model.timezone, contacts=dict(model.contacts),
                organisations=organisations, details=details)


def parse_teams(data: object, source: str = "teams file") -> tuple[dict[str, Team], str]:
    """Teams by key and the default team's key, or ConfigError saying what is wrong."""
    config = parse_team_config(data, source)
    return config.teams, config.default_team


def parse_team_config(data: object, source: str = "teams file") -> TeamConfig:
    """The whole teams file (teams and coordinators), or ConfigError saying what is wrong."""
    try:
        model = TeamsFileModel.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors())
        raise ConfigError(f"{source}: {problems}") from None
    organisations = _organisations(model.organisations, source)
    teams = {t.key: _team(t, organisations) for t in model.teams}
    if len(teams) != len(model.teams):
        raise ConfigError(f"{source}: team keys must be unique")
    if ALL_TEAMS in teams:
        raise ConfigError(f"{source}: team key {ALL_TEAMS!r} is reserved (the statistics' \"all teams\")")
    if model.default_team not in teams:
        raise ConfigError(f"{source}: default_team {model.default_team!r} is not one of the teams")
    coordinators = CoordinatorAccess(
        everywhere=frozenset(str(e).lower() for e in model.coordinators),
        per_team={t.key: frozenset(str(e).lower() for e in t.coordinators) for t in model.teams if t.coordinators})
    return TeamConfig(teams, model.default_team, coordinators, organisations)


def load_teams(path: Path) -> tuple[dict[str, Team], str]:
    """Reads and validates the teams file."""
    config = load_team_config(path)
    return config.teams, config.default_team


def load_team_config(path: Path) -> TeamConfig:
    """Reads and validates the teams file (teams and coordinators)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except OSError as err:
        raise ConfigError(f"{path}: cannot read ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    return parse_team_config(data, str(path))
