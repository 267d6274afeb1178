"""Which chat is a worker's personal chat: where the family's reference may be shown and reminders go.

Over real HTTP (bot ↔ sandbox ↔ recording connector). A proactive message (``Messenger.send``, what
reminders, start notices and status updates use) shows where the bot would reach the worker.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pytest

from cards.status import notice_card
from tests.integration.conftest import LIISA, Stack
from tests.support.teams_client import card_text

PERSONAL = "a:personal-chat-1"
MEETING = "19:meeting_OTA4YjA2NDMtZjk4@thread.v2"
HOME_TENANT = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"
OTHER_TENANT = "9d3c2b1a-8f7e-4d6c-b5a4-3e2f1d0c9b8a"


def meeting_start(stack: Stack) -> dict[str, Any]:
    """Teams' meeting-start event as documented: the conversation has ``isGroup`` but no ``conversationType``."""
    activity = stack.user._activity(type="event", name="application/vnd.microsoft.meetingStart",
                                    value={"Id": "MCMxOTptZWV0aW5n", "MeetingType": "Scheduled",
                                           "Title": "Yhdessä aika", "StartTime": "2026-11-22T09:00:00Z"},
                                    channelData={"tenant": {"id": HOME_TENANT},
                                                 "meeting": {"id": "MCMxOTptZWV0aW5n"}})
    activity["conversation"] = {"isGroup": True, "id": MEETING, "tenantId": HOME_TENANT}
    return activity


async def where_reminders_go(stack: Stack) -> str:
    """The conversation a proactive card for Liisa reaches."""
    before = len(stack.connector.sent)
    assert await stack.bot.messenger.send(LIISA, notice_card("Muistutus", "fi"))
    sent = stack.connector.sent[before:]
    assert len(sent) == 1
    conversation: str = sent[0]["_conversation"]
    return conversation


async def test_a_meeting_start_event_does_not_take_over_the_personal_chat(stack: Stack) -> None:
    await stack.user.say("ohje")
    status, _ = await stack.user.post(meeting_start(stack))
    assert status in (200, 202)
    assert await where_reminders_go(stack) == PERSONAL


async def test_a_chat_without_a_conversation_type_is_not_a_personal_chat(stack: Stack) -> None:
    activity = stack.user._activity(type="message", text="uusi")
    activity["conversation"] = {"isGroup": True, "id": MEETING, "tenantId": HOME_TENANT}
    before = len(stack.connector.sent)
    status, _ = await stack.user.post(activity)
    assert status == 202
    cards = [a["attachments"][0]["content"] for a in stack.connector.sent[before:]]
    assert len(cards) == 1
    assert "omassa keskustelussasi" in card_text(cards[0])  # "do this in your personal chat"
    assert "familyRef" not in str(cards[0])


@pytest.mark.parametrize(("conversation", "expected"), [
    ({"conversationType": "personal", "isGroup": True}, False),  # contradictory: not trusted
    ({"isGroup": False}, True),                                  # no type, explicitly one-to-one
    ({}, False),                                                 # nothing said: not personal
    ({"conversationType": "meeting"}, False),                    # an unknown type
], ids=["personal but isGroup", "isGroup false only", "no type, no isGroup", "unknown type"])
async def test_what_counts_as_a_personal_chat(stack: Stack, conversation: dict[str, Any], expected: bool) -> None:
    activity = stack.user._activity(type="message", text="uusi")
    activity["conversation"] = {"id": MEETING, "tenantId": HOME_TENANT, **conversation}
    before = len(stack.connector.sent)
    status, _ = await stack.user.post(activity)
    assert status == 202
    card = stack.connector.sent[before]["attachments"][0]["content"]
    assert ("omassa keskustelussasi" not in card_text(card)) is expected


@pytest.mark.parametrize("change", ["another tenant", "another channel", "another connector host"])
async def test_a_new_conversation_id_does_not_silently_re_point_the_reminders(
        stack: Stack, change: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await stack.user.say("ohje")
    elsewhere = replace(stack.user, conversation_id="a:personal-chat-elsewhere")
    activity = elsewhere._activity(type="message", text="ohje")
    if change == "another tenant":
        activity["conversation"]["tenantId"] = OTHER_TENANT
    elif change == "another channel":
        activity["channelId"] = "webchat"
    else:
        activity["serviceUrl"] = stack.user.connector_url.replace("127.0.0.1", "localhost")
    status, _ = await elsewhere.post(activity)
    assert status == 202  # still answered: only the reminders' address is kept
    assert await where_reminders_go(stack) == PERSONAL
    kept = [r.getMessage() for r in caplog.records if r.name == "bot.proactive"]
    assert kept == ["Personal chat kept: an activity of another channel, tenant or unverified service address "
                    "did not replace it."]
    for private in (LIISA, "a:personal-chat", OTHER_TENANT, "Liisa"):
        assert private not in "\n".join(kept)


async def test_a_new_personal_chat_of_the_same_user_and_tenant_takes_over(stack: Stack,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    await stack.user.say("ohje")
    await replace(stack.user, conversation_id="a:personal-chat-2").say("ohje")
    assert await where_reminders_go(stack) == "a:personal-chat-2"
    replaced = [r.getMessage() for r in caplog.records if r.name == "bot.proactive"]
    assert replaced == ["Personal chat replaced: the user's personal chat has a new conversation id."]
