"""Change-notification subscriptions over Graph: ``/subscriptions`` create, renew (PATCH) and delete."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from kiota_abstractions.request_adapter import RequestAdapter
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.subscription import Subscription
from msgraph.graph_service_client import GraphServiceClient

from graph.errors import GraphUnavailableError, call

T = TypeVar("T")

#: Graph's answer to a subscription that expired or was removed.
NOT_FOUND = 404


class GraphSubscriptionError(GraphUnavailableError):
    """A failure of ``/subscriptions`` (a GraphUnavailableError, so the ports' ServiceUnavailableError)."""


async def _call(request: Callable[[], Awaitable[T]], *, retry_transport: bool = True) -> T:
    try:
        return await call(request, retry_transport=retry_transport)
    except GraphUnavailableError as err:
        raise GraphSubscriptionError(err.status, err.code) from None


async def _send(adapter: RequestAdapter, request: RequestInformation) -> tuple[str | None, datetime | None]:
    """(id, expirationDateTime) of the subscription Graph answers with, read as plain JSON: kiota's
    Subscription model would import ~1,200 msgraph model modules (+30 MB RSS, make bench)."""
    raw: object = await adapter.send_primitive_async(request, "bytes", {"XXX": ODataError})
    data = json.loads(raw) if isinstance(raw, bytes) and raw else {}
    data = data if isinstance(data, dict) else {}
    expiry = data.get("expirationDateTime")
    return (str(data["id"]) if data.get("id") else None,
            datetime.fromisoformat(str(expiry).replace("Z", "+00:00")) if expiry else None)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("expirationDateTime must be timezone-aware")
    return moment.astimezone(UTC)


class GraphSubscriptions:
    """The subscription gateway on msgraph-sdk.

    Failures raise ``GraphSubscriptionError`` (a ``GraphUnavailableError``); a subscription Graph
    no longer knows (expired, removed) gives ``status == 404`` on ``renew``.
    """

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def create(self, resource: str, change_type: str, notification_url: str, lifecycle_url: str,
                     client_state: str, expires: datetime) -> tuple[str, datetime]:
        """POST /subscriptions; Graph validates both URLs before answering. Returns (id, expirationDateTime)."""
        body = Subscription(resource=resource, change_type=change_type, notification_url=notification_url,
                            lifecycle_notification_url=lifecycle_url, client_state=client_state,
                            expiration_date_time=_utc(expires))
        # Not retried on a dropped connection: a second POST could leave a duplicate subscription behind.
        subscriptions = self._client.subscriptions
        request = subscriptions.to_post_request_information(body)
        created_id, expiry = await _call(lambda: _send(subscriptions.request_adapter, request),
                                         retry_transport=False)
        if not created_id:
            raise GraphSubscriptionError(None, "NoSubscriptionInResponse")
        return created_id, _utc(expiry or expires)

    async def renew(self, subscription_id: str, expires: datetime) -> datetime:
        """PATCH /subscriptions/{id} with a new expirationDateTime (also reauthorizes); returns Graph's expiry."""
        builder = self._client.subscriptions.by_subscription_id(subscription_id)
        request = builder.to_patch_request_information(Subscription(expiration_date_time=_utc(expires)))
        _, expiry = await _call(lambda: _send(builder.request_adapter, request))
        return _utc(expiry or expires)

    async def delete(self, subscription_id: str) -> None:
        """DELETE /subscriptions/{id}; one that is already gone (404) counts as deleted."""
        try:
            await _call(lambda: self._client.subscriptions.by_subscription_id(subscription_id).delete())
        except GraphSubscriptionError as err:
            if err.status != NOT_FOUND:
                raise
