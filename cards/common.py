"""Small pieces every card uses."""

from __future__ import annotations

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

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


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
