"""The proposals card in the near worker's personal chat (the services' ProposalCards port): answers to the
e-mailed questions about suitable times appear on it as they come."""

from __future__ import annotations

import logging

from bot.proactive import Messenger
from cards.proposals import proposals_card
from domain.convening import Convening
from services.teams import TeamRegistry

log = logging.getLogger(__name__)


class ChatProposalCards:
    """Shows the proposals card: updated in place where it is, or sent anew when there is none to update."""

    def __init__(self, teams: TeamRegistry, messenger: Messenger) -> None:
        self._teams = teams
        self._messenger = messenger

    async def show(self, convening: Convening) -> None:
        """Updates the proposals card in place, or sends it when its message is not known (or is gone)."""
        card = proposals_card(convening, self._teams.team(convening.team_key), convening.lang)
        if convening.proposals_activity_id and await self._messenger.update(
                convening.convener_id, convening.proposals_activity_id, card):
            return
        await self._messenger.send(convening.convener_id, card)
        log.info("proposals card sent anew", extra={"convening": convening.id})
