"""The ReadinessProbe port over Graph: read-only calls with the home tenant's or a partner tenant's own token.

Nothing is created: getSchedule over one hour (a POST that only reads), ``GET /users/{id}/calendar`` and
``GET /users/{id}/drive``, each asking only for the id. Failures are ``graph.errors.call``'s
GraphUnavailableError (status and code only).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.item.calendar.calendar_request_builder import CalendarRequestBuilder
from msgraph.generated.users.item.drive.drive_request_builder import DriveRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from graph.calendar import GraphCalendar
from graph.errors import GraphUnavailableError, call
from graph.json_requests import send_json

_ID_ONLY = ["id"]


class GraphReadinessProbe:
    """Probes through ``home`` (our tenant, which also answers for tenants sharing free/busy with it) or a
    partner's own client (``partners``, by organisation key)."""

    def __init__(self, home: GraphServiceClient, partners: Mapping[str, GraphServiceClient] | None = None) -> None:
        self._home = home
        self._partners = dict(partners or {})

    def reaches(self, partner: str) -> bool:
        """Whether a client on this partner's own token exists (YA_PARTNER_AUTH and its tenant id set)."""
        return partner in self._partners

    def _client(self, partner: str | None) -> GraphServiceClient:
        if partner is None:
            return self._home
        client = self._partners.get(partner)
        if client is None:
            raise GraphUnavailableError(401, "noPartnerClient")
        return client

    async def free_busy(self, partner: str | None, organizer: str, address: str, start: datetime,
                        end: datetime) -> bool:
        """getSchedule for ``address`` as ``organizer`` over [start, end): True when its schedule came back,
        False for an error in the item (5009)."""
        schedules = await GraphCalendar(self._client(partner)).schedules(organizer, [address], start, end, "UTC")
        schedule = schedules.get(address.lower())
        return schedule is not None and schedule.error is None

    async def calendar(self, partner: str | None, user: str) -> None:
        """``GET /users/{user}/calendar?$select=id``: the token may read (and so write) this calendar."""
        builder = self._client(partner).users.by_user_id(user).calendar
        config = RequestConfiguration(
            query_parameters=CalendarRequestBuilder.CalendarRequestBuilderGetQueryParameters(select=_ID_ONLY))
        await call(partial(send_json, builder.request_adapter, builder.to_get_request_information(config)))

    async def drive(self, partner: str | None, user: str) -> None:
        """``GET /users/{user}/drive?$select=id``: the token reaches this OneDrive."""
        builder = self._client(partner).users.by_user_id(user).drive
        config = RequestConfiguration(
            query_parameters=DriveRequestBuilder.DriveRequestBuilderGetQueryParameters(select=_ID_ONLY))
        await call(partial(send_json, builder.request_adapter, builder.to_get_request_information(config)))
