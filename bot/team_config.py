"""Loading and validating the teams file (YAML) into domain Teams, failing fast with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, ValidationError, field_validator

from domain.roles import DEFAULT_ROLES, Role
from domain.statistics import ALL_TEAMS, CoordinatorAccess
from domain.team import InvitationPractice, Member, PracticeWindow, Room, Team

#: libyaml's safe loader where PyYAML has it: the same documents, ~5 × faster to read at start-up.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


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


class RoomModel(_Strict):
    email: EmailStr
    name: str = Field(min_length=1)
    capacity: int = Field(ge=1)
    wheelchair_accessible: bool = False


class RoleModel(_Strict):
    key: str = Field(pattern=r"^[a-z_]+$")
    fi: str
    sv: str | None = None
    en: str | None = None


class TeamModel(_Strict):
    key: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1)
    timezone: str = "Europe/Helsinki"
    practice: PracticeModel
    roles: list[RoleModel] | None = None
    roster: dict[str, list[EmailStr]]
    members: dict[EmailStr, str] = Field(default_factory=dict)
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
    # Who may see every team's statistics (`tilastot`): directory addresses (mail, or UPN without one).
    coordinators: list[EmailStr] = Field(default_factory=list)


@dataclass(frozen=True)
class TeamConfig:
    """The validated teams file: teams by key, the default team's key, and the statistics' coordinators."""

    teams: dict[str, Team]
    default_team: str
    coordinators: CoordinatorAccess


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _team(model: TeamModel) -> Team:
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
    names = {k.lower(): v for k, v in model.members.items()}
    members = tuple(Member(email=e, display_name=names.get(e, e), roles=tuple(rs)) for e, rs in emails.items())
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
    rooms = tuple(Room(r.email.lower(), r.name, r.capacity, r.wheelchair_accessible) for r in model.rooms)
    return Team(key=model.key, name=model.name, roles=roles, members=members, rooms=rooms, practice=practice,
                timezone=model.timezone, contacts=dict(model.contacts))


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
    teams = {t.key: _team(t) for t in model.teams}
    if len(teams) != len(model.teams):
        raise ConfigError(f"{source}: team keys must be unique")
    if ALL_TEAMS in teams:
        raise ConfigError(f"{source}: team key {ALL_TEAMS!r} is reserved (the statistics' \"all teams\")")
    if model.default_team not in teams:
        raise ConfigError(f"{source}: default_team {model.default_team!r} is not one of the teams")
    coordinators = CoordinatorAccess(
        everywhere=frozenset(str(e).lower() for e in model.coordinators),
        per_team={t.key: frozenset(str(e).lower() for e in t.coordinators) for t in model.teams if t.coordinators})
    return TeamConfig(teams, model.default_team, coordinators)


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
