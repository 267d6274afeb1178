"""The feedback card (model step 8): "Miten tapaaminen onnistui?", answered by several people in turn.

Each answer is a 1–5 choice (``q_<key>`` for each of domain.meeting.FEEDBACK_QUESTIONS); nothing else is
asked (no free comment: it would not be stored). The family answers in front of the professionals, so the
card never shows a score: not anyone's answer and no average (an average shown after each answer would
give away the last one), only how many have answered. Only the counts are kept (FeedbackTally); the
averages reach coordinators in the statistics, and there only from three answers up. The card is never
prefilled, so after each save it comes back empty for the next person.
"""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement, Choice, ChoiceSetInput, Container

from cards.common import card, execute, text, title
from cards.meeting_steps import message_block
from cards.verbs import Verb
from domain.meeting import FEEDBACK_QUESTIONS, Meeting
from i18n.messages import t

#: The audiences in the order shown, with their heading keys.
AUDIENCES = (("family", "feedback.for_family"), ("professionals", "feedback.for_professionals"))


def question_id(key: str) -> str:
    """The input id of question ``key``: ``q_family_heard``…"""
    return f"q_{key}"


def _scores(lang: str) -> list[Choice]:
    titles = [t("feedback.score_low", lang), "2", "3", "4", t("feedback.score_high", lang)]
    return [Choice(title=label, value=str(score)) for score, label in enumerate(titles, start=1)]


def feedback_card(meeting: Meeting, lang: str = "fi", *, message: str | None = None) -> AdaptiveCard:
    """The questions (family's, then professionals') and how many have answered so far; never a score."""
    body: list[CardElement] = [title(t("feedback.title", lang))]
    if message:
        body.append(message_block(message, lang))
    body.append(Container(style="emphasis", items=[
        text(t("feedback.tally", lang, n=str(meeting.feedback.responses)), bold=True),
    ]))
    body.append(text(t("feedback.intro", lang), subtle=True))
    body.append(text(t("feedback.private", lang), subtle=True))
    for audience, heading in AUDIENCES:
        questions = [key for key, who in FEEDBACK_QUESTIONS if who == audience]
        if not questions:
            continue
        body.append(Container(separator=True, items=[
            text(t(heading, lang), bold=True),
            *[ChoiceSetInput(id=question_id(key), label=t(f"feedback.{key}", lang), style="expanded",
                             choices=_scores(lang)) for key in questions],
        ]))
    actions = [execute(t("feedback.save", lang), Verb.FEEDBACK_SAVE, record_id=meeting.id, primary=True),
               execute(t("meeting.back", lang), Verb.MEETING_OPEN, record_id=meeting.id)]
    return card(body, actions, lang=lang)
