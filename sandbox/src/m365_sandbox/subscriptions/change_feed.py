"""From committed calendar changes to change notifications: one POST per subscription per request.

The notifications travel through the transport: at once by default, later (shuffled, doubled) when the
sandbox plays an asynchronous Exchange.
"""

from __future__ import annotations

from functools import partial

from m365_sandbox.calendar.store import ChangeListener, EventChange
from m365_sandbox.core.transport import Transport
from m365_sandbox.subscriptions.notifications import Notifier
from m365_sandbox.subscriptions.service import SubscriptionRecord, SubscriptionService, change_notification


def change_listener(
    subscriptions: SubscriptionService, notifier: Notifier, transport: Transport | None = None
) -> ChangeListener:
    """A CalendarStore listener that notifies every active subscription a change falls under."""
    carrier = transport or Transport()

    def on_changes(changes: list[EventChange]) -> None:
        active = subscriptions.active()
        if not active:
            return
        batches: dict[str, tuple[SubscriptionRecord, list[EventChange]]] = {}
        for change in changes:
            for record in active:
                if record.watches(change):
                    batches.setdefault(record.id, (record, []))[1].append(change)
        for record, matched in batches.values():
            entries = [
                change_notification(record, change, subscriptions.tenant_id_of(change.mailbox_id)) for change in matched
            ]
            carrier.send(f"notification {record.id}", partial(
                notifier.send, "change", record.notification_url, record.id, entries
            ))

    return on_changes
