"""``valmius`` (``beredskap``, ``readiness``) and the readiness card's "Tarkista uudelleen": coordinators only.

Who is a coordinator comes from the teams file and the caller's directory address (the channel's identity),
never from the payload, which carries nothing. Anyone else gets a polite refusal and nothing is probed.
"""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard
from pydantic import BaseModel, ConfigDict

from bot.action_router import ActionContext, ActionRouter
from cards.readiness_card import readiness_card
from cards.verbs import Verb
from services.readiness import Readiness


class ReadinessPayload(BaseModel):
    """The card sends only its verb."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class ReadinessActions:
    """The handler behind ``valmius`` and the readiness card."""

    def __init__(self, readiness: Readiness) -> None:
        self._readiness = readiness

    def register(self, router: ActionRouter) -> None:
        """Adds the readiness verb to ``router``."""
        router.add(Verb.READINESS, ReadinessPayload, self.show)

    async def show(self, ctx: ActionContext, _: ReadinessPayload) -> AdaptiveCard:
        """The organisations as measured now; a refusal (services.errors.UserFacingError) for anyone else."""
        return readiness_card(await self._readiness.check(ctx.caller), ctx.lang)
