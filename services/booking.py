"""Booking: the chosen time becomes one Outlook event; moving it (the same event) and cancelling it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from domain.convening import Booking, Convening, ConveningStatus
from domain.sensitive_text import text_problem
from domain.slots import Slot
from i18n.messages import t
from services.caller import Caller
from services.errors import UserFacingError, refusals_carry
from services.invitation_text import event_draft
from services.ports import Calendar, ConveningStore, NoStatistics, ShortLinks, SlotReservations, StatisticsRecorder
from services.proposing import Proposing, SearchOutcome
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords

log = logging.getLogger(__name__)

#: How long proposals are trusted without asking Graph again at booking (the reservation index covers
#: the bot's own bookings meanwhile).
PROPOSALS_FRESH = timedelta(minutes=10)
#: How long the family's short Teams link works after the meeting's booked end (a meeting running late).
FAMILY_LINK_AFTER_END = timedelta(hours=12)


class Bookings:
    """Book, move and cancel the convening's Outlook event, independent of Teams and Graph."""

    def __init__(self, *, teams: TeamRegistry, calendar: Calendar, store: ConveningStore,
                 clock: Callable[[], datetime], proposing: Proposing, reservations: SlotReservations | None = None,
                 fresh_for: timedelta = PROPOSALS_FRESH, statistics: StatisticsRecorder | None = None,
                 short_links: ShortLinks | None = None) -> None:
        self._teams = teams
        self._calendar = calendar
        self._store = store
        self._clock = clock
        self._proposing = proposing
        self._reservations = reservations
        self._fresh_for = fresh_for
        self._statistics: StatisticsRecorder = statistics or NoStatistics()
        self._short_links = short_links

    async def book(self, convening_id: str, caller: Caller, slot_index: int) -> Convening:
        """Books proposal ``slot_index``: the Outlook event with room and/or Teams link.

        Idempotent: a repeated click (or a retry after a failure) reuses the
        convening's transactionId, so Graph never creates a second event.
        """
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if convening.status is ConveningStatus.BOOKED:
            await self._statistics.convened(convening)  # counted once: a retry after a crash still counts it
            return convening
        if convening.status is ConveningStatus.CANCELLED:
            raise UserFacingError("convening.cancelled")
        if convening.request is None or not 0 <= slot_index < convening.shown:
            raise UserFacingError("convening.bad_slot")
        slot = convening.proposals[slot_index]
        if convening.status is ConveningStatus.RESCHEDULING and convening.booking is not None:
            await self._still_free(replace(convening, invitees=tuple(
                p for p in convening.invitees if p.email.lower() not in convening.going_without)), slot)
            return await self._move(records, convening, slot)
        if convening.status is ConveningStatus.BOOKING and convening.chosen not in (None, slot):
            # A different slot was already being booked: finish that one, not a second event.
            slot = convening.chosen or slot
        if convening.status is not ConveningStatus.BOOKING:
            await self._still_free(convening, slot)
        # Saved before Outlook is asked: a retry after a crash finds the choice and finishes the same event.
        choosing = await records.save_or_refuse(convening.choosing(slot))
        team = self._teams.team(convening.team_key)
        draft = event_draft(choosing, choosing.request or convening.request, team, slot)
        created = await self._calendar.create_event(convening.convener_id, draft)
        booking = Booking(event_id=created.id, start=slot.start, end=slot.end, room=slot.room,
                          join_url=created.join_url, room_declined=created.room_response == "declined",
                          family_link=await self._family_link(created.join_url, slot))
        booked = await records.save_or_refuse(choosing.booked(booking))
        await self._statistics.convened(booked)
        log.info("convening booked", extra={"convening": convening.id, "venue": draft.online})
        return booked

    async def reschedule(self, convening_id: str, caller: Caller) -> SearchOutcome:
        """New times for everyone still coming (the booked event will be moved, not duplicated)."""
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if convening.status not in (ConveningStatus.BOOKED, ConveningStatus.RESCHEDULING) or convening.request is None:
            raise UserFacingError("convening.not_booked")
        invitees = tuple(p for p in convening.invitees if p.email.lower() not in convening.going_without)
        if not invitees:
            raise UserFacingError("convening.reschedule_nobody")
        return await self._proposing.propose(records, convening, convening.request, invitees)

    async def cancel(self, convening_id: str, caller: Caller, comment: str) -> Convening:
        """Cancels the Outlook event with a short message to the invitees.

        A refused message is a ConveningRefusedError carrying the convening (its event is kept).
        """
        records = ConveningRecords(self._store)
        convening = await records.own(convening_id, caller)
        if convening.status is ConveningStatus.CANCELLED:
            return convening
        with refusals_carry(convening):
            if convening.booking is None:
                raise UserFacingError("convening.not_booked")
            problem = text_problem(comment, max_length=300)
            if problem is not None:
                raise UserFacingError(f"cancel.{problem.value}")
        await self._calendar.cancel_event(convening.convener_id, convening.booking.event_id,
                                          comment.strip() or t("cancel.default_message", convening.lang))
        # The time is free again as soon as Outlook has cancelled it; before saving, because Outlook's change
        # notification may mark the convening cancelled first (then the save below is refused).
        await release_booked_time(self._reservations, convening)
        if convening.booking.family_link and self._short_links is not None:
            await self._short_links.withdraw(convening.booking.family_link)  # a printed invitation still has it
        return await records.save_or_refuse(replace(convening, status=ConveningStatus.CANCELLED))

    async def _family_link(self, join_url: str | None, slot: Slot, *, reuse: str | None = None) -> str | None:
        """The family's short link to the Teams meeting, working until a while after ``slot`` ends (the same
        link, extended, when the meeting moves); None without a Teams meeting or a short-link store."""
        if not join_url or self._short_links is None:
            return None
        return await self._short_links.publish(join_url, slot.end + FAMILY_LINK_AFTER_END, reuse=reuse)

    async def _still_free(self, convening: Convening, slot: Slot) -> None:
        """Proposals age: another convening (or someone in Outlook) may have taken the time meanwhile.

        The bot's own bookings are in the reservation index (no Graph call): reserving the slot for
        everyone fails if another convening holds any of them then, so two bookings never land on the
        same people. Proposals older than the freshness window are also checked with one getSchedule
        over just this slot (bookings made in Outlook since)."""
        people = [convening.convener_email, *(p.email for p in convening.invitees)]
        addresses = [*people, *([slot.room] if slot.room else [])]
        proposed_at = convening.proposed_at
        fresh = (self._reservations is not None and proposed_at is not None
                 and self._clock() - proposed_at <= self._fresh_for)
        if not fresh and not await self._proposing.free_at(convening, slot):
            raise UserFacingError("convening.slot_taken")
        if self._reservations is not None and not await self._reservations.reserve(
                convening.id, addresses, slot.start, slot.end):
            raise UserFacingError("convening.slot_taken")

    async def _move(self, records: ConveningRecords, convening: Convening, slot: Slot) -> Convening:
        """Moves the booked event to ``slot``: the same event, updated (Outlook sends the update)."""
        assert convening.booking is not None and convening.request is not None
        team = self._teams.team(convening.team_key)
        draft = event_draft(convening, convening.request, team, slot)
        updated = await self._calendar.update_event(convening.convener_id, convening.booking.event_id, draft)
        booking = replace(convening.booking, start=slot.start, end=slot.end, room=slot.room,
                          room_declined=updated.room_response == "declined",
                          family_link=await self._family_link(convening.booking.join_url, slot,
                                                              reuse=convening.booking.family_link))
        old = convening.booking
        if self._reservations is not None and (old.start, old.end) != (slot.start, slot.end):
            await self._reservations.release(convening.id, old.start, old.end)
        # A new time asks everyone again: Outlook resets the answers.
        moved = replace(convening.booked(booking), responses={}, start_notified=False, reminded=False,
                        chosen=slot, proposals=(), shown=0)
        return await records.save_or_refuse(moved)


async def release_booked_time(reservations: SlotReservations | None, convening: Convening) -> None:
    """Gives the booked time's reservation back (a cancelled meeting)."""
    if reservations is not None and convening.booking is not None:
        await reservations.release(convening.id, convening.booking.start, convening.booking.end)
