"""The joint plan card (yhteinen suunnitelma), following the handbook's template item by item.

People are chosen among the meeting's attendees by their index ("0", "1", …), so the
card's data holds no names; bot.meeting_payloads.PlanSavePayload reads the inputs back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    TextInput,
    TimeInput,
)

from cards.common import action_row, card, execute, text, title
from cards.meeting_steps import local, message_block
from cards.verbs import Verb
from domain.meeting import Attendee, Meeting
from domain.plan import MAX_ACTION, MAX_CONTACT_WAY, MAX_THINGS_TO_CHANGE, MAX_WHERE, Actions, ContactArrangement
from i18n.formatting import format_moment
from i18n.messages import t

#: The plan's languages, each named in itself.
PLAN_LANGUAGES = (("fi", "Suomi"), ("sv", "Svenska"), ("en", "English"))
#: The longest "who of the family took part" text.
MAX_FAMILY_PRESENT = 200


def attendee_line(attendee: Attendee) -> str:
    """"Hanna Heikkinen – Äitiys- ja lastenneuvola"."""
    return f"{attendee.name} – {attendee.role}" if attendee.role else attendee.name


def attendee_indexes(attendees: Sequence[Attendee], names: Sequence[str]) -> tuple[int, ...]:
    """The indexes of the attendees called ``names`` (case-insensitively), in the attendees' order."""
    wanted = {n.strip().casefold() for n in names}
    return tuple(i for i, a in enumerate(attendees) if a.name.strip().casefold() in wanted)


def _people(input_id: str, label: str, attendees: Sequence[Attendee], chosen: Sequence[int]) -> ChoiceSetInput:
    return ChoiceSetInput(id=input_id, label=label, style="expanded", is_multi_select=True,
                          value=",".join(str(i) for i in chosen) or None,
                          choices=[Choice(title=attendee_line(a), value=str(i)) for i, a in enumerate(attendees)])


def _area(input_id: str, label: str, value: str, max_length: int, *, multiline: bool = True) -> TextInput:
    return TextInput(id=input_id, label=label, value=value or None, max_length=max_length, is_multiline=multiline)


def plan_card(meeting: Meeting, lang: str = "fi", *, message: str | None = None,
              free_times: Sequence[datetime] = ()) -> AdaptiveCard:
    """The template's items in order, prefilled from the meeting's plan; Tallenna, Palaute, Valmis, back.

    ``free_times``: the responsible worker's free times near a next contact that was taken; each is a button
    that finalizes with it (what is on the card is saved first, as with "Valmis")."""
    plan = meeting.plan
    planned = plan.actions if plan else Actions()
    contact = plan.contact if plan else ContactArrangement()
    responsible = attendee_indexes(meeting.attendees, plan.responsible) if plan else ()
    recipients = attendee_indexes(meeting.attendees, plan.recipients) if plan else ()
    next_contact = local(plan.next_contact) if plan and plan.next_contact else None
    plan_lang = meeting.lang if meeting.lang in {code for code, _ in PLAN_LANGUAGES} else "fi"

    body: list[CardElement] = [title(t("plancard.title", lang))]
    if message:
        body.append(message_block(message, lang))
    body += [
        text(t("plancard.memo", lang), subtle=True),
        _area("familyPresent", t("plancard.family_present", lang), meeting.family_present, MAX_FAMILY_PRESENT,
              multiline=False),
        _area("things", t("plancard.things", lang), plan.things_to_change if plan else "", MAX_THINGS_TO_CHANGE),
        Container(separator=True, items=[
            text(t("plancard.actions", lang), bold=True),
            _area("home", t("plancard.home", lang), planned.at_home, MAX_ACTION),
            _area("everyday", t("plancard.everyday", lang), planned.everyday_environment, MAX_ACTION),
            _area("elsewhere", t("plancard.elsewhere", lang), planned.elsewhere, MAX_ACTION),
            _area("where", t("plancard.where", lang), planned.elsewhere_where, MAX_WHERE, multiline=False),
        ]),
        Container(separator=True, items=[
            text(t("plancard.contact", lang), bold=True),
            _area("reachFamily", t("plancard.reach_family", lang), contact.workers_reach_family, MAX_CONTACT_WAY),
            _area("reachWorker", t("plancard.reach_worker", lang), contact.family_reaches_worker, MAX_CONTACT_WAY),
        ]),
        Container(separator=True, items=[
            _people("responsible", t("plancard.responsible", lang), meeting.attendees, responsible),
            text(t("plancard.responsible_hint", lang), subtle=True),
        ]),
        Container(separator=True, items=[
            text(t("plancard.next", lang), bold=True),
            # One under the other: side by side, a phone's 320 px leaves each picker too narrow for its own text.
            DateInput(
                id="nextDate", label=t("plancard.next_date", lang),
                value=next_contact.date().isoformat() if next_contact else None,
                min=local(meeting.scheduled_start).date().isoformat(),
                error_message=t("plancard.next_date_error", lang)),
            TimeInput(
                id="nextTime", label=t("plancard.next_time", lang),
                value=f"{next_contact:%H:%M}" if next_contact else None),
            text(t("plancard.next_hint", lang), subtle=True),
            *_free_time_buttons(meeting, free_times, lang),
        ]),
        Container(separator=True, items=[
            _people("recipients", t("plancard.recipients", lang), meeting.attendees, recipients),
            text(t("plancard.recipients_hint", lang), subtle=True),
        ]),
        ChoiceSetInput(id="planLang", label=t("plancard.lang", lang), style="compact", value=plan_lang,
                       choices=[Choice(title=name, value=code) for code, name in PLAN_LANGUAGES], separator=True),
    ]
    actions = [
        execute(t("meeting.save", lang), Verb.PLAN_SAVE, record_id=meeting.id, primary=True),
        execute(t("meeting.open_feedback", lang), Verb.FEEDBACK_OPEN, record_id=meeting.id),
        # Saves what is on the card first, then finalizes: nothing typed is lost.
        execute(t("plancard.finalize", lang), Verb.PLAN_SAVE, record_id=meeting.id, then="finalize"),
        execute(t("meeting.back", lang), Verb.MEETING_OPEN, record_id=meeting.id),
    ]
    return card(body, actions, lang=lang)


def _free_time_buttons(meeting: Meeting, free_times: Sequence[datetime], lang: str) -> list[CardElement]:
    """A button per offered free time ("ti 15.12.2026 klo 10.00") under a line saying what it does."""
    if not free_times:
        return []
    buttons = [execute(format_moment(local(moment), lang), Verb.PLAN_SAVE,
                       record_id=meeting.id, then="finalize", offeredDate=local(moment).date().isoformat(),
                       offeredTime=f"{local(moment):%H:%M}") for moment in free_times]
    return [text(t("plancard.free_times", lang), bold=True), action_row(*buttons)]
