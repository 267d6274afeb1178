"""Which language the bot speaks to a user: their own choice first, then the Teams client's locale.

The one place a turn's language is decided (:meth:`LanguageChooser.of`). A user chooses with
``kieli sv`` / ``språk fi`` / ``language en``; the choice is kept per user (aadObjectId) and wins
over the client's locale in every chat, card action and welcome from then on.
"""

from __future__ import annotations

import logging
from typing import Protocol

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext
from microsoft_teams.cards import AdaptiveCard

from bot.safe_logging import log_failure, new_reference
from cards.language_card import language_card
from i18n.catalog import Language
from i18n.messages import t

log = logging.getLogger(__name__)

#: The command, in each language; the argument is the language ("kieli sv").
LANGUAGE_COMMANDS = frozenset({"kieli", "språk", "language"})

#: What a user may write after the command: codes, and the languages' names in the three languages.
CHOICES: dict[str, Language] = {
    "fi": "fi", "suomi": "fi", "suomeksi": "fi", "finska": "fi", "finnish": "fi",
    "sv": "sv", "svenska": "sv", "ruotsi": "sv", "ruotsiksi": "sv", "swedish": "sv",
    "en": "en", "english": "en", "englanti": "en", "englanniksi": "en", "engelska": "en",
}

_TURN_KEY = "yhdessa_aika.language"


class LanguagePreferences(Protocol):
    """Where users' language choices are kept (state.preferences.DocumentPreferenceStore)."""

    async def language(self, user_id: str) -> str | None:
        """The language the user chose, or None."""
        ...

    async def set_language(self, user_id: str, language: Language) -> None:
        """Remembers the user's choice."""
        ...


def locale_language(activity: Activity) -> str:
    """Finnish first: Swedish for a Swedish client locale, Finnish otherwise.

    English is offered by explicit choice only (``language en``): Teams clients (and the Agents
    Playground, which always says en-US) often run in English for staff who work in Finnish.
    """
    locale = (activity.locale or "").lower()
    return "sv" if locale.startswith("sv") else "fi"


def _user_id(activity: Activity) -> str | None:
    sender = activity.from_property
    return sender.aad_object_id if sender is not None and sender.aad_object_id else None


class LanguageChooser:
    """Decides each turn's language and handles the language command."""

    def __init__(self, preferences: LanguagePreferences | None) -> None:
        self._preferences = preferences

    async def of(self, context: TurnContext) -> str:
        """The user's own choice, else the client locale's; decided once per turn."""
        known = context.turn_state.get(_TURN_KEY)
        if isinstance(known, str):
            return known
        lang = await self._chosen(context.activity) or locale_language(context.activity)
        context.turn_state[_TURN_KEY] = lang
        return lang

    async def command(self, context: TurnContext, arguments: list[str]) -> AdaptiveCard:
        """``kieli sv``: remembers the choice and confirms in the new language; without one, lists the choices."""
        current = await self.of(context)
        if not arguments:
            return language_card(current)
        chosen = CHOICES.get(arguments[0].strip(".!"))
        if chosen is None:
            return language_card(current, problem=t("language.unknown", current))
        user_id = _user_id(context.activity)
        if user_id is None or self._preferences is None:
            return language_card(current, problem=t("convening.not_in_directory", current))
        await self._preferences.set_language(user_id, chosen)
        context.turn_state[_TURN_KEY] = chosen
        return language_card(chosen, changed=True)

    async def _chosen(self, activity: Activity) -> str | None:
        user_id = _user_id(activity)
        if user_id is None or self._preferences is None:
            return None
        try:
            return await self._preferences.language(user_id)
        except Exception as err:  # noqa: BLE001 - an unreadable choice must not fail the turn: the locale speaks
            log_failure(log, "read language preference", err, new_reference())
            return None


def turn_language(context: TurnContext) -> str:
    """The language this turn was answered in so far (for the error handler), else the client locale's."""
    known = context.turn_state.get(_TURN_KEY)
    return known if isinstance(known, str) else locale_language(context.activity)
