"""The ways on when nothing fits or someone declines: each is offered only where it can lead somewhere.

The cards ask these functions whether to show a button, and the service asks the same ones before it
acts, so a button never leads to "that is not possible".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.convening import Convening, ConveningRequest, Person
from domain.slots import MAX_RANGE_DAYS
from domain.team import InvitationPractice, Member, Team

#: How much later "widen" moves the latest date.
WIDEN_BY = timedelta(days=28)


@dataclass(frozen=True)
class WaysOn:
    """Which ways on the no-time card offers (changing the search is always possible)."""

    widen: bool
    substitute: bool
    drop: bool


def widened_latest(request: ConveningRequest, practice: InvitationPractice, horizon_end: date) -> date | None:
    """The latest date after "widen": four weeks later, within the horizon and the longest search period.

    None when widening cannot help: the period already reaches the horizon (or the longest period), or
    the meeting is longer than every practice window, so no period would have a time for it.
    """
    if request.duration > timedelta(minutes=practice.longest_window_minutes):
        return None
    latest = min(request.latest + WIDEN_BY, horizon_end, request.earliest + timedelta(days=MAX_RANGE_DAYS))
    return latest if latest > request.latest else None


def substitution(team: Team, convening: Convening) -> tuple[Person, ...] | None:
    """The invitees with each one who had no free time replaced by another member of the same role.

    The replacement is not already invited, not the convener and not someone who had no free time
    either. None when nobody can be replaced.
    """
    taken = ({p.email.lower() for p in convening.invitees} | {convening.convener_email.lower()}
             | set(convening.unavailable))
    invitees: list[Person] = []
    changed = False
    for person in convening.invitees:
        if person.email.lower() in convening.unavailable and person.role:
            other = next((m for m in team.members_with_role(person.role) if m.email.lower() not in taken), None)
            if other is not None:
                taken.add(other.email.lower())
                invitees.append(Person(other.email, other.display_name, person.role))
                changed = True
                continue
        invitees.append(person)
    return tuple(invitees) if changed else None


def without_unavailable(convening: Convening) -> tuple[Person, ...]:
    """The invitees who had some free time (leaving the others out)."""
    return tuple(p for p in convening.invitees if p.email.lower() not in convening.unavailable)


def ways_on(convening: Convening, team: Team, horizon_end: date) -> WaysOn:
    """The ways on after a search that found nothing."""
    request = convening.request
    remaining = without_unavailable(convening)
    return WaysOn(
        widen=request is not None and widened_latest(request, team.practice, horizon_end) is not None,
        substitute=substitution(team, convening) is not None,
        # Leaving out only helps when someone is left out and someone is still invited.
        drop=bool(remaining) and len(remaining) < len(convening.invitees),
    )


def decliner_substitutes(team: Team, convening: Convening, person: Person) -> tuple[Member, ...]:
    """Members who could replace a decliner: the same role, not invited already, not the convener."""
    if not person.role:
        return ()
    taken = {p.email.lower() for p in convening.invitees} | {convening.convener_email.lower()}
    return tuple(m for m in team.members_with_role(person.role) if m.email.lower() not in taken)
