"""Expanding the tenant file's calendar rules into concrete events, one week at a time."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from m365_sandbox.calendar.model import (
    base_event,
    email_address,
    new_event_id,
    new_ical_uid,
    normalize_location,
    response_status,
    set_times,
)
from m365_sandbox.calendar.store import CalendarStore, StoredEvent
from m365_sandbox.core.tenant import DAY_NAMES, BusyRule, Mailbox, Tenant
from m365_sandbox.core.timezones import resolve_zone

_SLOT = timedelta(minutes=30)


def monday_of(day: date) -> date:
    """The Monday of the ISO week containing ``day``."""
    return day - timedelta(days=day.weekday())


def horizon_mondays(tenant: Tenant, today: date) -> list[date]:
    """The Mondays of the current week and of every week up to ``horizonWeeks`` ahead."""
    first = monday_of(today)
    last = monday_of(today + timedelta(weeks=tenant.horizon_weeks))
    return [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def seed_calendars(
    tenant: Tenant, store: CalendarStore, today: date, now: datetime, *, other_tenant: bool = False
) -> int:
    """Create the rule-based events for every horizon week not seeded before; returns how many.

    ``other_tenant``: ``tenant`` is one of the data file's other tenants (its weeks are remembered apart).
    """
    scope = tenant.tenant_id if other_tenant else None
    done = store.seeded_weeks(scope)
    this_monday = monday_of(today)
    created = 0
    for monday in horizon_mondays(tenant, today):
        if monday in done:
            continue
        events = expand_week(tenant, monday, (monday - this_monday).days // 7, now)
        store.add_seeded_week(monday, events, scope)
        created += len(events)
    return created


def expand_week(tenant: Tenant, monday: date, week_index: int, now: datetime) -> list[StoredEvent]:
    """All rule-based and sprinkled events of the week starting ``monday``."""
    zone = resolve_zone(tenant.time_zone)
    events: list[StoredEvent] = []
    for rule_index, rule in enumerate(tenant.rules):
        if not rule.applies_to_week(week_index):
            continue
        for mailbox_id in rule.who:
            box = tenant.resolve_ref(mailbox_id)
            for start, end in _rule_spans(rule, monday, zone):
                key = f"{tenant.tenant_id}:{box.id}:{monday}:{rule_index}:{start.isoformat()}"
                events.append(_appointment(tenant, box, rule, key, start, end, now))
    if tenant.sprinkle is not None:
        for box in tenant.users:
            taken = [(e.start, e.end) for e in events if e.mailbox_id == box.id and e.show_as != "free"]
            events.extend(_sprinkle_week(tenant, box, monday, zone, taken, now))
    return events


def _rule_spans(rule: BusyRule, monday: date, zone: tzinfo) -> list[tuple[datetime, datetime]]:
    days = sorted(set(rule.days))
    if rule.all_day:
        runs: list[list[int]] = []
        for day in days:
            if runs and runs[-1][1] == day - 1:
                runs[-1][1] = day
            else:
                runs.append([day, day])
        return [
            (
                datetime.combine(monday + timedelta(days=first), time(), zone),
                datetime.combine(monday + timedelta(days=last + 1), time(), zone),
            )
            for first, last in runs
        ]
    assert rule.start is not None and rule.end is not None
    return [
        (
            datetime.combine(monday + timedelta(days=day), rule.start, zone),
            datetime.combine(monday + timedelta(days=day), rule.end, zone),
        )
        for day in days
    ]


def _appointment(
    tenant: Tenant, box: Mailbox, rule: BusyRule, key: str, start: datetime, end: datetime, now: datetime
) -> StoredEvent:
    data = base_event(new_event_id(key), new_ical_uid(key), now)
    data["subject"] = rule.subject
    data["showAs"] = rule.show_as
    data["sensitivity"] = rule.sensitivity
    set_times(data, start, end, tenant.time_zone, rule.all_day)
    if rule.location:
        location = normalize_location({"displayName": rule.location}, tenant)
        data["location"] = location
        data["locations"] = [dict(location)]
    if rule.organizer is None:
        data["organizer"] = {"emailAddress": email_address(box)}
    else:
        name, address = rule.organizer
        data["organizer"] = {"emailAddress": {"name": name, "address": address}}
        data["isOrganizer"] = False
        data["responseStatus"] = response_status("accepted", now)
        data["attendees"] = [
            {
                "type": "resource" if box.is_room else "required",
                "status": response_status("none", None),
                "emailAddress": email_address(box),
            }
        ]
    return StoredEvent.from_data(box.id, data)


def _sprinkle_week(
    tenant: Tenant,
    box: Mailbox,
    monday: date,
    zone: tzinfo,
    taken: list[tuple[datetime, datetime]],
    now: datetime,
) -> list[StoredEvent]:
    sprinkle = tenant.sprinkle
    assert sprinkle is not None
    hours = box.working_hours
    work_zone = resolve_zone(hours.time_zone)
    result: list[StoredEvent] = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if DAY_NAMES[day.weekday()] not in hours.days:
            continue
        rng = random.Random(f"{sprinkle.seed}:{box.id}:{day.isoformat()}")  # noqa: S311 - not crypto
        windows = [
            (datetime.combine(day, w.start, zone), datetime.combine(day, w.end, zone))
            for w in tenant.practice_windows
            if w.weekday == day.weekday()
        ]
        slot = datetime.combine(day, hours.start, work_zone)
        day_end = datetime.combine(day, hours.end, work_zone)
        while slot + _SLOT <= day_end:
            minutes = rng.choice(sprinkle.durations)
            draw = rng.random()
            subject = rng.choice(sprinkle.subjects)
            private = rng.random() < sprinkle.private_share
            end = min(slot + timedelta(minutes=minutes), day_end)
            in_window = any(slot < w_end and w_start < end for w_start, w_end in windows)
            chance = sprinkle.window_density if in_window else sprinkle.density
            if draw < chance and not any(slot < t_end and t_start < end for t_start, t_end in taken):
                key = f"{tenant.tenant_id}:{box.id}:{slot.isoformat()}:sprinkle"
                result.append(_sprinkled(tenant, box, key, subject, private, slot, end, now))
                taken.append((slot, end))
                slot = end
                continue
            slot += _SLOT
    return result


def _sprinkled(
    tenant: Tenant,
    box: Mailbox,
    key: str,
    subject: str,
    private: bool,
    start: datetime,
    end: datetime,
    now: datetime,
) -> StoredEvent:
    data: dict[str, Any] = base_event(new_event_id(key), new_ical_uid(key), now)
    data["subject"] = subject
    data["sensitivity"] = "private" if private else "normal"
    data["organizer"] = {"emailAddress": email_address(box)}
    set_times(data, start, end, tenant.time_zone, False)
    return StoredEvent.from_data(box.id, data)
