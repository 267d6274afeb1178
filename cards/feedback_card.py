"""The feedback card (model step 8): "Miten tapaaminen onnistui?", answered by several people in turn.

Each answer is a 1–5 choice (``q_<key>`` for each of domain.meeting.FEEDBACK_QUESTIONS).
Only the counts are kept (FeedbackTally); the optional comment is not stored. The card
is never prefilled, so after each save it comes back empty with the new tally.
"""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement, Choice, ChoiceSetInput, Container, TextInput

from cards.common import card, execute, facts, text, title
from cards.meeting_steps import message_block
from cards.verbs import Verb
from domain.meeting import FEEDBACK_QUESTIONS, FeedbackTally, Meeting
from i18n.messages import t

#: The audiences in the order shown, with their heading keys.
AUDIENCES = (("family", "feedback.for_family"), ("professionals", "feedback.for_professionals"))
#: The longest comment (not stored).
MAX_COMMENT = 1000


def question_id(key: str) -> str:
    """The input id of question ``key``: ``q_family_heard``…"""
    return f"q_{key}"


def _scores(lang: str) -> list[Choice]:
    titles = [t("feedback.score_low", lang), "2", "3", "4", t("feedback.score_high", lang)]
    return [Choice(title=label, value=str(score)) for score, label in enumerate(titles, start=1)]


def average_text(tally: FeedbackTally, key: str, lang: str) -> str:
    """"keskiarvo 4,3 (3 vast.)", with the language's decimal mark; "ei vastauksia" when nobody answered."""
    average = tally.average(key)
    if average is None:
        return t("feedback.no_answers", lang)
    shown = f"{average:.1f}"
    if lang != "en":
        shown = shown.replace(".", ",")
    return t("feedback.average", lang, avg=shown, n=str(sum(tally.counts.get(key, ()))))


def feedback_card(meeting: Meeting, lang: str = "fi", *, message: str | None = None) -> AdaptiveCard:
    """The questions (family's, then professionals'), a comment that is not stored, and the tally so far."""
    body: list[CardElement] = [title(t("feedback.title", lang))]
    if message:
        body.append(message_block(message, lang))
    body.append(text(t("feedback.intro", lang), subtle=True))
    for audience, heading in AUDIENCES:
        questions = [key for key, who in FEEDBACK_QUESTIONS if who == audience]
        if not questions:
            continue
        body.append(Container(separator=True, items=[
            text(t(heading, lang), bold=True),
            *[ChoiceSetInput(id=question_id(key), label=t(f"feedback.{key}", lang), style="expanded",
                             choices=_scores(lang)) for key in questions],
        ]))
    body += [
        TextInput(id="comment", label=t("feedback.comment", lang), is_multiline=True, max_length=MAX_COMMENT,
                  separator=True),
        text(t("feedback.comment_note", lang), subtle=True),
        Container(style="emphasis", separator=True, items=[
            text(t("feedback.tally", lang, n=str(meeting.feedback.responses)), bold=True),
            facts([(t(f"feedback.{key}", lang), average_text(meeting.feedback, key, lang))
                   for key, _ in FEEDBACK_QUESTIONS]),
        ]),
    ]
    actions = [execute(t("feedback.save", lang), Verb.FEEDBACK_SAVE, record_id=meeting.id, primary=True),
               execute(t("meeting.back", lang), Verb.MEETING_OPEN, record_id=meeting.id)]
    return card(body, actions, lang=lang)
