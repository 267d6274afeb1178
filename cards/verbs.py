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
    ROOM_CHANGE = "convening.room_change"  # the room declined: another free room at the same time
    ROOM_WITHOUT = "convening.room_without"  # the room declined: go on without a room
    DELETE_DRAFT = "convening.delete_draft"  # "Poista luonnos" on the status card (own unbooked drafts only)
    ASK = "convening.ask"  # ask by e-mail which proposed times suit those whose calendars cannot be read
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
    FINALIZE_CONFIRM = "meeting.finalize_confirm"  # "Viimeistele silti": finalize although steps are not marked done
    FOLLOWUP = "meeting.followup"
    SHARE_RETRY = "meeting.share_retry"  # share the finalized plan again with those it failed for
    MEETING_VIEW = "meeting.view"  # the shared card's refresh: each participant gets their own view
    MEETING_SHARE = "meeting.share"  # "aloita" in the meeting chat posts the shared card there
    STATISTICS = "statistics.show"  # "tilastot" and the statistics card's "Näytä" (coordinators only)
    READINESS = "readiness.show"  # "valmius" and its card's "Tarkista uudelleen" (coordinators only)
