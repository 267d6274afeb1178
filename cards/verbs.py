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
    STATUS = "status.show"
    HELP = "help.show"
