"""FakeReservations: the slots the bot is booking, so two convenings never land on the same people at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Reservation:
    """One owner's hold on some addresses at [start, end)."""

    owner: str
    addresses: frozenset[str]
    start: datetime
    end: datetime


@dataclass
class FakeReservations:
    """Reservations in memory (no expiry: the tests' clock does not run past the freshness window)."""

    held: list[Reservation] = field(default_factory=list)

    async def reserve(self, owner: str, addresses: Sequence[str], start: datetime, end: datetime) -> bool:
        """Reserves, unless another owner holds any of the addresses at an overlapping time."""
        wanted = frozenset(a.lower() for a in addresses)
        if any(r.owner != owner and r.start < end and start < r.end and r.addresses & wanted for r in self.held):
            return False
        self.held = [r for r in self.held if (r.owner, r.start, r.end) != (owner, start, end)]
        self.held.append(Reservation(owner, wanted, start, end))
        return True

    async def release(self, owner: str, start: datetime, end: datetime) -> None:
        """Gives the owner's reservation of this slot back."""
        self.held = [r for r in self.held if (r.owner, r.start, r.end) != (owner, start, end)]
