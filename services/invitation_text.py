"""What the Outlook invitation and the family's invitation say.

The seeds require an invitation to state the time, the place, the reserved
duration and who is invited — and nothing of the family's story. The family
reference never appears here: invitees learn who the family is from the near
worker, not from a calendar.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html import escape

from domain.convening import Convening, ConveningRequest, Person, Venue
from domain.slots import Slot
from domain.team import Room, Team
from i18n.formatting import format_span, format_time, format_written_date
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


def _people(convening: Convening, team: Team | None, role_names: dict[str, str], lang: str,
            quote: Callable[[str], str]) -> list[tuple[str, str, str]]:
    """(name, profession, service) of everyone the family meets, the near worker first.

    The profession is the configured title (``members:`` in the teams file); without one, the role's name
    stands for it and no service is repeated.
    """
    def title_of(email: str) -> str:
        return team.details_of(email).title.get(lang) if team else ""

    people = [(quote(convening.convener_name), title_of(convening.convener_email), "")]
    for person in convening.invitees:
        service = role_names.get(person.role or "", "")
        title = title_of(person.email)
        # "koulukuraattori (Koulukuraattori)" says nothing twice: the service only where it adds something.
        same = title.casefold() == service.casefold()
        people.append((quote(person.display_name), title or service, service if title and not same else ""))
    return people


def _person_line(name: str, title: str, service: str) -> str:
    """"Hanna Heikkinen, terveydenhoitaja (Äitiys- ja lastenneuvola)"."""
    line = f"{name}, {title}" if title else name
    return f"{line} ({service})" if service else line


def family_invitation(convening: Convening, role_names: dict[str, str], room: Room | None,
                      link: str | None, lang: str, *, quote: Callable[[str], str] = str,
                      team: Team | None = None) -> str:
    """Plain text for the family: ready to print or paste into a text message.

    ``link`` is the short link the family opens to join a Teams meeting (the bot's own redirect, never the
    330-character join URL); without one the text says the near worker sends the link separately. ``team``
    gives the room's address and directions' language, titles and the near worker's phone (teams file).
    ``quote`` is applied to what came from outside (the place the worker typed, people's names) where the text
    is shown on a card (cards.common.inert); the link stays a link.
    """
    request = convening.request
    booking = convening.booking
    if request is None or booking is None:
        return ""
    lines = [
        t("family.greeting", lang),
        t("family.intro", lang),
        f"{t('invitation.time', lang)}: {format_span(booking.start, booking.end, lang, long_weekday=True)}",
        f"{t('invitation.place', lang)}: {event_location(request, room, lang, quote=quote)}",
    ]
    if room is not None and request.venue.needs_room:
        if room.address:
            lines.append(f"{t('family.address', lang)}: {room.address}")
        if room.directions.get(lang):
            lines.append(f"{t('family.directions', lang)}: {room.directions.get(lang)}")
    lines.append(f"{t('invitation.duration', lang)}: {t('invitation.minutes', lang, n=str(minutes(request)))}")
    people = _people(convening, team, role_names, lang, quote)
    near_name, near_title, _ = people[0]
    lines.append(f"{t('family.invited', lang)}:")
    lines.append(f"• {_person_line(near_name, near_title, t('family.near_worker', lang))}")
    lines += [f"• {_person_line(*person)}" for person in people[1:]]
    if request.venue.online:
        lines.append(f"{t('family.join', lang)}: {link}" if link
                     else t("family.join_separately", lang, name=near_name))
        if link:
            lines.append(t("family.join_how", lang))
    phone = team.details_of(convening.convener_email).phone if team else ""
    lines += [t("family.contact_phone", lang, name=near_name, phone=phone) if phone
              else t("family.contact", lang, name=near_name), t("family.closing", lang)]
    return "\n".join(lines)


def _sentences(message: str) -> list[str]:
    """A catalog message of several short sentences, one a line (plain language: one thing a line)."""
    return [part for part in re.split(r"(?<=[.?!]) ", message) if part]


def plain_family_invitation(convening: Convening, team: Team, room: Room | None, link: str | None, lang: str,
                            *, quote: Callable[[str], str] = str) -> str:
    """The family's invitation in plain language (selkokieli in Finnish): one thing a line, short sentences,
    common words, no abbreviations, the date written out ("torstaina 3. joulukuuta 2026 kello 8.00")."""
    request = convening.request
    booking = convening.booking
    if request is None or booking is None:
        return ""
    role_names = {r.key: r.name(lang) for r in team.roles}
    lines = [t("plain.greeting", lang), *_sentences(t("plain.intro", lang)),
             t("plain.day", lang, date=format_written_date(booking.start.date(), lang)),
             t("plain.start", lang, time=format_time(booking.start, lang)),
             t("plain.end", lang, time=format_time(booking.end, lang))]
    if request.venue is Venue.REMOTE:
        lines += _sentences(t("plain.remote", lang))
    else:
        lines.append(t("plain.place", lang, place=event_location(replace(request, venue=Venue.ROOM)
                                                                  if request.venue is Venue.HYBRID else request,
                                                                  room, lang, quote=quote)))
        if room is not None and request.venue.needs_room:
            if room.address:
                lines.append(t("plain.address", lang, address=room.address))
            if room.directions.get(lang):
                lines += [t("plain.directions", lang), room.directions.get(lang)]
        if request.venue is Venue.HYBRID:
            lines += _sentences(t("plain.hybrid", lang))
    if request.venue.online:
        lines += [t("plain.link", lang), link] if link else [t("plain.link_separately", lang)]
    people = _people(convening, team, role_names, lang, quote)
    lines.append(t("plain.people", lang))
    lines += [f"{name}, {title}" if title else name for name, title, _ in people]
    lines.append(t("plain.near_worker", lang, name=people[0][0]))
    phone = team.details_of(convening.convener_email).phone
    lines += _sentences(t("plain.questions", lang))
    lines.append(t("plain.call", lang, phone=phone) if phone else t("plain.ask", lang, name=people[0][0]))
    lines += [t("plain.closing", lang)]
    return "\n".join(lines)
