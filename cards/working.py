"""The card shown while a long card action goes on in the background."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard

from cards.common import card, execute, notice
from cards.verbs import Verb
from i18n.messages import t


def working_card(lang: str, *, check_verb: Verb, record_id: str) -> AdaptiveCard:
    """"Työ on kesken": the card is updated in place when the work is done; the button looks again."""
    return card([notice(t("work.in_progress", lang), attention=False)],
                [execute(t("work.check", lang), check_verb, record_id=record_id)], lang=lang)
