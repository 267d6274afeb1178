"""The welcome and help card."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard

from cards.common import card, execute, facts, text, title
from cards.verbs import Verb
from i18n.messages import t

#: The commands, in the order shown; the manifest declares the same (the last two for coordinators).
COMMANDS = (("uusi", "command.new"), ("tilanne", "command.status"), ("ohje", "command.help"),
            ("kieli", "command.language"), ("tilastot", "command.statistics"), ("valmius", "command.readiness"))
#: The same commands as a Swedish or English speaker types them (bot/teams_app.py accepts all three).
_COMMAND_WORDS = {
    "sv": {"uusi": "ny", "tilanne": "status", "ohje": "hjälp", "kieli": "språk", "tilastot": "statistik",
           "valmius": "beredskap"},
    "en": {"uusi": "new", "tilanne": "status", "ohje": "help", "kieli": "language", "tilastot": "statistics",
           "valmius": "readiness"},
}


def welcome_card(lang: str = "fi") -> AdaptiveCard:
    """What the bot does, how a meeting is started when its time comes, the commands, and a button to start."""
    return card(
        [
            title(t("welcome.title", lang)),
            text(t("welcome.what", lang)),
            text(t("welcome.how", lang)),
            text(t("welcome.meeting", lang)),
            text(t("welcome.commands", lang), bold=True),
            facts([(_COMMAND_WORDS.get(lang, {}).get(name, name), t(key, lang)) for name, key in COMMANDS]),
            text(t("help.privacy", lang), subtle=True),
        ],
        [execute(t("welcome.start", lang), Verb.START, primary=True),
         execute(t("status.title", lang), Verb.STATUS)],
        lang=lang,
    )
