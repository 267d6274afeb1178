"""The confirmation card after booking, with the family's invitation text."""

from __future__ import annotations

from microsoft_teams.cards import Action, AdaptiveCard, CardElement, Container, OpenUrlAction, TextBlock

from cards.common import card, execute, facts, notice, text, title
from cards.proposals import person_line
from cards.verbs import Verb
from domain.convening import Convening
from domain.team import Team
from i18n.formatting import format_span
from i18n.messages import t
from services.invitation_text import event_location, family_invitation


def booked_card(convening: Convening, team: Team, lang: str = "fi") -> AdaptiveCard:
    """Time, place, Teams link, invitees and the invitation text for the family."""
    booking, request = convening.booking, convening.request
    if booking is None or request is None:
        raise ValueError("booked_card needs a booked convening")
    room = next((r for r in team.rooms if r.email == booking.room), None)
    role_names = {r.key: r.name(lang) for r in team.roles}
    pairs = [(t("booked.family", lang), request.family_ref),
             (t("booked.time", lang), format_span(booking.start, booking.end, lang)),
             (t("booked.place", lang), event_location(request, room, lang))]
    if booking.join_url:
        pairs.append((t("booked.teams", lang), t("booked.teams_below", lang)))
    invited = [f"{convening.convener_name} – {t('invitation.convener_role', lang)}"]
    invited += [person_line(p, team, lang) for p in convening.invitees]
    body: list[CardElement] = [title(t("booked.title", lang)), text(t("booked.intro", lang)), facts(pairs)]
    if booking.room_declined and room is not None:
        body.append(notice(t("booked.room_declined", lang, room=room.display_name), attention=False))
    body += [
        text(t("booked.invited", lang), bold=True),
        text("\n".join(f"- {line}" for line in invited)),
        text(t("booked.family_text", lang), bold=True),
        # One block a line: Teams collapses single newlines inside a TextBlock.
        Container(style="emphasis", items=[
            TextBlock(text=line, wrap=True, spacing="None")
            for line in family_invitation(convening, role_names, room, booking.join_url, lang).splitlines()]),
    ]
    actions: list[Action] = [execute(t("notice.start_meeting", lang), Verb.MEETING_START, record_id=convening.id,
                                     primary=True)]
    if booking.join_url:
        actions.append(OpenUrlAction(title=t("booked.join", lang), url=booking.join_url))
    return card(body, actions, lang=lang)
