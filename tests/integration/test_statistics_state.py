"""The statistics store on both document stores (SQLite and Azure Blob Storage on Azurite): counted once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

from domain.convening import Person
from domain.statistics import CoordinatorAccess
from services.statistics_service import StatisticsService
from state.document_store import DocumentStore
from state.statistics import DocumentStatisticsStore
from tests.integration.test_blob_state import store  # noqa: F401 (the parametrized `store` fixture)
from tests.support.azurite import azurite_fixture  # noqa: F401 (the `azurite` fixture)
from tests.support.meeting_samples import finalized_meeting
from tests.support.samples import demo_team

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


class _NoDirectory:
    async def person_by_id(self, user_id: str) -> Person | None:
        return None

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        return []


async def test_concurrent_and_replayed_counts_land_exactly_once(store: DocumentStore) -> None:  # noqa: F811
    team = demo_team()
    service = StatisticsService(store=DocumentStatisticsStore(store, lambda: NOW), directory=_NoDirectory(),
                                teams={team.key: team}, coordinators=CoordinatorAccess(), clock=lambda: NOW)
    meetings = [replace(finalized_meeting(), id=f"{i:016x}") for i in range(20)]
    await asyncio.gather(*(service.held(m) for m in meetings), *(service.held(m) for m in meetings[::2]))
    await asyncio.gather(*(service.held(m) for m in meetings[:5]))
    year = await DocumentStatisticsStore(store, lambda: NOW).year(team.key, 2026)
    assert year.month(12).held == 20
