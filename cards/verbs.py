"""The stable action ids (Action.Execute verbs) the bot routes on."""

from __future__ import annotations

from enum import StrEnum


class Verb(StrEnum):
    """Every Action.Execute verb a card can send."""

    START = "convening.start"
    SEARCH = "convening.search"
    MORE = "convening.more"
    BOOK = "convening.book"
    EDIT = "convening.edit"
    OPEN = "convening.open"
    WIDEN = "convening.widen"
    SUBSTITUTE = "convening.substitute"
    DROP = "convening.drop"
    RESCHEDULE = "convening.reschedule"
    CANCEL = "convening.cancel"
    CANCEL_CONFIRM = "convening.cancel_confirm"
    REPLACE_DECLINER = "convening.replace"
    GO_WITHOUT = "convening.without"
    STATUS = "status.show"
    HELP = "help.show"
    # The meeting (issue: steps, star, plan, feedback, finalize)
    MEETING_START = "meeting.start"
    MEETING_OPEN = "meeting.open"
    STEP_TOGGLE = "meeting.step"
    STAR_OPEN = "star.open"
    STAR_SAVE = "star.save"
    PLAN_OPEN = "plan.open"
    PLAN_SAVE = "plan.save"
    FEEDBACK_OPEN = "feedback.open"
    FEEDBACK_SAVE = "feedback.save"
    FINALIZE = "meeting.finalize"
    FOLLOWUP = "meeting.followup"
    MEETING_VIEW = "meeting.view"  # the shared card's refresh: each participant gets their own view
    MEETING_SHARE = "meeting.share"  # "aloita" in the meeting chat posts the shared card there
