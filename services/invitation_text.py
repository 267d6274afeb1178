"""What the Outlook invitation and the family's invitation say.

The seeds require an invitation to state the time, the place, the reserved
duration and who is invited — and nothing of the family's story. The family
reference never appears here: invitees learn who the family is from the near
worker, not from a calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from domain.convening import Convening, ConveningRequest, Person, Venue
from domain.slots import Slot
from domain.team import Room, Team
from i18n.formatting import format_span
from i18n.messages import t
from services.ports import EventDraft


def event_subject(lang: str) -> str:
    """A neutral subject: the model's name only."""
    return t("event.subject", lang)


def event_location(request: ConveningRequest, room: Room | None, lang: str, *,
                   quote: Callable[[str], str] = str) -> str:
    """Where the meeting is, as the invitation names it; ``quote`` applies to the place the worker typed."""
    if request.venue is Venue.FAMILY_PLACE:
        return quote(request.family_place)
    if request.venue is Venue.REMOTE:
        return t("venue.teams_place", lang)
    name = room.display_name if room else t("venue.room_unknown", lang)
    if request.venue is Venue.HYBRID:
        return f"{name} + {t('venue.teams_place', lang)}"
    return name


def minutes(request: ConveningRequest) -> int:
    """The reserved duration in minutes."""
    return int(request.duration.total_seconds() // 60)


def invitee_line(person: Person, team_role_name: str | None) -> str:
    """"Hanna Heikkinen (Äitiys- ja lastenneuvola)"."""
    return f"{person.display_name} ({team_role_name})" if team_role_name else person.display_name


def invitee_lines(convening: Convening, lang: str, role_name: dict[str, str]) -> list[str]:
    """Everyone invited, the convener first."""
    lines = [f"{convening.convener_name} ({t('invitation.convener_role', lang)})"]
    lines += [invitee_line(p, role_name.get(p.role or "")) for p in convening.invitees]
    return lines


def event_body_html(convening: Convening, request: ConveningRequest, slot: Slot, room: Room | None,
                    lang: str, role_names: dict[str, str] | None = None) -> str:
    """The invitation body: time, place, reserved duration, who is invited."""
    names = role_names or {}
    rows = [
        (t("invitation.time", lang), format_span(slot.start, slot.end, lang)),
        (t("invitation.place", lang), event_location(request, room, lang)),
        (t("invitation.duration", lang), t("invitation.minutes", lang, n=str(minutes(request)))),
    ]
    people = "".join(f"<li>{escape(line)}</li>" for line in invitee_lines(convening, lang, names))
    table = "".join(f"<p><b>{escape(k)}:</b> {escape(v)}</p>" for k, v in rows)
    # People of other employers join the Teams meeting from the link as guests (or anonymously).
    guests = (f"<p>{escape(t('invitation.guests', lang))}</p>"
              if request.venue.online and any(p.external for p in convening.invitees) else "")
    return (f"<p>{escape(t('invitation.intro', lang))}</p>{table}{guests}"
            f"<p><b>{escape(t('invitation.invited', lang))}:</b></p><ul>{people}</ul>"
            f"<p>{escape(t('invitation.everyone_matters', lang))}</p>"
            f"<p>{escape(t('invitation.no_family_data', lang))}</p>")


def event_draft(convening: Convening, request: ConveningRequest, team: Team, slot: Slot) -> EventDraft:
    """The convening's Outlook event at ``slot``: the same transaction id whatever changes (time, room,
    invitees), so creating it again never makes a second event."""
    room = next((r for r in team.rooms if slot.room and r.email.lower() == slot.room.lower()), None)
    lang = convening.lang
    return EventDraft(
        subject=event_subject(lang),
        body_html=event_body_html(convening, request, slot, room, lang, {r.key: r.name(lang) for r in team.roles}),
        start=slot.start, end=slot.end, timezone=team.timezone,
        attendees=convening.invitees,
        room_email=room.email if room else None,
        room_name=room.display_name if room else None,
        location=event_location(request, room, lang),
        online=request.venue.online,
        transaction_id=convening.transaction_id(),
    )


def family_invitation(convening: Convening, role_names: dict[str, str], room: Room | None,
                      join_url: str | None, lang: str, *, quote: Callable[[str], str] = str) -> str:
    """Plain text for the family: ready to print or paste into a text message.

    ``quote`` is applied to what came from outside (the place the worker typed, people's names) where
    the text is shown on a card (cards.common.inert); the Teams link stays a link.
    """
    request = convening.request
    booking = convening.booking
    if request is None or booking is None:
        return ""
    invited = [role_names.get(p.role or "", "") or quote(p.display_name) for p in convening.invitees]
    lines = [
        t("family.greeting", lang),
        t("family.intro", lang),
        f"{t('invitation.time', lang)}: {format_span(booking.start, booking.end, lang, long_weekday=True)}",
        f"{t('invitation.place', lang)}: {event_location(request, room, lang, quote=quote)}",
        f"{t('invitation.duration', lang)}: {t('invitation.minutes', lang, n=str(minutes(request)))}",
        f"{t('family.invited', lang)}: {', '.join(invited)}",
    ]
    if join_url and request.venue.online:
        lines.append(f"{t('family.join', lang)}: {join_url}")
    lines += [t("family.contact", lang, name=quote(convening.convener_name)), t("family.closing", lang)]
    return "\n".join(lines)
