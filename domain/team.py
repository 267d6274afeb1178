"""A family-centre team: its roster, rooms and invitation practice (kutsukäytäntö)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from domain.organisations import HOME_KEY, Organisation, home_organisation
from domain.roles import Role


@dataclass(frozen=True)
class Member:
    """A team member: a directory user who brings one or more roles."""

    email: str
    display_name: str
    roles: tuple[str, ...]
    organisation: str = HOME_KEY  # the key of their employer (Team.organisations)


@dataclass(frozen=True)
class Localized:
    """A short text given in Finnish and optionally in Swedish and English (a room's directions, a title)."""

    fi: str = ""
    sv: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang``, falling back to Finnish ("" when none is given)."""
        return {"sv": self.sv, "en": self.en}.get(lang, "") or self.fi


@dataclass(frozen=True)
class Room:
    """A bookable meeting room (a Graph room resource mailbox)."""

    email: str
    display_name: str
    capacity: int
    wheelchair_accessible: bool
    #: The street address the family is told ("Keskuskatu 1, 70100 Esimerkkilä"); "" when not configured.
    address: str = ""
    #: How to get in: the entrance, the floor, where to report.
    directions: Localized = Localized()


@dataclass(frozen=True)
class PersonDetails:
    """What the family's invitation tells of a person besides the name: profession and phone (configured)."""

    title: Localized = Localized()
    phone: str = ""


@dataclass(frozen=True)
class PracticeWindow:
    """A weekly window in which the team meets families, e.g. Thursdays 8–10."""

    weekday: int  # 0 = Monday, as date.weekday()
    start: time
    end: time


@dataclass(frozen=True)
class InvitationPractice:
    """How and when the team may be invited.

    ``deadline_weekday``/``deadline_weeks_before`` express rules such as "invite by
    Monday of the previous week" (0, 1). ``min_lead_days`` is a plain minimum notice.
    """

    windows: tuple[PracticeWindow, ...]
    default_duration_minutes: int = 90
    min_lead_days: int = 0
    deadline_weekday: int | None = None
    deadline_weeks_before: int = 1
    horizon_days: int = 56
    slot_step_minutes: int = 30
    channel: str = "Outlook-kutsu"

    @property
    def longest_window_minutes(self) -> int:
        """Minutes in the longest practice window: no meeting longer than this can ever be proposed."""
        return max(((w.end.hour * 60 + w.end.minute) - (w.start.hour * 60 + w.start.minute)
                    for w in self.windows), default=0)


@dataclass(frozen=True)
class Team:
    """One municipality's family-centre team (perhekeskustiimi)."""

    key: str
    name: str
    roles: tuple[Role, ...]
    members: tuple[Member, ...]
    rooms: tuple[Room, ...]
    practice: InvitationPractice
    timezone: str = "Europe/Helsinki"
    contacts: dict[str, str] = field(default_factory=dict)
    #: The employers of the roster's people (the home organisation first); empty means the home one only.
    organisations: tuple[Organisation, ...] = ()
    #: Titles and phone numbers by lower-case address (members and near workers alike), for the family's text.
    details: dict[str, PersonDetails] = field(default_factory=dict)

    def details_of(self, email: str) -> PersonDetails:
        """The person's configured title and phone (empty when none are configured)."""
        return self.details.get(email.lower(), PersonDetails())

    def role(self, key: str) -> Role | None:
        """The configured role with ``key``, if any."""
        return next((r for r in self.roles if r.key == key), None)

    def members_with_role(self, key: str) -> tuple[Member, ...]:
        """Members who bring the role ``key``, in roster order."""
        return tuple(m for m in self.members if key in m.roles)

    def staffed_roles(self) -> tuple[Role, ...]:
        """The roles at least one member brings: only these can be asked for."""
        return tuple(r for r in self.roles if self.members_with_role(r.key))

    def member(self, email: str) -> Member | None:
        """The member with this e-mail address (case-insensitive)."""
        low = email.lower()
        return next((m for m in self.members if m.email.lower() == low), None)

    @property
    def home(self) -> Organisation:
        """The bot's own organisation."""
        return self.organisations[0] if self.organisations else home_organisation()

    def organisation(self, key: str) -> Organisation | None:
        """The organisation with ``key`` (the home one also when none is configured)."""
        return next((o for o in self.organisations or (self.home,) if o.key == key), None)

    def organisation_of(self, email: str) -> Organisation | None:
        """Whose employee ``email`` is: a roster member's organisation, else the one owning the address's
        domain; None for an address no organisation owns (someone outside every roster)."""
        member = self.member(email)
        if member is not None:
            return self.organisation(member.organisation)
        return next((o for o in self.organisations if o.owns(email)), None)

    def employer(self, email: str, external: bool = False) -> Organisation | None:
        """``organisation_of``, and the home organisation for someone found in our own directory (not
        ``external``): None only for an address nobody here knows."""
        found = self.organisation_of(email)
        return found if found is not None or external else self.home
