"""The errors crossing the ports: one hierarchy (Graph's failure is the ports' ServiceUnavailableError, with
its Retry-After), refusals that carry the record, and a unit of work that saves only what it read."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from kiota_abstractions.api_error import APIError

from graph.errors import GraphUnavailableError, call
from services.errors import (
    ConveningRefusedError,
    MeetingRefusedError,
    ServiceUnavailableError,
    UserFacingError,
    refusals_carry,
)
from services.unit_of_work import ConveningRecords
from tests.fakes.stores import InMemoryConveningStore
from tests.support.samples import sample_convening


async def test_a_graph_failure_is_the_ports_error_with_status_code_and_retry_after() -> None:
    async def throttled() -> None:
        raise APIError("throttled", 429, httpx.Headers({"Retry-After": "120"}))  # type: ignore[arg-type]

    with pytest.raises(ServiceUnavailableError) as caught:
        await call(throttled)

    assert isinstance(caught.value, GraphUnavailableError)
    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)
    assert "throttled" not in str(caught.value), "Graph's message may echo request data"


def test_a_refusal_inside_the_block_carries_the_record_and_keeps_key_and_params() -> None:
    convening = sample_convening()

    with pytest.raises(ConveningRefusedError) as caught, refusals_carry(convening):
        raise UserFacingError("convening.network_not_found", entry="x")

    assert caught.value.convening is convening
    assert (caught.value.key, caught.value.params) == ("convening.network_not_found", {"entry": "x"})
    assert not issubclass(MeetingRefusedError, ConveningRefusedError)


async def test_the_unit_of_work_saves_only_what_it_read_and_refuses_a_change_made_meanwhile() -> None:
    store = InMemoryConveningStore()
    convening = sample_convening()
    await store.add(convening)

    with pytest.raises(LookupError):
        await ConveningRecords(store).save(convening)

    records = ConveningRecords(store)
    read = await records.get(convening.id)
    assert read is not None
    # Not only Outlook's answers (those are merged: tests/services/test_answers.py): the language changed.
    store.change_meanwhile(convening.id, lambda c: replace(c, lang="sv"))
    with pytest.raises(ConveningRefusedError) as caught:
        await records.save_or_refuse(read)
    assert caught.value.key == "convening.changed_meanwhile"
    assert caught.value.convening == store.record(convening.id), "the refusal carries the record as stored now"
