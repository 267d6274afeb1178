"""The document store contract on SQLite and on Azure Blob Storage (Azurite), and two bot instances on one store.

The contract tests run against every implementation: SqliteDocuments, BlobDocuments with blob index tags and
BlobDocuments with listing. The multi-instance tests build two independent BlobDocuments (each with its own
HTTP session) on one Azurite container, with a DocumentConveningStore and the use cases on each.
"""

from __future__ import annotations

import asyncio
import logging
import random
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ResourceModifiedError
from azure.storage.blob.aio import BlobClient
from pydantic import TypeAdapter

from bot.safe_logging import CHATTY_LIBRARIES, quiet_chatty_libraries
from bot.team_config import load_teams
from domain.convening import Answer, Convening, Person, Response
from domain.finnish_calendar import FinnishHolidays
from services.answers import Answers
from services.caller import Caller
from services.convenings import ConveningQueries
from services.errors import StaleWriteError
from services.housekeeping import Housekeeping
from services.meeting_settings import MeetingSettings
from services.ports import Stored
from services.proposing import Proposing
from services.teams import TeamRegistry
from state.blob_documents import BlobDocuments, blob_documents_from_settings
from state.convenings import DocumentConveningStore
from state.document_store import DocumentStore, close_documents
from state.documents import ETagMismatchError, SqliteDocuments
from tests.support.azurite import Azurite, azurite_fixture  # noqa: F401 (the `azurite` fixture)
from tests.support.samples import sample_convening

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ["sqlite", "blob-tags", "blob-listing"]
LIISA = Caller("00000000-0000-0000-0000-000000000001", "Liisa Lähinen")
LIISA_EMAIL = "liisa.lahinen@esimerkkila.onmicrosoft.com"


async def _open(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    if backend == "sqlite":
        return SqliteDocuments(tmp_path / "state.db")
    azurite: Azurite = request.getfixturevalue("azurite")
    return blob_documents_from_settings(container=Azurite.new_container(), connection_string=azurite.connection_string,
                                        index="tags" if backend == "blob-tags" else "listing")


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    docs = await _open(request.param, request, tmp_path)
    try:
        yield docs
    finally:
        await close_documents(docs)


# -- the contract ------------------------------------------------------------------------------------------

async def test_put_then_get_round_trips_body_and_etag(store: DocumentStore) -> None:
    assert await store.get("convening", "nope") is None
    body = '{"ref": "Perhe Ö.", "note": "Yhdessä aika 🙂"}'
    etag = await store.put("convening", "c1", body, if_match=None)
    doc = await store.get("convening", "c1")
    assert doc is not None and doc.body == body and doc.etag == etag
    # The same key in another collection is another document.
    assert await store.get("meeting", "c1") is None


async def test_if_match_of_another_version_raises(store: DocumentStore) -> None:
    first = await store.put("convening", "c1", "{}", if_match=None)
    second = await store.put("convening", "c1", '{"v": 2}', if_match=first)
    assert second != first
    with pytest.raises(ETagMismatchError):
        await store.put("convening", "c1", '{"v": 3}', if_match=first)
    with pytest.raises(ETagMismatchError):
        await store.put("convening", "c1", '{"v": 3}', if_match='"0x8D00000000000000"')
    doc = await store.get("convening", "c1")
    assert doc is not None and doc.body == '{"v": 2}' and doc.etag == second


async def test_if_match_none_on_an_existing_document_raises(store: DocumentStore) -> None:
    await store.put("convening", "c1", '{"v": 1}', if_match=None)
    with pytest.raises(ETagMismatchError):
        await store.put("convening", "c1", '{"v": 2}', if_match=None)
    doc = await store.get("convening", "c1")
    assert doc is not None and doc.body == '{"v": 1}'


async def test_if_match_on_a_missing_document_raises(store: DocumentStore) -> None:
    etag = await store.put("convening", "c1", "{}", if_match=None)
    await store.delete("convening", "c1")
    with pytest.raises(ETagMismatchError):
        await store.put("convening", "c1", "{}", if_match=etag)
    assert await store.get("convening", "c1") is None


async def test_star_creates_and_overwrites(store: DocumentStore) -> None:
    created = await store.put("chat", "19:abc@thread.v2", '{"v": 1}', if_match="*")
    overwritten = await store.put("chat", "19:abc@thread.v2", '{"v": 2}', if_match="*")
    assert created != overwritten
    doc = await store.get("chat", "19:abc@thread.v2")
    assert doc is not None and doc.body == '{"v": 2}' and doc.etag == overwritten


async def test_delete_removes_and_ignores_missing(store: DocumentStore) -> None:
    await store.put("media", "token", '{"png": ""}', if_match=None, owner="o", due=10.0)
    await store.delete("media", "token")
    await store.delete("media", "token")
    await store.delete("media", "never-there")
    assert await store.get("media", "token") is None
    assert await store.by_owner("media", "o") == []
    assert await store.due_before("media", 100.0) == []
    await store.put("media", "token", '{"again": true}', if_match=None)  # a deleted key can be created again


async def test_by_owner_in_creation_order_and_owner_is_kept_when_not_given(store: DocumentStore) -> None:
    owner = "Liisa.Lahinen+test@esimerkkila.onmicrosoft.com"
    for i in range(5):
        await store.put("convening", f"c{i}", f'{{"i": {i}}}', if_match=None, owner=owner)
    await store.put("convening", "other", "{}", if_match=None, owner="someone-else")
    await store.put("meeting", "m", "{}", if_match=None, owner=owner)  # another collection
    # Updates (conditional and unconditional, without an owner) keep the owner and the position.
    doc = await store.get("convening", "c1")
    assert doc is not None
    await store.put("convening", "c1", '{"i": 1, "updated": true}', if_match=doc.etag)
    await store.put("convening", "c3", '{"i": 3, "updated": true}', if_match="*")
    bodies = [d.body for d in await store.by_owner("convening", owner)]
    assert bodies == ['{"i": 0}', '{"i": 1, "updated": true}', '{"i": 2}', '{"i": 3, "updated": true}', '{"i": 4}']
    # A new owner moves the document.
    await store.put("convening", "c0", '{"i": 0}', if_match="*", owner="new-owner")
    assert [d.body for d in await store.by_owner("convening", "new-owner")] == ['{"i": 0}']
    assert len(await store.by_owner("convening", owner)) == 4
    assert await store.by_owner("convening", "nobody") == []


async def test_due_before_is_soonest_first_inclusive_and_exact(store: DocumentStore) -> None:
    keys = ["msteams/conversations/a:b@thread.v2/users/29:x", "ä ö/🙂", "k" * 300, "plain"]
    dues = [1_700_000_300.5, 1_700_000_100.0, -5.0, 1_700_000_200.25]
    for key, due in zip(keys, dues, strict=True):
        await store.put("meeting", key, f'"{due}"', if_match=None, due=due)
    await store.put("meeting", "undue", "{}", if_match=None)
    await store.put("meetingx", "other-collection", "{}", if_match=None, due=0.0)
    await store.put("meet", "prefix-collection", "{}", if_match=None, due=0.0)
    rows = await store.due_before("meeting", 1_700_000_200.25)
    assert [k for k, _ in rows] == ["k" * 300, "ä ö/🙂", "plain"]
    assert rows[0][1].body == '"-5.0"'
    # Within one microsecond: the exact value decides, as in SQLite.
    await store.put("meeting", "close", "{}", if_match=None, due=2_000_000_000.0000005)
    assert "close" not in [k for k, _ in await store.due_before("meeting", 2_000_000_000.0000001)]
    assert "close" in [k for k, _ in await store.due_before("meeting", 2_000_000_000.0000005)]
    # Every write replaces due: a later due moves the document out, None clears it.
    doc = await store.get("meeting", "plain")
    assert doc is not None
    await store.put("meeting", "plain", "{}", if_match=doc.etag, due=1_800_000_000.0)
    await store.put("meeting", "ä ö/🙂", "{}", if_match="*")
    assert [k for k, _ in await store.due_before("meeting", 1_700_000_200.25)] == ["k" * 300]


async def test_a_stale_write_is_detected(store: DocumentStore) -> None:
    etag = await store.put("convening", "c1", '{"n": 0}', if_match=None, owner="liisa")
    first, second = await store.get("convening", "c1"), await store.get("convening", "c1")
    assert first is not None and second is not None and first.etag == second.etag == etag
    await store.put("convening", "c1", '{"n": 1, "by": "first"}', if_match=first.etag)
    with pytest.raises(ETagMismatchError):
        await store.put("convening", "c1", '{"n": 1, "by": "second"}', if_match=second.etag)
    doc = await store.get("convening", "c1")
    assert doc is not None and doc.body == '{"n": 1, "by": "first"}'


async def test_concurrent_conditional_writes_exactly_one_wins(store: DocumentStore) -> None:
    etag = await store.put("convening", "c1", '{"n": 0}', if_match=None)
    results = await asyncio.gather(*(store.put("convening", "c1", f'{{"n": {i}}}', if_match=etag)
                                     for i in range(1, 11)), return_exceptions=True)
    winners = [i for i, r in enumerate(results, 1) if isinstance(r, str)]
    assert len(winners) == 1
    assert all(isinstance(r, ETagMismatchError) for r in results if not isinstance(r, str))
    doc = await store.get("convening", "c1")
    assert doc is not None and doc.body == f'{{"n": {winners[0]}}}'


async def test_concurrent_unconditional_writes_all_land_and_keep_owner(store: DocumentStore) -> None:
    await store.put("conversation", "u1", '{"n": 0}', if_match=None, owner="liisa@example.org")
    await store.put("conversation", "u2", '{"n": 0}', if_match=None, owner="liisa@example.org")
    results = await asyncio.gather(*(store.put("conversation", "u1", f'{{"n": {i}}}', if_match="*")
                                     for i in range(1, 9)))
    assert len(set(results)) == 8
    doc = await store.get("conversation", "u1")
    assert doc is not None and doc.etag in results
    listed = await store.by_owner("conversation", "liisa@example.org")
    assert len(listed) == 2 and listed[0].etag == doc.etag


# -- blob specifics --------------------------------------------------------------------------------------------

@pytest.fixture
async def two_instances(azurite: Azurite) -> AsyncIterator[tuple[BlobDocuments, BlobDocuments]]:
    """Two stores on one container, each with its own HTTP session, as two bot instances would have."""
    container = Azurite.new_container()
    a = blob_documents_from_settings(container=container, connection_string=azurite.connection_string)
    b = blob_documents_from_settings(container=container, connection_string=azurite.connection_string)
    try:
        yield a, b
    finally:
        await a.close()
        await b.close()


async def test_a_version_remembered_by_one_instance_never_overwrites_anothers_write(
        two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    await a.put("convening", "c1", '{"v": 1}', if_match=None, owner="liisa")
    seen_by_a = await a.get("convening", "c1")
    assert seen_by_a is not None
    newer = await b.put("convening", "c1", '{"v": 2}', if_match=seen_by_a.etag)
    with pytest.raises(ETagMismatchError):
        await a.put("convening", "c1", '{"v": 3}', if_match=seen_by_a.etag)
    await a.put("convening", "c1", '{"v": 3}', if_match=newer)  # a reads the current version, keeps the owner
    await a.put("convening", "c1", '{"v": 4}', if_match="*")
    await b.delete("convening", "c1")
    await a.put("convening", "c1", '{"v": 5}', if_match="*")  # a remembered a version that is gone
    assert [d.body for d in await b.by_owner("convening", "liisa")] == []
    doc = await b.get("convening", "c1")
    assert doc is not None and doc.body == '{"v": 5}'


async def test_a_retried_write_that_had_landed_is_not_reported_as_a_conflict(
        azurite: Azurite, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = blob_documents_from_settings(container=Azurite.new_container(), connection_string=azurite.connection_string)
    real_upload = BlobClient.upload_blob

    async def lost_response(self: BlobClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The write lands, its response is lost, the SDK's retry meets the write's own result.
        await real_upload(self, *args, **kwargs)
        err = ResourceModifiedError("The condition specified using HTTP conditional header(s) is not met.")
        err.status_code = 412
        raise err

    try:
        etag = await docs.put("convening", "c1", '{"v": 1}', if_match=None)
        monkeypatch.setattr(BlobClient, "upload_blob", lost_response)
        landed = await docs.put("convening", "c1", '{"v": 2}', if_match=etag)
        monkeypatch.undo()
        doc = await docs.get("convening", "c1")
        assert doc is not None and doc.body == '{"v": 2}' and doc.etag == landed
    finally:
        await docs.close()


def test_settings_need_a_connection_string_or_an_account_url() -> None:
    with pytest.raises(ValueError, match="connection string or an account URL"):
        blob_documents_from_settings(container="state")


async def test_settings_with_an_account_url_use_a_managed_identity_and_close_it() -> None:
    docs = blob_documents_from_settings(container="yhdessa-aika-state", account_url="https://example.blob.core.windows.net",
                                        managed_identity_client_id="00000000-0000-0000-0000-0000000000aa")
    assert docs.index == "tags"
    assert [type(r).__name__ for r in docs._resources] == ["BlobServiceClient", "ManagedIdentityCredential"]
    await docs.close()  # nothing was opened: no request is made before the first operation


def test_collections_and_keys_must_fit_blob_names() -> None:
    docs = BlobDocuments.__new__(BlobDocuments)
    with pytest.raises(ValueError, match="collection"):
        docs._name("bad/collection", "k")
    with pytest.raises(ValueError, match="empty"):
        docs._name("convening", "")
    with pytest.raises(ValueError, match="too long"):
        docs._name("convening", "k" * 1000)


async def test_the_bots_log_holds_no_line_per_state_blob_request(azurite: Azurite,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    """At the bot's INFO level the Azure SDK would log every blob request and response (the blob's name,
    headers); python -m bot quiets it, and a failing request is still logged as a warning or error."""
    before = {name: logging.getLogger(name).level for name in CHATTY_LIBRARIES}
    quiet_chatty_libraries()
    caplog.set_level(logging.INFO)
    docs = blob_documents_from_settings(container=Azurite.new_container(), connection_string=azurite.connection_string,
                                        index="tags")
    try:
        etag = await docs.put("convening", "c1", "{}", if_match=None)
        assert (await docs.get("convening", "c1")) is not None and etag
    finally:
        await close_documents(docs)
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)
    assert [r.name for r in caplog.records if r.name.startswith("azure")] == []


# -- two bot instances on one store -------------------------------------------------------------------------

class _Directory:
    """Only Liisa is in the directory (Proposing.start looks the caller up)."""

    async def person_by_id(self, user_id: str) -> Person | None:
        return Person(LIISA_EMAIL, LIISA.name) if user_id == LIISA.user_id else None

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        return []


class _NoCalendar:
    """These tests never reach Outlook."""


class _NoMeetings:
    """These tests never reach a meeting."""


class _ReadTogether:
    """A ConveningStore whose first read waits for the other instance's first read (so both hold one eTag)."""

    def __init__(self, inner: DocumentConveningStore, barrier: asyncio.Barrier) -> None:
        self._inner = inner
        self._barrier: asyncio.Barrier | None = barrier

    async def get(self, convening_id: str) -> Stored | None:
        stored = await self._inner.get(convening_id)
        if self._barrier is not None:
            barrier, self._barrier = self._barrier, None
            await barrier.wait()
        return stored

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass(frozen=True)
class _Instance:
    """One bot instance's use cases on its own store client."""

    proposing: Proposing
    convenings: ConveningQueries
    housekeeping: Housekeeping
    answers: Answers


def _service(store: Any) -> _Instance:
    teams, default = load_teams(ROOT / "config" / "teams.yaml")
    registry = TeamRegistry(teams, default)

    def clock() -> datetime:
        return datetime(2026, 11, 22, 9, tzinfo=UTC)

    return _Instance(
        proposing=Proposing(teams=registry, directory=_Directory(), calendar=_NoCalendar(),  # type: ignore[arg-type]
                            store=store, clock=clock, is_holiday=FinnishHolidays()),
        convenings=ConveningQueries(store),
        housekeeping=Housekeeping(convenings=store, meetings=_NoMeetings(), settings=MeetingSettings(),  # type: ignore[arg-type]
                                  clock=clock),
        answers=Answers(teams=registry, calendar=_NoCalendar(), store=store))  # type: ignore[arg-type]


async def test_two_instances_share_convenings(two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    service_a, service_b = _service(DocumentConveningStore(a)), _service(DocumentConveningStore(b))
    first = await service_a.proposing.start(LIISA)
    second = await service_b.proposing.start(LIISA)
    convening = await service_b.convenings.own(first.id, LIISA)
    assert convening == first
    # Newest first, both instances'.
    assert [c.id for c in await service_a.convenings.mine(LIISA)] == [second.id, first.id]


async def test_two_instances_exactly_one_wins_each_round(two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    store_a, store_b = DocumentConveningStore(a), DocumentConveningStore(b)
    await store_a.add(sample_convening())
    cid = sample_convening().id
    for round_ in range(20):
        read_a, read_b = await asyncio.gather(store_a.get(cid), store_b.get(cid))
        assert read_a is not None and read_b is not None and read_a.etag == read_b.etag
        results = await asyncio.gather(
            store_a.replace(replace(read_a.convening, shown=1000 + round_), read_a.etag),
            store_b.replace(replace(read_b.convening, shown=2000 + round_), read_b.etag),
            return_exceptions=True)
        assert sum(isinstance(r, str) for r in results) == 1, results
        assert sum(isinstance(r, StaleWriteError) for r in results) == 1, results
        winner = 1000 + round_ if isinstance(results[0], str) else 2000 + round_
        now = await store_b.get(cid)
        assert now is not None and now.convening.shown == winner


async def test_two_services_concurrent_flags_one_is_refused_none_is_lost(
        two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    barrier = asyncio.Barrier(2)
    store_a = _ReadTogether(DocumentConveningStore(a), barrier)
    store_b = _ReadTogether(DocumentConveningStore(b), barrier)
    booked = sample_convening()
    await DocumentConveningStore(a).add(booked)
    service_a, service_b = _service(store_a), _service(store_b)
    claimed = await asyncio.gather(service_a.housekeeping.claim_day_before(booked.id),
                                   service_b.housekeeping.claim_start_notice(booked.id))
    assert sorted(claimed) == [False, True], "the eTag lets exactly one concurrent claim through"
    # The refused claim is simply not this instance's job now; the next tick claims it again.
    await (service_b.housekeeping.claim_start_notice(booked.id) if not claimed[1]
           else service_a.housekeeping.claim_day_before(booked.id))
    final = await DocumentConveningStore(b).get(booked.id)
    assert final is not None and final.convening.reminded and final.convening.start_notified


async def test_the_same_outlook_answers_delivered_to_both_instances_are_recorded_once(
        two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    barrier = asyncio.Barrier(2)
    booked = sample_convening()
    await DocumentConveningStore(a).add(booked)
    service_a = _service(_ReadTogether(DocumentConveningStore(a), barrier))
    service_b = _service(_ReadTogether(DocumentConveningStore(b), barrier))
    answers = {booked.invitees[0].email.lower(): Response(Answer.ACCEPTED),
               booked.invitees[1].email.lower(): Response(Answer.DECLINED, "Olen koulutuksessa")}
    results = await asyncio.gather(service_a.answers.record_responses(booked.id, answers),
                                   service_b.answers.record_responses(booked.id, answers))
    # One instance writes; the other's write is refused, it reads again and finds nothing left to do.
    assert sum(r is not None for r in results) == 1
    final = await DocumentConveningStore(a).get(booked.id)
    assert final is not None and final.convening.responses == answers


async def _with_retries(store: DocumentConveningStore, cid: str, change: Callable[[Convening], Convening],
                        conflicts: list[int]) -> None:
    """Read, change, write if unchanged; on StaleWriteError back off (exponential, jittered) and start over."""
    for attempt in range(100):
        stored = await store.get(cid)
        assert stored is not None
        try:
            await store.replace(change(stored.convening), stored.etag)
            return
        except StaleWriteError:
            conflicts.append(attempt)
            await asyncio.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 5)))
    raise AssertionError("no progress in 100 attempts")


async def test_fifty_concurrent_increments_from_two_instances_end_with_fifty(
        two_instances: tuple[BlobDocuments, BlobDocuments]) -> None:
    a, b = two_instances
    stores = (DocumentConveningStore(a), DocumentConveningStore(b))
    booked = replace(sample_convening(), going_without=())
    await stores[0].add(booked)
    conflicts: list[int] = []

    def add(address: str) -> Callable[[Convening], Convening]:
        return lambda c: replace(c, going_without=(*c.going_without, address))

    jobs: list[Awaitable[None]] = [_with_retries(stores[i % 2], booked.id, add(f"w{i}@esimerkkila.fi"), conflicts)
                                   for i in range(50)]
    await asyncio.gather(*jobs)
    final = await stores[1].get(booked.id)
    assert final is not None
    assert len(final.convening.going_without) == 50
    assert set(final.convening.going_without) == {f"w{i}@esimerkkila.fi" for i in range(50)}
    assert conflicts, "50 concurrent writers never collided: the test did not test concurrency"
    print(f"\n50 increments from two instances: {len(conflicts)} refused stale writes, retried, none lost")


# -- figures --------------------------------------------------------------------------------------------------

async def _timed(n: int, op: Callable[[int], Awaitable[object]]) -> list[float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        await op(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def test_latency_figures(store: DocumentStore) -> None:
    """Sequential latency of each operation (printed with ``-s``); bodies the size of a booked convening."""
    n = 100
    body = TypeAdapter(Convening).dump_json(sample_convening()).decode()
    etags: dict[int, str] = {}

    async def create(i: int) -> None:
        etags[i] = await store.put("convening", f"c{i}", body, if_match=None, owner="liisa", due=1e9 + i)

    async def get(i: int) -> None:
        assert await store.get("convening", f"c{i}") is not None

    async def read_modify_write(i: int) -> None:
        doc = await store.get("convening", f"c{i}")
        assert doc is not None
        await store.put("convening", f"c{i}", body, if_match=doc.etag, due=1e9 + i)

    figures = {"create": await _timed(n, create), "get": await _timed(n, get),
               "get+replace": await _timed(n, read_modify_write),
               "by_owner(100)": await _timed(10, lambda _: store.by_owner("convening", "liisa")),
               "due_before(50 of 100)": await _timed(10, lambda _: store.due_before("convening", 1e9 + 49))}
    assert len(await store.by_owner("convening", "liisa")) == n
    assert len(await store.due_before("convening", 1e9 + 49)) == 50
    name = type(store).__name__ + (f"[{store.index}]" if isinstance(store, BlobDocuments) else "")
    print(f"\n{name}: " + "; ".join(f"{op} median {statistics.median(t):.2f} ms, p95 "
                                     f"{sorted(t)[int(len(t) * 0.95) - 1]:.2f} ms" for op, t in figures.items()))

