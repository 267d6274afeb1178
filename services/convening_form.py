"""Turning the convening card's inputs into a validated ConveningRequest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email

from domain.convening import ConveningRequest, Person, Venue
from domain.sensitive_text import family_reference_problem, text_problem
from domain.slots import MAX_RANGE_DAYS
from domain.team import Team
from services.errors import UserFacingError

MIN_DURATION = 30
MAX_DURATION = 240


@dataclass(frozen=True)
class ConveningForm:
    """The card's inputs after type checks (done by the bot's payload model)."""

    family_ref: str
    consent: bool
    existing_client: bool
    team_key: str
    roles: tuple[str, ...]
    network: tuple[Person, ...]  # resolved from the card's text by the service
    venue: Venue
    family_place: str
    duration_minutes: int
    earliest: date
    latest: date
    accessible_room: bool = False


def validate_form(form: ConveningForm, team: Team, first_allowed: date, horizon_end: date) -> ConveningRequest:
    """The request, or a UserFacingError naming the first thing to fix.

    A latest date past the team's horizon (``horizon_end``, the last date the invitation practice lets
    the team be invited to) is refused, naming the last allowed date, rather than clamped: the worker
    typed that date on purpose, and a search quietly cut short would later say "no common time in the
    period" about days that were never searched. One more click with the named date is clearer. (An
    earliest date before the first allowed one is moved forward quietly: nothing the worker asked
    for is lost by that, the days before simply cannot be booked.)
    """
    problem = family_reference_problem(form.family_ref)
    if problem is not None:
        raise UserFacingError(f"family_ref.{problem.value}")
    if not form.consent:
        raise UserFacingError("convening.no_consent")
    unknown = [r for r in form.roles if team.role(r) is None]
    if unknown:
        raise UserFacingError("convening.unknown_role")
    if not form.existing_client and any(not team.members_with_role(r) for r in form.roles):
        # The card does not offer such a role; a stale card or a hand-made payload still may.
        raise UserFacingError("convening.role_unstaffed")
    if form.existing_client:
        if not form.network:
            raise UserFacingError("convening.no_network")
    elif not form.roles:
        raise UserFacingError("convening.no_roles")
    if form.venue is Venue.FAMILY_PLACE:
        place_problem = text_problem(form.family_place, min_length=2, max_length=120)
        if place_problem is not None:
            raise UserFacingError(f"family_place.{place_problem.value}")
    if not MIN_DURATION <= form.duration_minutes <= MAX_DURATION:
        raise UserFacingError("convening.bad_duration", min=str(MIN_DURATION), max=str(MAX_DURATION))
    longest = team.practice.longest_window_minutes
    if form.duration_minutes > longest:
        # No period, however wide, would have a time for it: say so now, not on a no-time card.
        raise UserFacingError("convening.longer_than_windows", max=str(longest))
    if form.latest < form.earliest:
        raise UserFacingError("convening.dates_reversed")
    if form.latest < first_allowed:
        raise UserFacingError("convening.dates_too_early")
    if form.earliest > horizon_end:
        raise UserFacingError("convening.dates_too_late")
    if form.latest > horizon_end:
        # d.M.yyyy is how all three catalogs write a date (i18n/formatting.py).
        raise UserFacingError("convening.latest_past_horizon",
                              last=f"{horizon_end.day}.{horizon_end.month}.{horizon_end.year}")
    if (form.latest - max(form.earliest, first_allowed)).days > MAX_RANGE_DAYS:
        raise UserFacingError("convening.range_too_long")
    return ConveningRequest(
        family_ref=form.family_ref.strip(),
        consent=True,
        existing_client=form.existing_client,
        team_key=team.key,
        roles=() if form.existing_client else tuple(dict.fromkeys(form.roles)),
        network=form.network if form.existing_client else (),
        venue=form.venue,
        family_place=form.family_place.strip() if form.venue is Venue.FAMILY_PLACE else "",
        duration=timedelta(minutes=form.duration_minutes),
        earliest=max(form.earliest, first_allowed),
        latest=form.latest,
        accessible_room=form.accessible_room and form.venue.needs_room,
    )


def outside_address(entry: str) -> tuple[str, str]:
    """(name, address) of a network entry written as an e-mail address, "eeva.ensio@ensikoti.fi" or
    "Eeva Ensio <eeva.ensio@ensikoti.fi>"; ("", "") when the entry is not an address (a name to search).

    The address is checked as an address (no DNS look-up: the bot must not reach out because of typed text);
    someone at another employer is invited by it even though no directory of ours knows them.
    """
    if "@" not in entry:
        return "", ""
    name, address = parseaddr(entry)
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise UserFacingError("convening.network_bad_address", entry=entry[:60]) from None
    return " ".join(name.split())[:80], checked.normalized
