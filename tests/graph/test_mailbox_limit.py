"""Which requests count against Outlook's 4-at-once per mailbox (graph/mailbox_limit.py): a mailbox's mail and
calendar, by however the user is addressed; not OneDrive, the directory or subscriptions."""

from __future__ import annotations

import httpx
import pytest

from graph.mailbox_limit import mailbox_of

GRAPH = "https://graph.microsoft.com/v1.0"


@pytest.mark.parametrize(("path", "mailbox"), [
    ("/users/5075BDD2-6dd2/calendar/getSchedule", "5075bdd2-6dd2"),
    ("/users/liisa%40esimerkkila.fi/events/AAMk=/decline", "liisa@esimerkkila.fi"),
    ("/users/u1/calendarView?startDateTime=x", "u1"),
    ("/users/u1/messages/m1", "u1"),
    ("/users/u1/sendMail", "u1"),
    ("/users/u1", None),
    ("/users/u1/drive/root:/Yhdessa/plan.pdf:/content", None),
    ("/subscriptions/s1", None),
    ("/places/microsoft.graph.room", None),
])
def test_a_mailboxs_mail_and_calendar_count_and_nothing_else(path: str, mailbox: str | None) -> None:
    assert mailbox_of(httpx.URL(GRAPH + path)) == mailbox
