"""The language card: the choices (``kieli fi`` / ``språk sv`` / ``language en``) and a confirmation."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement

from cards.common import card, facts, notice, text, title
from i18n.catalog import LANGUAGES, supported
from i18n.messages import t

#: The command word each language uses; the card shows the reader's own.
COMMAND_WORDS = {"fi": "kieli", "sv": "språk", "en": "language"}


def language_card(lang: str, *, changed: bool = False, problem: str | None = None) -> AdaptiveCard:
    """In ``lang``: the confirmation when the user just chose it, a polite ``problem``, and the choices."""
    lang = supported(lang)
    word = COMMAND_WORDS[lang]
    body: list[CardElement] = [title(t("language.title", lang))]
    if changed:
        body.append(text(t("language.changed", lang, language=t(f"language.name.{lang}", lang))))
    if problem:
        body.append(notice(problem))
    if not changed:
        body.append(text(t("language.current", lang, language=t(f"language.name.{lang}", lang))))
    body += [facts([(f"{word} {code}", t(f"language.name.{code}", lang)) for code in LANGUAGES]),
             text(t("language.how", lang, example=f"{word} {'fi' if lang != 'fi' else 'sv'}"), subtle=True)]
    return card(body, lang=lang)
