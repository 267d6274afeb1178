"""Watching the organizer's calendar, on fakes: one subscription per mailbox, renewed in time, recreated when
Graph has lost it, and a failure tried again later."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.errors import ServiceUnavailableError
from tests.fakes.clock import ORDINARY
from tests.fakes.team import LIISA_ID
from tests.fakes.world import world


async def test_one_subscription_per_mailbox_however_often_it_is_asked_for() -> None:
    w = world(ORDINARY)

    first = await w.subscriptions.ensure(LIISA_ID)
    again = await w.subscriptions.ensure(LIISA_ID)

    assert first is not None and first == again and list(w.gateway.subscriptions) == [first]
    assert w.gateway.subscriptions[first].resource == f"users/{LIISA_ID}/events"


async def test_a_subscription_graph_lost_is_created_anew_and_its_events_resynchronised() -> None:
    w = world(ORDINARY)
    lost = await w.subscriptions.ensure(LIISA_ID)
    assert lost is not None
    del w.gateway.subscriptions[lost]
    w.clock.advance(timedelta(days=4))  # past half of the lifetime: renewal is due

    report = await w.subscriptions.renew_due()

    assert report.recreated == 1 and report.resync == (LIISA_ID,)
    record = await w.subscriptions.current(LIISA_ID)
    assert record is not None and record.subscription_id in w.gateway.subscriptions


async def test_a_failed_creation_is_raised_and_tried_again_after_the_retry_delay() -> None:
    w = world(ORDINARY)
    w.gateway.failures.append(ServiceUnavailableError(503, "ServiceUnavailable"))

    with pytest.raises(ServiceUnavailableError):
        await w.subscriptions.ensure(LIISA_ID)
    assert w.gateway.subscriptions == {}

    w.clock.advance(timedelta(minutes=6))
    report = await w.subscriptions.renew_due()

    assert report.recreated == 1 and len(w.gateway.subscriptions) == 1
