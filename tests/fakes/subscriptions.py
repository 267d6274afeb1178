"""FakeSubscriptionGateway: Graph's ``/subscriptions`` in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.errors import ServiceUnavailableError


@dataclass
class FakeSubscription:
    """One subscription as Graph holds it."""

    id: str
    resource: str
    client_state: str
    expires: datetime


@dataclass
class FakeSubscriptionGateway:
    """Subscriptions by id; ``failures`` fail the next calls in turn (404: Graph no longer has it)."""

    subscriptions: dict[str, FakeSubscription] = field(default_factory=dict)
    failures: list[ServiceUnavailableError] = field(default_factory=list)
    created: int = 0

    async def create(self, resource: str, change_type: str, notification_url: str, lifecycle_url: str,
                     client_state: str, expires: datetime) -> tuple[str, datetime]:
        """A new subscription."""
        if self.failures:
            raise self.failures.pop(0)
        self.created += 1
        sub = FakeSubscription(f"sub-{self.created}", resource, client_state, expires)
        self.subscriptions[sub.id] = sub
        return sub.id, expires

    async def renew(self, subscription_id: str, expires: datetime) -> datetime:
        """A later expiry; 404 when it is gone."""
        if self.failures:
            raise self.failures.pop(0)
        sub = self.subscriptions.get(subscription_id)
        if sub is None:
            raise ServiceUnavailableError(404, "ResourceNotFound")
        sub.expires = expires
        return expires

    async def delete(self, subscription_id: str) -> None:
        """Gone (already gone counts as deleted)."""
        self.subscriptions.pop(subscription_id, None)
