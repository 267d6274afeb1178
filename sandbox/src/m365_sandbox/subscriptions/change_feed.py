"""From committed calendar changes to change notifications: one POST per subscription per request."""

from __future__ import annotations

from m365_sandbox.calendar.store import ChangeListener, EventChange
from m365_sandbox.subscriptions.notifications import Notifier
from m365_sandbox.subscriptions.service import SubscriptionRecord, SubscriptionService, change_notification


def change_listener(subscriptions: SubscriptionService, notifier: Notifier) -> ChangeListener:
    """A CalendarStore listener that notifies every active subscription a change falls under."""

    def on_changes(changes: list[EventChange]) -> None:
        active = subscriptions.active()
        if not active:
            return
        batches: dict[str, tuple[SubscriptionRecord, list[EventChange]]] = {}
        for change in changes:
            for record in active:
                if record.watches(change):
                    batches.setdefault(record.id, (record, []))[1].append(change)
        tenant_id = subscriptions.tenant.tenant_id
        for record, matched in batches.values():
            entries = [change_notification(record, change, tenant_id) for change in matched]
            notifier.send("change", record.notification_url, record.id, entries)

    return on_changes
