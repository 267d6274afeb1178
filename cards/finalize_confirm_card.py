"""Asked before finalizing a meeting whose steps are not all marked done: how many, which, and "Viimeistele silti"."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement

from cards.common import card, execute, inert, notice, text, title
from cards.meeting_steps import meeting_when
from cards.verbs import Verb
from domain.meeting import MEETING_STEPS, Meeting
from i18n.messages import t
from services.finalizing import undone_steps


def finalize_confirm_card(meeting: Meeting, lang: str = "fi") -> AdaptiveCard:
    """"3/9 vaihetta on merkitsemättä tehdyksi", the undone steps by number and name, and the two ways on.

    "Viimeistele silti" sends its own verb with ``confirm: true`` (the service finalizes only with it);
    "Takaisin rakenteeseen" goes back to the steps without finalizing.
    """
    undone = undone_steps(meeting)
    numbers = {step.key: number for number, step in enumerate(MEETING_STEPS, start=1)}
    body: list[CardElement] = [
        title(t("finalize.confirm.title", lang)),
        text(f"{inert(meeting.family_ref)} · {meeting_when(meeting, lang)}", subtle=True),
        notice(t("finalize.confirm.undone", lang, undone=str(len(undone)), total=str(len(MEETING_STEPS))),
               attention=False),
        *(text(f"○ {numbers[key]}. {t(f'step.{key}', lang)}") for key in undone),
        text(t("finalize.confirm.text", lang)),
    ]
    return card(body, [
        execute(t("finalize.confirm.anyway", lang), Verb.FINALIZE_CONFIRM, record_id=meeting.id, primary=True,
                confirm=True),
        execute(t("meeting.back", lang), Verb.MEETING_OPEN, record_id=meeting.id),
    ], lang=lang)
