"""Change-notification subscriptions on Outlook events: validation, persistence, expiry, matching.

Supported resources: ``users/{id or UPN}/events``, ``users/{id}/events/{eventId}``, ``me/events``
(with or without a leading slash, also ``…/calendar/events``). Subscriptions expire by the
sandbox clock; an expired subscription is deleted on the next look-up, as Graph forgets it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from m365_sandbox.calendar.store import EventChange
from m365_sandbox.core.database import connect
from m365_sandbox.core.directory import Directory
from m365_sandbox.core.errors import GraphError
from m365_sandbox.core.tenant import Mailbox, Tenant
from m365_sandbox.core.timezones import format_offset

# Outlook message/event/contact subscriptions without resource data (Graph's subscription lifetime table).
MAX_EXPIRATION = timedelta(minutes=10080)
# Graph moves an expiration less than 45 minutes away to 45 minutes after the request.
MIN_EXPIRATION = timedelta(minutes=45)
CHANGE_TYPES = ("created", "updated", "deleted")
TLS_VERSIONS = frozenset({"v1_0", "v1_1", "v1_2", "v1_3"})
MAX_CLIENT_STATE = 128
_RESOURCE = re.compile(
    r"^/?(?:(?P<me>me)|users/(?P<user>[^/]+))/(?:calendar/)?events(?:/(?P<event>[^/]+))?/?$", re.IGNORECASE
)
_SCHEMA = ("CREATE TABLE IF NOT EXISTS subscriptions (id TEXT PRIMARY KEY, data TEXT NOT NULL)",)


@dataclass
class SubscriptionRecord:
    """A subscription as stored; ``mailbox_id``/``event_id`` are the resolved resource."""

    id: str
    resource: str
    change_type: str
    notification_url: str
    lifecycle_url: str | None
    client_state: str | None
    expiration: float  # POSIX timestamp (sandbox clock)
    mailbox_id: str
    event_id: str | None
    application_id: str
    creator_id: str
    tls_version: str

    @property
    def change_types(self) -> frozenset[str]:
        """The change types the subscriber asked for."""
        return frozenset(part.strip() for part in self.change_type.split(","))

    @property
    def expires(self) -> str:
        """The expirationDateTime text."""
        return format_offset(datetime.fromtimestamp(self.expiration, UTC))

    def watches(self, change: EventChange) -> bool:
        """Whether a change to an event falls under this subscription."""
        return (
            change.change_type in self.change_types
            and change.mailbox_id == self.mailbox_id
            and (self.event_id is None or change.event_id == self.event_id)
        )


class SubscriptionStore:
    """Subscriptions in the ``--db`` file."""

    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, _SCHEMA)

    def all(self) -> list[SubscriptionRecord]:
        """Every stored subscription, oldest first."""
        rows = self._db.execute("SELECT data FROM subscriptions ORDER BY rowid").fetchall()
        return [SubscriptionRecord(**json.loads(row[0])) for row in rows]

    def put(self, record: SubscriptionRecord) -> None:
        """Insert or replace a subscription."""
        self._db.execute(
            "INSERT OR REPLACE INTO subscriptions (id, data) VALUES (?, ?)", (record.id, json.dumps(asdict(record)))
        )
        self._db.commit()

    def remove(self, subscription_id: str) -> None:
        """Delete a subscription."""
        self._db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,))
        self._db.commit()

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()


def _not_found(subscription_id: str) -> GraphError:
    return GraphError(404, "ResourceNotFound", f"The object was not found. Subscription '{subscription_id}'.")


def _required(name: str) -> GraphError:
    return GraphError(400, "InvalidRequest", f"{name} is a required property for subscription creation.")


class SubscriptionService:
    """Creates, reads, renews and deletes subscriptions, and finds the ones a change concerns."""

    def __init__(
        self, tenant: Tenant, store: SubscriptionStore, clock: Callable[[], datetime],
        directory: Directory | None = None,
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.clock = clock
        self.directory = directory or Directory.single(tenant)

    def tenant_id_of(self, mailbox_id: str) -> str:
        """The id of the tenant a mailbox belongs to (the notifications' ``tenantId``)."""
        box = self.directory.find(mailbox_id)
        return self.directory.tenant_of(box).tenant_id if box is not None else self.tenant.tenant_id

    def active(self) -> list[SubscriptionRecord]:
        """The subscriptions that have not expired (expired ones are deleted)."""
        now = self.clock().timestamp()
        result = []
        for record in self.store.all():
            if record.expiration <= now:
                self.store.remove(record.id)
            else:
                result.append(record)
        return result

    def get(self, subscription_id: str) -> SubscriptionRecord:
        """An active subscription (404 ``ResourceNotFound``)."""
        for record in self.active():
            if record.id == subscription_id:
                return record
        raise _not_found(subscription_id)

    def delete(self, subscription_id: str) -> SubscriptionRecord:
        """Delete a subscription; returns it as it was."""
        record = self.get(subscription_id)
        self.store.remove(subscription_id)
        return record

    def draft(
        self, body: dict[str, Any], caller: Mailbox, application_id: str, creator_id: str,
        tenant: Tenant | None = None,
    ) -> SubscriptionRecord:
        """Validate a POST /subscriptions body (the endpoints are validated separately).

        ``tenant`` is the caller's (default: the home tenant): a resource of another tenant is refused (403).
        """
        for name in ("changeType", "notificationUrl", "resource", "expirationDateTime"):
            if not body.get(name):
                raise _required(name)
        if body.get("includeResourceData"):
            raise GraphError(
                400, "InvalidRequest", "Notifications with resource data are not supported by this sandbox."
            )
        change_type = _change_type(body["changeType"])
        client_state = body.get("clientState")
        if client_state is not None and (not isinstance(client_state, str) or len(client_state) > MAX_CLIENT_STATE):
            message = f"clientState must be a string of at most {MAX_CLIENT_STATE} characters."
            raise GraphError(400, "InvalidRequest", message)
        tls = body.get("latestSupportedTlsVersion") or "v1_2"
        if tls not in TLS_VERSIONS:
            raise GraphError(400, "InvalidRequest", f"Invalid latestSupportedTlsVersion '{tls}'.")
        resource = body["resource"]
        mailbox, event_id = self._resource(resource, caller, tenant or self.tenant)
        return SubscriptionRecord(
            id=str(uuid.uuid4()),
            resource=str(resource),
            change_type=change_type,
            notification_url=_url(body["notificationUrl"], "notificationUrl"),
            lifecycle_url=_url(body["lifecycleNotificationUrl"], "lifecycleNotificationUrl")
            if body.get("lifecycleNotificationUrl")
            else None,
            client_state=client_state,
            expiration=self.expiration(body["expirationDateTime"]),
            mailbox_id=mailbox.id,
            event_id=event_id,
            application_id=application_id,
            creator_id=creator_id,
            tls_version=str(tls),
        )

    def expiration(self, raw: object) -> float:
        """A valid expirationDateTime as a timestamp: in the future, at most 10 080 minutes away."""
        if not isinstance(raw, str):
            raise _required("expirationDateTime")
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError as exc:
            raise GraphError(400, "InvalidRequest", f"Invalid expirationDateTime '{raw}'.") from exc
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        now = self.clock()
        if moment <= now:
            raise GraphError(400, "InvalidRequest", "Subscription expiration can't be in the past.")
        if moment - now > MAX_EXPIRATION:
            minutes = int(MAX_EXPIRATION.total_seconds() // 60)
            message = f"Subscription expiration can only be {minutes} minutes in the future."
            raise GraphError(400, "ExtensionError", message)
        return max(moment, now + MIN_EXPIRATION).timestamp()

    def _resource(self, raw: object, caller: Mailbox, tenant: Tenant) -> tuple[Mailbox, str | None]:
        match = _RESOURCE.match(raw) if isinstance(raw, str) else None
        if match is None:
            raise GraphError(
                400,
                "InvalidRequest",
                f"Resource '{raw}' is not supported: use users/{{id}}/events, users/{{id}}/events/{{id}} or me/events.",
            )
        if match.group("me"):
            return caller, match.group("event")
        key = match.group("user").strip("'()")
        box = tenant.find(key)
        if box is None and self.directory.find(key) is not None:
            raise GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        if box is None:
            raise GraphError(404, "ExtensionError", f"The requested user '{match.group('user')}' is invalid.")
        return box, match.group("event")


def _change_type(raw: object) -> str:
    parts = [p.strip() for p in raw.split(",")] if isinstance(raw, str) else []
    if not parts or any(p not in CHANGE_TYPES for p in parts):
        raise GraphError(400, "InvalidRequest", f"Invalid changeType '{raw}': use created, updated and/or deleted.")
    return ",".join(parts)


def _url(raw: object, name: str) -> str:
    if not isinstance(raw, str) or not raw.lower().startswith(("https://", "http://")):
        raise GraphError(400, "InvalidRequest", f"{name} must be an absolute URL.")
    return raw


def render_subscription(record: SubscriptionRecord) -> dict[str, Any]:
    """A subscription as Graph returns it."""
    return {
        "id": record.id,
        "resource": record.resource,
        "applicationId": record.application_id,
        "changeType": record.change_type,
        "clientState": record.client_state,
        "notificationUrl": record.notification_url,
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": record.lifecycle_url,
        "expirationDateTime": record.expires,
        "creatorId": record.creator_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": record.tls_version,
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
    }


def change_notification(record: SubscriptionRecord, change: EventChange, tenant_id: str) -> dict[str, Any]:
    """One entry of a change notification's ``value`` for an Outlook event."""
    path = f"Users/{change.mailbox_id}/Events/{change.event_id}"
    return {
        "subscriptionId": record.id,
        "subscriptionExpirationDateTime": record.expires,
        "changeType": change.change_type,
        "resource": path,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Event",
            "@odata.id": path,
            "@odata.etag": f'W/"{change.change_key}"',
            "id": change.event_id,
        },
        "clientState": record.client_state,
        "tenantId": tenant_id,
    }


def lifecycle_notification(record: SubscriptionRecord, event: str, tenant_id: str) -> dict[str, Any]:
    """One entry of a lifecycle notification's ``value``."""
    return {
        "subscriptionId": record.id,
        "subscriptionExpirationDateTime": record.expires,
        "tenantId": tenant_id,
        "clientState": record.client_state,
        "lifecycleEvent": event,
    }
