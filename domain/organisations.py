"""The employers a family's network works for, and what the bot can know of each one's calendars.

Since the 2023 reform a family's network spans employers: the wellbeing services county, the municipality,
the parish, NGOs. Each has its own Microsoft 365 tenant, or none. How the bot learns someone's availability
depends on their organisation, never on who they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CalendarAccess(StrEnum):
    """How the bot learns an organisation's people's availability."""

    #: The bot's own tenant: free/busy read, events written, plans saved to OneDrive.
    HOME = "home"
    #: A partner tenant where the bot's Graph app has admin consent: its own app-only token there.
    PARTNER = "partner"
    #: A tenant that shares free/busy with ours (cross-tenant access policy, calendar availability):
    #: read through our own getSchedule; nothing written there.
    SHARED_FREE_BUSY = "shared_free_busy"
    #: No calendar the bot can read (no tenant, or nothing shared): availability is asked by e-mail.
    NO_CALENDAR = "no_calendar"

    @property
    def reads_free_busy(self) -> bool:
        """Whether getSchedule is asked for this organisation's people."""
        return self is not CalendarAccess.NO_CALENDAR

    @property
    def own_token(self) -> bool:
        """Whether the bot calls Graph in this organisation's tenant with a token of that tenant."""
        return self in (CalendarAccess.HOME, CalendarAccess.PARTNER)


class UnknownReason(StrEnum):
    """Why someone's availability is unknown (shown on the proposals card)."""

    #: Their organisation has no calendar the bot can read.
    NO_CALENDAR = "no_calendar"
    #: Named by e-mail address, in no roster and no known organisation.
    OUTSIDE = "outside"
    #: Graph could not return their schedule (5009: not shared with us, or an address it cannot resolve).
    NOT_SHARED = "not_shared"
    #: Their organisation's tenant did not answer (no consent yet, or a fault): nothing could be read.
    UNREADABLE = "unreadable"


#: The key of the bot's own organisation when a teams file names none.
HOME_KEY = "home"


@dataclass(frozen=True)
class Organisation:
    """One employer of the network's people.

    ``domains`` are the e-mail domains of its people (lower case), by which an address named on the form
    is recognised; ``tenant_id`` is its Microsoft 365 tenant (None: none known or none at all).
    """

    key: str
    name: str
    access: CalendarAccess
    tenant_id: str | None = None
    domains: tuple[str, ...] = ()

    def owns(self, email: str) -> bool:
        """Whether ``email`` is at one of this organisation's domains."""
        domain = email.rpartition("@")[2].lower()
        return bool(domain) and domain in self.domains


def home_organisation(name: str = "", tenant_id: str | None = None) -> Organisation:
    """The bot's own organisation, as assumed when a teams file names no organisations."""
    return Organisation(HOME_KEY, name, CalendarAccess.HOME, tenant_id)
