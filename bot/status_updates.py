"""Answers from Outlook to the near worker's card: read the event, store the answers, update the card in place."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.proactive import Messenger
from bot.safe_logging import log_failure, new_reference
from cards.booked import booked_card
from domain.convening import Answer, Convening, ConveningStatus, Response
from graph.errors import GraphUnavailableError
from services.convening_service import ConveningService
from services.ports import Calendar

log = logging.getLogger(__name__)


class AnswerMail(Protocol):
    """The messages invitees wrote with their answers (graph.mail.GraphMail)."""

    async def answer_messages(self, organizer_id: str, event_id: str, since: datetime) -> dict[str, str]:
        """Latest comment per attendee address."""
        ...


class StatusUpdater:
    """Called for every verified change notification about an organizer's events."""

    def __init__(self, convenings: ConveningService, calendar: Calendar, messenger: Messenger,
                 mail: AnswerMail | None = None) -> None:
        self._convenings = convenings
        self._calendar = calendar
        self._messenger = messenger
        self._mail = mail

    async def on_change(self, organizer_id: str, event_id: str, change_type: str) -> None:
        """Reads the event's answers; when they changed, the near worker's card is updated in place."""
        convening = await self._convenings.by_event(organizer_id, event_id)
        if convening is None or convening.booking is None:
            return  # not an event the bot booked
        answers = None if change_type == "deleted" else await self._calendar.event_responses(organizer_id, event_id)
        if answers and any(a.answer is Answer.DECLINED for a in answers.values()):
            answers = await self._with_decline_messages(organizer_id, event_id, convening, answers)
        updated = await self._convenings.record_responses(convening.id, answers)
        if updated is not None:
            await self.show(updated)

    async def _with_decline_messages(self, organizer_id: str, event_id: str, convening: Convening,
                                     answers: dict[str, Response]) -> dict[str, Response]:
        """A decline's message comes by mail to the organizer, not on the event: read it (never logged)."""
        if self._mail is None:
            return answers
        try:
            comments = await self._mail.answer_messages(organizer_id, event_id, convening.created_at)
        except GraphUnavailableError as err:
            log_failure(log, "decline messages", err, new_reference())  # the card shows the decline without it
            return answers
        return {email: replace(a, comment=comments.get(email, "")) if a.answer is Answer.DECLINED else a
                for email, a in answers.items()}

    async def on_missed(self, organizer_id: str) -> None:
        """Some notifications were lost: re-read every booked event of the organizer."""
        for convening in await self._convenings.booked_by(organizer_id):
            if convening.booking is not None:
                await self.on_change(organizer_id, convening.booking.event_id, "updated")

    async def show(self, convening: Convening) -> None:
        """Updates the status card in place, or sends it when there is none yet."""
        team = self._convenings.team(convening.team_key)
        card = booked_card(convening, team, convening.lang)
        if convening.status not in (ConveningStatus.BOOKED, ConveningStatus.CANCELLED):
            return
        if convening.status_activity_id and await self._messenger.update(
                convening.convener_id, convening.status_activity_id, card):
            return
        await self._messenger.send(convening.convener_id, card)
        log.info("status card sent anew", extra={"convening": convening.id})
