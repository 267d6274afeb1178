"""Booking a Teams meeting makes the family's short link; moving the meeting keeps the same link; cancelling it
withdraws the link."""

from __future__ import annotations

from pathlib import Path

from domain.convening import Venue
from services.booking import FAMILY_LINK_AFTER_END, Bookings
from state.documents import SqliteDocuments
from state.short_links import ShortLinkStore
from tests.fakes.clock import ORDINARY
from tests.fakes.world import world
from tests.services.journey import booked


async def test_a_teams_meeting_gets_a_short_link_for_the_family_and_keeps_it_when_moved(tmp_path: Path) -> None:
    w = world(ORDINARY)
    docs = SqliteDocuments(tmp_path / "state.db")
    links = ShortLinkStore(docs, "https://bot.example", w.clock)
    w.bookings = Bookings(teams=w.teams, calendar=w.calendar, store=w.convening_store, clock=w.clock,
                          proposing=w.proposing, reservations=w.reservations, statistics=w.statistics,
                          short_links=links)
    try:
        convening = await booked(w, venue=Venue.REMOTE)
        assert convening.booking is not None and convening.booking.join_url
        link = convening.booking.family_link
        assert link is not None and link.startswith("https://bot.example/t/")
        token = link.rsplit("/", 1)[1]
        assert await links.resolve(token) == convening.booking.join_url

        await w.bookings.reschedule(convening.id, w.liisa)
        moved = await w.bookings.book(convening.id, w.liisa, 1)
        assert moved.booking is not None and moved.booking.family_link == link
        assert moved.booking.start != convening.booking.start
        w.clock.set(moved.booking.end + FAMILY_LINK_AFTER_END - (moved.booking.end - moved.booking.start))
        assert await links.resolve(token) == convening.booking.join_url, "working until after the new time"

        await w.bookings.cancel(convening.id, w.liisa, "")
        assert await links.resolve(token) is None and await links.withdrawn(token), "cancelled: it says so"

        in_a_room = await booked(w, venue=Venue.ROOM)
        assert in_a_room.booking is not None and in_a_room.booking.family_link is None
    finally:
        docs.close()
