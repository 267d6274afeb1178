"""The status card of a booked convening in the near worker's personal chat (the services' StatusCards port)."""

from __future__ import annotations

import logging

from bot.proactive import Messenger
from cards.booked import booked_card
from domain.convening import Convening
from services.teams import TeamRegistry

log = logging.getLogger(__name__)


class ChatStatusCards:
    """Shows the answers card: updated in place where it is, or sent anew when there is none to update."""

    def __init__(self, teams: TeamRegistry, messenger: Messenger) -> None:
        self._teams = teams
        self._messenger = messenger

    async def show(self, convening: Convening) -> None:
        """Updates the status card in place, or sends it when there is none yet."""
        card = booked_card(convening, self._teams.team(convening.team_key), convening.lang)
        if convening.status_activity_id and await self._messenger.update(
                convening.convener_id, convening.status_activity_id, card):
            return
        await self._messenger.send(convening.convener_id, card)
        log.info("status card sent anew", extra={"convening": convening.id})
