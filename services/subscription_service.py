"""Keeping one Graph change-notification subscription per organizer mailbox alive.

The near worker's calendar (``users/{organizer_id}/events``) is watched so that team members'
answers in Outlook reach the near worker's status card. Graph's rules this follows:

- Outlook event subscriptions (basic notifications, no resource data) live at most 10 080
  minutes; we ask for that minus a margin and renew (PATCH ``expirationDateTime``) when half
  of the remaining lifetime has passed, so a bot that is down for days still renews in time.
- Every subscription gets its own random ``clientState``; only its SHA-256 digest is stored
  and notifications are checked against it in constant time.
- Lifecycle notifications: ``reauthorizationRequired`` → renew via PATCH (which reauthorizes
  and extends at once; Graph advises against mixing ``/reauthorize`` and PATCH within 10
  minutes), ``subscriptionRemoved`` → create a new subscription and resync, ``missed`` → resync.

Creating is guarded by the store's eTags: a caller first writes a *claim* (the record without a
subscription id), and only the caller whose claim was written talks to Graph, so concurrent
``ensure`` calls, renewals and lifecycle events never create two subscriptions for one mailbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from services.errors import ServiceUnavailableError, StaleWriteError
from services.ports import StoredSubscription, SubscriptionGateway, SubscriptionRecord, SubscriptionStore

#: The changes watched on the organizer's events.
CHANGE_TYPES = "created,updated,deleted"
#: Graph's maximum lifetime of an Outlook event subscription without resource data.
MAX_LIFETIME = timedelta(minutes=10_080)
#: Kept off the maximum so clock skew between the bot and Graph never makes Graph refuse a request.
LIFETIME_MARGIN = timedelta(minutes=60)
#: Graph's status for a subscription it no longer has (expired or removed).
_NOT_FOUND = 404
CLIENT_STATE_BYTES = 32


class LifecycleEvent(StrEnum):
    """The lifecycle notifications Graph sends for Outlook subscriptions."""

    REAUTHORIZATION_REQUIRED = "reauthorizationRequired"
    SUBSCRIPTION_REMOVED = "subscriptionRemoved"
    MISSED = "missed"


class Outcome(StrEnum):
    """What one renewal or lifecycle step did."""

    RENEWED = "renewed"
    RECREATED = "recreated"
    RESYNC = "resync"
    SKIPPED = "skipped"  # someone else is creating or changed the record meanwhile
    FAILED = "failed"  # Graph failed; the record is due again after the retry delay


@dataclass(frozen=True)
class SubscriptionPolicy:
    """Lifetimes and delays (defaults follow Graph's limits for Outlook events)."""

    lifetime: timedelta = MAX_LIFETIME - LIFETIME_MARGIN
    #: How long a claim (a creation under way) blocks others before it counts as abandoned.
    claim_timeout: timedelta = timedelta(minutes=2)
    #: When a failed renewal or creation is tried again.
    retry_delay: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class RenewalReport:
    """What ``renew_due`` did; ``resync`` names organizers whose events must be re-read."""

    renewed: int = 0
    recreated: int = 0
    skipped: int = 0
    failed: int = 0
    resync: tuple[str, ...] = ()


@dataclass(frozen=True)
class LifecycleOutcome:
    """What a lifecycle notification led to; ``resync`` asks the caller to re-read the organizer's events."""

    organizer_id: str
    event: str
    outcome: Outcome
    resync: bool


class ChangeCallback(Protocol):
    """Called for each verified change notification (the caller re-reads the event)."""

    async def __call__(self, organizer_id: str, event_id: str, change_type: str) -> None:
        """``change_type`` is ``created``, ``updated`` or ``deleted``."""
        ...


class MissedCallback(Protocol):
    """Called when notifications may have been lost: re-read all of the organizer's events."""

    async def __call__(self, organizer_id: str) -> None:
        """Resynchronizes what the bot shows for the organizer's meetings."""
        ...


def digest(client_state: str) -> str:
    """The stored form of a clientState secret."""
    return hashlib.sha256(client_state.encode("utf-8")).hexdigest()


def events_resource(organizer_id: str) -> str:
    """The watched Graph resource of an organizer."""
    return f"users/{organizer_id}/events"


class SubscriptionService:
    """Creates, renews, verifies and repairs the organizers' subscriptions."""

    def __init__(self, gateway: SubscriptionGateway, store: SubscriptionStore, notification_url: str,
                 lifecycle_url: str, clock: Callable[[], datetime],
                 policy: SubscriptionPolicy | None = None) -> None:
        self._gateway = gateway
        self._store = store
        self._notification_url = notification_url
        self._lifecycle_url = lifecycle_url
        self._clock = clock
        self._policy = policy or SubscriptionPolicy()

    async def current(self, organizer_id: str) -> SubscriptionRecord | None:
        """The organizer's record as stored (for status and tests)."""
        stored = await self._store.get(organizer_id)
        return stored.record if stored else None

    async def ensure(self, organizer_id: str) -> str | None:
        """Makes sure the organizer's events are watched; returns the active subscription id.

        Idempotent: an active subscription is reused. Returns None when another caller is
        creating it right now. Raises ServiceUnavailableError when Graph refuses or fails; the
        record is then due again after the retry delay, so ``renew_due`` finishes the job.
        """
        now = self._clock()
        stored = await self._store.get(organizer_id)
        if stored is not None:
            record = stored.record
            if record.subscription_id and record.expires and record.expires > now:
                return record.subscription_id
            if self._claimed(record, now):
                return None
        return await self._create(organizer_id, stored)

    async def remove(self, organizer_id: str) -> None:
        """Stops watching the organizer's events (deletes the subscription and the record)."""
        stored = await self._store.get(organizer_id)
        if stored is None:
            return
        if stored.record.subscription_id:
            await self._gateway.delete(stored.record.subscription_id)
        await self._store.delete(organizer_id)

    async def renew_due(self) -> RenewalReport:
        """Renews every subscription whose renewal time has come (also the first run after a restart).

        A subscription Graph no longer has (404) is created anew and its organizer listed in
        ``resync``; abandoned claims and failed creations are retried the same way.
        """
        counts = {outcome: 0 for outcome in Outcome}
        resync: list[str] = []
        for stored in await self._store.due(self._clock()):
            outcome = await self._refresh(stored)
            counts[outcome] += 1
            if outcome is Outcome.RECREATED:
                resync.append(stored.record.organizer_id)
        return RenewalReport(renewed=counts[Outcome.RENEWED], recreated=counts[Outcome.RECREATED],
                             skipped=counts[Outcome.SKIPPED], failed=counts[Outcome.FAILED], resync=tuple(resync))

    async def verify(self, subscription_id: str, client_state: str | None) -> str | None:
        """The organizer a notification concerns, if the subscription is ours and clientState matches."""
        if not subscription_id or not client_state:
            return None
        stored = await self._store.by_subscription(subscription_id)
        if stored is None or stored.record.subscription_id != subscription_id:
            return None
        if not hmac.compare_digest(digest(client_state), stored.record.client_state_sha256):
            return None
        return stored.record.organizer_id

    async def on_lifecycle(self, subscription_id: str, event: str, client_state: str | None
                           ) -> LifecycleOutcome | None:
        """Acts on a lifecycle notification; None when it is not verified or not for the current subscription."""
        organizer_id = await self.verify(subscription_id, client_state)
        if organizer_id is None:
            return None
        stored = await self._store.get(organizer_id)
        if stored is None or stored.record.subscription_id != subscription_id:
            return None
        if event == LifecycleEvent.MISSED:
            return LifecycleOutcome(organizer_id, event, Outcome.RESYNC, resync=True)
        if event == LifecycleEvent.REAUTHORIZATION_REQUIRED:
            outcome = await self._refresh(stored, force=True)
        elif event == LifecycleEvent.SUBSCRIPTION_REMOVED:
            outcome = await self._recreate(stored)
        else:
            return None
        return LifecycleOutcome(organizer_id, event, outcome, resync=outcome is Outcome.RECREATED)

    # --- internals ---------------------------------------------------------------------

    def _claimed(self, record: SubscriptionRecord, now: datetime) -> bool:
        return record.creating_since is not None and now - record.creating_since < self._policy.claim_timeout

    def _renew_at(self, expires: datetime) -> datetime:
        now = self._clock()
        return now + max(expires - now, timedelta(0)) / 2

    async def _refresh(self, stored: StoredSubscription, *, force: bool = False) -> Outcome:
        """Renews the stored subscription (or creates it when there is none to renew)."""
        record = stored.record
        now = self._clock()
        if record.subscription_id is None:
            if self._claimed(record, now):
                return Outcome.SKIPPED
            return await self._recreate(stored)
        if not force and record.renew_at > now:
            return Outcome.SKIPPED
        try:
            expires = await self._gateway.renew(record.subscription_id, now + self._policy.lifetime)
        except ServiceUnavailableError as err:
            if err.status == _NOT_FOUND:
                return await self._recreate(stored)
            await self._retry_later(stored)
            return Outcome.FAILED
        # A StaleWriteError: changed meanwhile (another renewal or a recreation); Graph has the new expiry anyway.
        with contextlib.suppress(StaleWriteError):
            await self._store.replace(replace(record, expires=expires, renew_at=self._renew_at(expires)), stored.etag)
        return Outcome.RENEWED

    async def _recreate(self, stored: StoredSubscription) -> Outcome:
        try:
            created = await self._create(stored.record.organizer_id, stored)
        except ServiceUnavailableError:
            return Outcome.FAILED
        return Outcome.RECREATED if created else Outcome.SKIPPED

    async def _retry_later(self, stored: StoredSubscription) -> None:
        retry = replace(stored.record, renew_at=self._clock() + self._policy.retry_delay)
        with contextlib.suppress(StaleWriteError):
            await self._store.replace(retry, stored.etag)

    async def _create(self, organizer_id: str, stored: StoredSubscription | None) -> str | None:
        """Claims the record (eTag), then creates the subscription; None if someone else holds the claim."""
        now = self._clock()
        secret = secrets.token_urlsafe(CLIENT_STATE_BYTES)
        claim = SubscriptionRecord(organizer_id=organizer_id, subscription_id=None,
                                   client_state_sha256=digest(secret), expires=None,
                                   renew_at=now + self._policy.claim_timeout, creating_since=now)
        try:
            if stored is None:
                etag = await self._store.add(claim)
            else:
                etag = await self._store.replace(claim, stored.etag)
        except StaleWriteError:
            return None
        try:
            subscription_id, expires = await self._gateway.create(
                events_resource(organizer_id), CHANGE_TYPES, self._notification_url, self._lifecycle_url,
                secret, now + self._policy.lifetime)
        except ServiceUnavailableError:
            failed = replace(claim, creating_since=None, renew_at=self._clock() + self._policy.retry_delay)
            with contextlib.suppress(StaleWriteError):
                await self._store.replace(failed, etag)
            raise
        record = replace(claim, subscription_id=subscription_id, expires=expires,
                         renew_at=self._renew_at(expires), creating_since=None)
        try:
            await self._store.replace(record, etag)
        except StaleWriteError:
            # Our claim was taken over (we were slower than claim_timeout): leave no duplicate behind.
            # If that fails it expires by itself; its notifications fail verification meanwhile.
            with contextlib.suppress(ServiceUnavailableError):
                await self._gateway.delete(subscription_id)
            return None
        return subscription_id
