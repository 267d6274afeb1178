"""Routing Action.Execute by verb to typed handlers, with one place for refusals and failures."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from microsoft_teams.cards import AdaptiveCard
from pydantic import BaseModel, ValidationError

from bot.safe_logging import log_failure, new_reference
from cards.common import quoted
from cards.status import notice_card
from cards.verbs import Verb
from i18n.messages import t
from services.caller import Caller
from services.errors import ServiceUnavailableError, UserFacingError

log = logging.getLogger(__name__)
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class ActionContext:
    """Who acts and in which language: from the activity, never from the payload."""

    caller: Caller
    lang: str
    message_id: str | None = None  # the chat message whose card was acted on (to update it later)
    personal: bool = True  # in the user's personal chat with the bot (else a group, meeting or team chat)


@dataclass(frozen=True)
class NewCard:
    """A new phase of the work: ``card`` is posted as a new message and the card acted on stays as it was.

    A card is updated in place only when it is the same thing changing (a step ticked, a star saved); the
    booked facts, the family's invitation text and the structure stay in the chat for the worker to return to.
    ``note_key`` is the catalog key of the short line Teams shows under the card acted on.
    """

    card: AdaptiveCard
    note_key: str = "action.opened_below"


def new_phase(ctx: ActionContext, card: AdaptiveCard) -> ActionResult:
    """A new phase in the worker's own chat posts a new card (the one clicked keeps the booked facts, the
    invitation text, the structure); on a shared card in a group or meeting chat the answer stays in place,
    shown to the clicker only, so nothing of the meeting's content is posted for the whole chat."""
    return NewCard(card) if ctx.personal else card


#: What an action gives: the card to show in place of the one acted on, or a new card below it.
ActionResult = AdaptiveCard | NewCard
Handler = Callable[[ActionContext, P], Awaitable[ActionResult]]
InvalidHandler = Callable[[ActionContext, Mapping[str, Any]], Awaitable[ActionResult]]


@dataclass(frozen=True)
class _Route(Generic[P]):
    model: type[P]
    handler: Handler[P]
    on_invalid: InvalidHandler | None


class ActionRouter:
    """A table from verb to (payload model, handler)."""

    def __init__(self) -> None:
        self._routes: dict[str, _Route[Any]] = {}

    def add(self, verb: Verb, model: type[P], handler: Handler[P], *, on_invalid: InvalidHandler | None = None) -> None:
        """Registers ``handler`` for ``verb``; payloads are validated with ``model`` first."""
        if verb.value in self._routes:
            raise ValueError(f"verb {verb.value} registered twice")
        self._routes[verb.value] = _Route(model, handler, on_invalid)

    def verbs(self) -> frozenset[str]:
        """The registered verbs."""
        return frozenset(self._routes)

    async def dispatch(self, verb: object, data: object, ctx: ActionContext) -> ActionResult:
        """The card to show in place of the one acted on, or a new one to post below it. Never raises."""
        route = self._routes.get(verb) if isinstance(verb, str) else None
        if route is None:
            return notice_card(t("action.unknown", ctx.lang), ctx.lang)
        raw: Mapping[str, Any] = data if isinstance(data, Mapping) else {}
        try:
            payload = route.model.model_validate(raw)
        except ValidationError:
            if route.on_invalid is not None:
                return await self._guard(lambda: route.on_invalid(ctx, raw), ctx, raw)  # type: ignore[misc]
            return notice_card(t("input.invalid", ctx.lang), ctx.lang)
        return await self._guard(lambda: route.handler(ctx, payload), ctx, raw)

    async def _guard(self, call: Callable[[], Awaitable[ActionResult]], ctx: ActionContext,
                     raw: Mapping[str, Any]) -> ActionResult:
        record = raw.get("conveningId") if isinstance(raw.get("conveningId"), str) else None
        try:
            return await call()
        except UserFacingError as err:
            return notice_card(quoted(err.key, ctx.lang, **err.params), ctx.lang, convening_id=_safe_id(record))
        except ServiceUnavailableError as err:
            ref = new_reference()
            log_failure(log, "graph call", err, ref)
            return notice_card(t("error.graph_unavailable", ctx.lang, ref=ref), ctx.lang,
                               convening_id=_safe_id(record))
        except Exception as err:  # noqa: BLE001 - the user gets a reference, the log gets the type and place
            ref = new_reference()
            log_failure(log, "card action", err, ref)
            return notice_card(t("error.unexpected", ctx.lang, ref=ref), ctx.lang)


def _safe_id(value: str | None) -> str | None:
    """Echo a record id back onto a card only if it has the shape of one."""
    if value and len(value) == 16 and all(c in "0123456789abcdef" for c in value):
        return value
    return None
