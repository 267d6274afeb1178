"""Change-notification subscriptions over Graph: ``/subscriptions`` create, renew (PATCH) and delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from msgraph.generated.models.subscription import Subscription
from msgraph.graph_service_client import GraphServiceClient

from graph.errors import GraphUnavailableError, call
from services.subscription_service import SubscriptionGatewayError

T = TypeVar("T")

#: Graph's answer to a subscription that expired or was removed.
NOT_FOUND = 404


class GraphSubscriptionError(SubscriptionGatewayError, GraphUnavailableError):
    """A failure of ``/subscriptions``: a GraphUnavailableError that the subscription service also understands."""


async def _call(request: Callable[[], Awaitable[T]], *, retry_transport: bool = True) -> T:
    try:
        return await call(request, retry_transport=retry_transport)
    except GraphUnavailableError as err:
        raise GraphSubscriptionError(err.status, err.code) from None


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
        created: Subscription | None = await _call(lambda: self._client.subscriptions.post(body),
                                                   retry_transport=False)
        if created is None or not created.id:
            raise GraphSubscriptionError(None, "NoSubscriptionInResponse")
        return created.id, _utc(created.expiration_date_time or expires)

    async def renew(self, subscription_id: str, expires: datetime) -> datetime:
        """PATCH /subscriptions/{id} with a new expirationDateTime (also reauthorizes); returns Graph's expiry."""
        builder = self._client.subscriptions.by_subscription_id(subscription_id)
        updated: Subscription | None = await _call(
            lambda: builder.patch(Subscription(expiration_date_time=_utc(expires))))
        return _utc(updated.expiration_date_time if updated and updated.expiration_date_time else expires)

    async def delete(self, subscription_id: str) -> None:
        """DELETE /subscriptions/{id}; one that is already gone (404) counts as deleted."""
        try:
            await _call(lambda: self._client.subscriptions.by_subscription_id(subscription_id).delete())
        except GraphSubscriptionError as err:
            if err.status != NOT_FOUND:
                raise
