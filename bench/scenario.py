"""A convening as a near worker does it in Teams: ``uusi``, the form, proposals, a booking, a cancellation."""

from __future__ import annotations

from typing import Any

from bench.harness import User, actions, inputs


async def open_form(user: User) -> tuple[str, dict[str, str]]:
    """Types ``uusi``; the new convening's id and the form's default values."""
    cards = await user.say("uusi")
    search = [a for card in cards for a in actions(card, "convening.search")]
    if not search:
        raise RuntimeError("no convening form after 'uusi'")
    form = next(card for card in reversed(cards) if actions(card, "convening.search"))
    return str(search[-1]["data"]["conveningId"]), inputs(form)


def form_values(defaults: dict[str, str], roles: str, venue: str) -> dict[str, str]:
    """The form filled in: a family reference, consent, the roles and the venue."""
    return {**defaults, "familyRef": "Perhe B.", "consent": "true", "roles": roles, "venue": venue}


async def search(user: User, convening_id: str, values: dict[str, str]) -> dict[str, Any]:
    """Etsi aikoja: the proposals card."""
    return await user.act("convening.search", {"conveningId": convening_id, **values})


def bookings(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The proposals' "Varaa tämä aika" payloads."""
    return [a["data"] for a in actions(card, "convening.book")]


async def book_first_free(user: User, card: dict[str, Any]) -> bool:
    """Books the first proposal still free (another simulated user may have taken one meanwhile)."""
    for data in bookings(card):
        booked = await user.act("convening.book", data)
        if actions(booked, "convening.cancel"):
            return True
    return False


async def cancel(user: User, convening_id: str) -> None:
    """Peru: the event is cancelled (the time is free again for the next round)."""
    await user.act("convening.cancel_confirm", {"conveningId": convening_id, "comment": ""})
