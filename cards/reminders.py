"""Proactive cards: the meeting is about to start; the next contact is tomorrow."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, OpenUrlAction

from cards.booked import booked_card
from cards.common import card, execute, facts, inert, text, title
from cards.verbs import Verb
from domain.convening import Convening
from domain.meeting import Meeting
from domain.team import Team
from i18n.formatting import format_moment, format_span
from i18n.messages import t
from services.invitation_text import event_location


def start_notice_card(convening: Convening, team: Team, lang: str = "fi") -> AdaptiveCard:
    """For the near worker a few minutes before the meeting: time, place and "Aloita Yhdessä aika"."""
    booking, request = convening.booking, convening.request
    if booking is None or request is None:
        raise ValueError("start_notice_card needs a booked convening")
    room = next((r for r in team.rooms if r.email == booking.room), None)
    body = [title(t("notice.starts_title", lang)),
            facts([(t("booked.family", lang), inert(request.family_ref)),
                   (t("booked.time", lang), format_span(booking.start, booking.end, lang)),
                   (t("booked.place", lang), event_location(request, room, lang, quote=inert))])]
    return card(body, [execute(t("notice.start_meeting", lang), Verb.MEETING_START, record_id=convening.id,
                               primary=True)], lang=lang)


def day_before_card(convening: Convening, team: Team, lang: str = "fi") -> AdaptiveCard:
    """For the near worker the day before: the booked card (answers, family text, Aloita) as a reminder."""
    return booked_card(convening, team, lang, heading_key="notice.reminder_title")


def next_contact_reminder_card(meeting: Meeting, lang: str = "fi") -> AdaptiveCard:
    """For the responsible worker the day before the agreed next contact."""
    record = meeting.finalized
    if record is None or record.next_contact is None:
        raise ValueError("next_contact_reminder_card needs a finalized meeting with a next contact")
    body = [title(t("notice.next_contact_title", lang)),
            text(t("notice.next_contact_text", lang)),
            facts([(t("booked.family", lang), inert(meeting.family_ref)),
                   (t("booked.time", lang), format_moment(record.next_contact, lang))])]
    actions: list[OpenUrlAction] = []
    if record.pdf_url:
        actions.append(OpenUrlAction(title=t("notice.open_plan", lang), url=record.pdf_url))
    return card(body, actions, lang=lang)
