"""FakeReadinessProbe: tenants in memory — which calendars and OneDrives each token reaches, and what is shared.

State, not scripted answers: ``mailboxes`` and ``drives`` are the people whose calendar and OneDrive exist in
each tenant (None: home; else the partner key); ``consented`` are the partners whose administrator consented
(their token works); ``permissions`` are the home token's grants; ``shared`` the addresses whose free/busy a
tenant shares with ours. Every call is recorded in ``calls``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from services.errors import ServiceUnavailableError

#: The home token's grants when all is well.
ALL_HOME_PERMISSIONS = frozenset({"free_busy", "calendar", "drive"})


@dataclass
class FakeReadinessProbe:
    """What each tenant answers to the readiness probes."""

    home_mailboxes: set[str] = field(default_factory=set)
    shared: set[str] = field(default_factory=set)  # other tenants' addresses our getSchedule may read
    permissions: set[str] = field(default_factory=lambda: set(ALL_HOME_PERMISSIONS))
    partner_mailboxes: dict[str, set[str]] = field(default_factory=dict)  # partner key → its people
    partner_drives: dict[str, set[str]] = field(default_factory=dict)  # partner key → OneDrives it may write
    home_drives: set[str] = field(default_factory=set)
    consented: set[str] = field(default_factory=set)  # partners whose administrator consented
    clients: set[str] = field(default_factory=set)  # partners the bot has a credential for
    hanging: set[str] = field(default_factory=set)  # tenants (None → "home") that never answer
    calls: list[tuple[str, str | None, str]] = field(default_factory=list)  # (probe, partner, user)

    def reaches(self, partner: str) -> bool:
        """Whether a credential exists for ``partner``."""
        return partner in self.clients

    async def _tenant(self, probe: str, partner: str | None, user: str) -> None:
        self.calls.append((probe, partner, user))
        if (partner or "home") in self.hanging:
            await asyncio.Event().wait()  # no answer, ever: the service's time limit must end it
        if partner is None:
            if probe not in self.permissions:
                raise ServiceUnavailableError(403, "ErrorAccessDenied")
        elif partner not in self.consented:
            raise ServiceUnavailableError(401, "tokenRefused")

    async def free_busy(self, partner: str | None, organizer: str, address: str, start: datetime,
                        end: datetime) -> bool:
        """getSchedule as ``organizer`` (a mailbox of the tenant asked); 5009 (False) for an unshared address."""
        await self._tenant("free_busy", partner, address)
        own = self.home_mailboxes if partner is None else self.partner_mailboxes.get(partner, set())
        if organizer.lower() not in own:
            raise ServiceUnavailableError(404, "ErrorInvalidUser")
        return address.lower() in own or (partner is None and address.lower() in self.shared)

    async def calendar(self, partner: str | None, user: str) -> None:
        """The user's calendar, if their mailbox is in the tenant asked."""
        await self._tenant("calendar", partner, user)
        own = self.home_mailboxes if partner is None else self.partner_mailboxes.get(partner, set())
        if user.lower() not in own:
            raise ServiceUnavailableError(404, "ErrorInvalidUser")

    async def drive(self, partner: str | None, user: str) -> None:
        """The user's OneDrive: 404 when it does not exist, 403 at a partner that granted no Files permission."""
        await self._tenant("drive", partner, user)
        if partner is None:
            if user.lower() not in self.home_drives:
                raise ServiceUnavailableError(404, "itemNotFound")
        elif user.lower() not in self.partner_drives.get(partner, set()):
            raise ServiceUnavailableError(403, "accessDenied")
