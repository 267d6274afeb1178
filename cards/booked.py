"""The booked meeting's card: confirmation and live status of the answers from Outlook.

The same card is shown right after booking and is updated in place as the
invitees answer in Outlook; ``tilanne`` opens it too.
"""

from __future__ import annotations

from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    Container,
    OpenUrlAction,
    ShowCardAction,
    TextBlock,
    TextInput,
)

from cards.common import action_row, card, execute, facts, inert, notice, quoted, text, title
from cards.proposals import person_line
from cards.verbs import Verb
from domain.convening import Answer, Convening, ConveningStatus
from domain.team import Room, Team
from domain.ways_on import decliner_substitutes
from i18n.formatting import format_span
from i18n.messages import t
from services.invitation_text import event_location, family_invitation, plain_family_invitation

#: A mark before each answer; no answer yet is an open circle with its words ("○ …: odottaa vastausta"), never
#: an ellipsis, which reads as text cut short.
_MARKS = {Answer.ACCEPTED: "✓", Answer.TENTATIVE: "?", Answer.DECLINED: "✗"}
_WAITING = "○"


def booked_card(convening: Convening, team: Team, lang: str = "fi", *, heading_key: str | None = None) -> AdaptiveCard:
    """Time, place, Teams link, the invitees' answers, the family's invitation text and what to do next.

    ``heading_key`` replaces the heading (the day-before reminder uses the same card).
    """
    booking, request = convening.booking, convening.request
    if booking is None or request is None:
        raise ValueError("booked_card needs a booked convening")
    room = next((r for r in team.rooms if r.email == booking.room), None)
    role_names = {r.key: r.name(lang) for r in team.roles}
    cancelled = convening.status is ConveningStatus.CANCELLED
    pairs = [(t("booked.family", lang), inert(request.family_ref)),
             (t("booked.time", lang), format_span(booking.start, booking.end, lang)),
             (t("booked.place", lang), event_location(request, room, lang, quote=inert))]
    if booking.join_url and not cancelled:
        pairs.append((t("booked.teams", lang), t("booked.teams_below", lang)))
    heading = t("booked.cancelled_title", lang) if cancelled else t(heading_key or "booked.title", lang)
    body: list[CardElement] = [title(heading)]
    if cancelled:
        body.append(notice(t("booked.cancelled", lang)))
    else:
        body.append(text(t("booked.intro", lang)))
    body.append(facts(pairs))
    if booking.room_declined and room is not None and not cancelled:
        body.append(notice(t("booked.room_declined", lang, room=room.display_name), attention=False))
        body.append(action_row(execute(t("booked.room_change", lang), Verb.ROOM_CHANGE, record_id=convening.id),
                               execute(t("booked.room_without", lang), Verb.ROOM_WITHOUT, record_id=convening.id)))
    body += _answers(convening, team, lang, show_offers=not cancelled)
    if cancelled:
        return card(body, [], lang=lang)
    body += [
        text(t("booked.family_text", lang), bold=True),
        _lines(family_invitation(convening, role_names, room, booking.family_link, lang, quote=inert, team=team)),
    ]
    if booking.join_url and not booking.family_link:
        # No short link was made (booked before there were any): the long link goes apart, not in the text, in a
        # field to copy from (an input's value is never read as Markdown; no action sends it).
        body.append(TextInput(id="familyLink", label=t("booked.family_link", lang), value=booking.join_url))
    body.append(_other_versions(convening, team, room, lang))
    actions: list[Action] = [execute(t("notice.start_meeting", lang), Verb.MEETING_START, record_id=convening.id,
                                     primary=True)]
    if booking.join_url:
        actions.append(OpenUrlAction(title=t("booked.join", lang), url=booking.join_url))
    actions += [execute(t("booked.reschedule", lang), Verb.RESCHEDULE, record_id=convening.id),
                execute(t("booked.cancel", lang), Verb.CANCEL, record_id=convening.id)]
    return card(body, actions, lang=lang)


def _lines(invitation: str) -> Container:
    """The invitation text, one block a line: Teams collapses single newlines inside a TextBlock."""
    return Container(style="emphasis", items=[TextBlock(text=line, wrap=True, spacing="None")
                                              for line in invitation.splitlines()])


def _other_versions(convening: Convening, team: Team, room: Room | None, lang: str) -> ActionSet:
    """The family's text in plain language and in the other languages, each opening below its button.

    The convening does not record the family's language, so every version is at hand for the near worker.
    """
    booking = convening.booking
    link = booking.family_link if booking else None
    versions = [(t("booked.family_plain", lang),
                 plain_family_invitation(convening, team, room, link, lang, quote=inert))]
    versions += [(t(f"booked.family_in.{other}", lang),
                  family_invitation(convening, {r.key: r.name(other) for r in team.roles}, room, link, other,
                                    quote=inert, team=team))
                 for other in ("fi", "sv", "en") if other != lang]
    return ActionSet(actions=[ShowCardAction(title=label, card=AdaptiveCard(body=[_lines(version)]))
                              for label, version in versions])


def _answers(convening: Convening, team: Team, lang: str, *, show_offers: bool) -> list[CardElement]:
    """Each invitee's answer; a decline shows its message and the ways on."""
    rows: list[CardElement] = [text(t("booked.invited", lang), bold=True),
                               text(f"{inert(convening.convener_name)} – {t('invitation.convener_role', lang)}")]
    counts = {a: 0 for a in (Answer.ACCEPTED, Answer.TENTATIVE, Answer.DECLINED)}
    for index, person in enumerate(convening.invitees):
        response = convening.response_of(person.email)
        answer = response.answer if response.answered else Answer.NONE
        if answer in counts:
            counts[answer] += 1
        line = f"{_MARKS.get(answer, _WAITING)} {person_line(person, team, lang)}: {t(f'answer.{answer.value}', lang)}"
        items: list[CardElement] = [text(line)]
        if answer is Answer.DECLINED and response.comment:
            items.append(text(quoted("answer.comment", lang, comment=response.comment), subtle=True))
        if answer is Answer.DECLINED and response.hidden is not None:
            # The message was screened (domain.Response.screened): say so neutrally; Outlook has the original.
            items.append(text(t(f"answer.hidden.{response.hidden.value}", lang), subtle=True))
        declined = answer is Answer.DECLINED and person.email.lower() not in convening.going_without
        if declined and show_offers:
            offers = [execute(t("answer.go_without", lang), Verb.GO_WITHOUT, record_id=convening.id, person=index)]
            if decliner_substitutes(team, convening, person):  # only when someone else brings the role
                offers.insert(0, execute(t("answer.substitute", lang), Verb.REPLACE_DECLINER,
                                         record_id=convening.id, person=index))
            offers.append(execute(t("answer.new_time", lang), Verb.RESCHEDULE, record_id=convening.id))
            items.append(action_row(*offers))
        rows.append(Container(items=items, spacing="Small"))
    rows.append(text(t("answer.summary", lang, accepted=str(counts[Answer.ACCEPTED]),
                       tentative=str(counts[Answer.TENTATIVE]), declined=str(counts[Answer.DECLINED]),
                       waiting=str(len(convening.invitees) - sum(counts.values()))), subtle=True))
    return rows


def cancel_card(convening: Convening, lang: str = "fi", *, error: str | None = None) -> AdaptiveCard:
    """Asks for a short message to the invitees before cancelling."""
    body: list[CardElement] = [title(t("cancel.title", lang))]
    if error:
        body.append(notice(error))
    body += [text(t("cancel.intro", lang)),
             TextInput(id="comment", label=t("cancel.comment", lang), max_length=300, is_multiline=True,
                       placeholder=t("cancel.default_message", lang)),
             text(t("cancel.privacy", lang), subtle=True)]
    return card(body, [execute(t("cancel.confirm", lang), Verb.CANCEL_CONFIRM, record_id=convening.id),
                       execute(t("cancel.back", lang), Verb.OPEN, record_id=convening.id)], lang=lang)

