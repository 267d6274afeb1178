"""Small pieces every card uses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from microsoft_teams.cards import (
    Action,
    ActionSet,
    AdaptiveCard,
    CardElement,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    TextBlock,
)

from cards.verbs import Verb
from domain.sensitive_text import clean_text
from i18n.messages import t

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# Teams renders a Markdown subset in TextBlock.text, Fact.title and Fact.value (links, emphasis, lists), turns
# bare addresses into links and expands {{DATE()}}/{{TIME()}}. Outside text goes through ``inert`` first.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>~])")
_NUMBERED_ITEM = re.compile(r"^([ \t]*\d{1,9})([.)])(?=[ \t]|$)", re.MULTILINE)
# A line-leading marker: a list item, a heading, or a rule / setext underline ("---", "===").
_LINE_MARKER = re.compile(r"^([ \t]*)([-+#=])(?=[ \t]|$|\2)", re.MULTILINE)
# A dot inside a host name ("www.x.fi", "x.com/…"): a one-dot leader (U+2024) looks the same but is no dot to a
# linkifier; NFKC folds it back to "." if the text is pasted into an input again, so no check is dodged.
_HOST_DOT = re.compile(r"(?<=[\w-])\.(?=[^\W\d_])")
_SCHEME = re.compile(r"(?<=\S):(?=//)")
_AT = re.compile(r"(?<=\S)@")
_WORD_JOINER = "\u2060"
_BRACES = re.compile(r"\{(?=\{)")


def inert(value: str) -> str:
    """Outside text (anything a user typed, an Outlook message, a display name from Graph) for a TextBlock or Fact.

    Shown as the very characters, never as markup or a link: cleaned (no bidi overrides or invisible
    characters), CommonMark's inline markers (``\\ ` * _ [ ] < > ~``) and line-leading list or heading markers
    escaped with a backslash, ``{{`` split so no date function runs, and URLs and e-mail addresses broken for
    linkifiers (a word joiner after a scheme's colon and before "@", one-dot leaders in host names).
    """
    shown = _BRACES.sub("{" + _WORD_JOINER, clean_text(value))
    shown = _AT.sub(_WORD_JOINER + "@", _SCHEME.sub(":" + _WORD_JOINER, _HOST_DOT.sub("\u2024", shown)))
    shown = _INLINE_MARKUP.sub(r"\\\1", shown)
    return _LINE_MARKER.sub(r"\1\\\2", _NUMBERED_ITEM.sub(r"\1\\\2", shown))


def quoted(key: str, lang: str, **params: str) -> str:
    """Message ``key`` with every parameter shown as outside text (``inert``): e.g. a refusal naming an entry."""
    return t(key, lang, **{name: inert(value) for name, value in params.items()})


def card(body: Sequence[CardElement], actions: Sequence[Action] = (), *, lang: str = "fi") -> AdaptiveCard:
    """A version 1.5 card."""
    return AdaptiveCard(version="1.5", lang=lang, body=list(body),
                        actions=list(actions) or None)


def title(text: str) -> TextBlock:
    """The card's heading."""
    return TextBlock(text=text, size="Large", weight="Bolder", wrap=True, style="heading")


def text(value: str, *, subtle: bool = False, bold: bool = False) -> TextBlock:
    """A wrapped paragraph."""
    return TextBlock(text=value, wrap=True, is_subtle=subtle or None, weight="Bolder" if bold else None)


def notice(value: str, *, attention: bool = True) -> Container:
    """A highlighted message: a refusal (attention) or a warning."""
    return Container(style="attention" if attention else "warning",
                     items=[TextBlock(text=value, wrap=True, weight="Bolder")])


def facts(pairs: Sequence[tuple[str, str]]) -> FactSet:
    """Label–value pairs."""
    return FactSet(facts=[Fact(title=k, value=v) for k, v in pairs])


#: Verbs that read the card's inputs. Every other action sends none, so a half-filled or
#: out-of-range input never blocks a navigation button such as "Takaisin".
INPUT_VERBS = frozenset({Verb.SEARCH, Verb.STAR_SAVE, Verb.PLAN_SAVE, Verb.FEEDBACK_SAVE, Verb.CANCEL_CONFIRM})


def execute(title_text: str, verb: Verb, *, record_id: str | None = None, primary: bool = False,
            **extra: Any) -> ExecuteAction:
    """An Action.Execute that sends ``verb`` with the record id (and small extras such as an index)."""
    data: dict[str, Any] = {"verb": str(verb)}
    if record_id is not None:
        data["conveningId"] = record_id
    data.update(extra)
    return ExecuteAction(title=title_text, verb=str(verb), data=data, style="positive" if primary else None,
                         associated_inputs=None if verb in INPUT_VERBS else "none")


def action_row(*actions: Action) -> ActionSet:
    """Buttons inside the body (e.g. one per proposed slot)."""
    return ActionSet(actions=list(actions))


def to_json(value: AdaptiveCard) -> dict[str, Any]:
    """The card as the JSON Teams receives."""
    return value.model_dump(mode="json", by_alias=True, exclude_none=True)


def attachment(value: AdaptiveCard) -> dict[str, Any]:
    """The card wrapped as a message attachment."""
    return {"contentType": CARD_CONTENT_TYPE, "content": to_json(value)}
