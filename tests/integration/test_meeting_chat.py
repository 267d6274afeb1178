"""The meeting chat: the shared card, each participant's own view, kept up to date."""

from __future__ import annotations

from dataclasses import replace

from tests.integration.conftest import Stack
from tests.integration.test_meeting_journey import book
from tests.support.teams_client import TeamsUser, actions, card_text

HANNA_ID = "854654b9-400f-58a0-bba5-ed3132d5ee57"
NIKO_ID = "46d4a612-bd93-58ac-84af-908804390a46"
GROUP = "19:yhdessa-aika-group@thread.v2"


def member(stack: Stack, aad: str, name: str, conversation: str, kind: str = "personal") -> TeamsUser:
    return TeamsUser(bot_url=stack.bot_url, connector_url=stack.user.connector_url, connector=stack.connector,
                     aad_object_id=aad, name=name, conversation_id=conversation, conversation_type=kind)


async def test_shared_card_gives_each_participant_their_own_view(stack: Stack) -> None:
    hanna = member(stack, HANNA_ID, "Hanna Heikkinen", "a:hanna")
    await hanna.say("ohje")  # Hanna has the app
    meeting_id = await book(stack, "Perhe Y.")
    liisa_in_group = replace(stack.user, conversation_id=GROUP, conversation_type="groupChat")
    before = len(stack.connector.sent)
    await liisa_in_group.say("aloita")
    posted = [a for a in stack.connector.sent[before:] if a["_conversation"] == GROUP]
    assert len(posted) == 1
    shared = posted[0]["attachments"][0]["content"]
    assert "Yhdessä ajan rakenne" in card_text(shared)
    assert shared["refresh"]["action"]["verb"] == "meeting.view"
    assert f"29:{HANNA_ID}" in shared["refresh"]["userIds"]
    assert not [a for a in actions(shared) if a["verb"] == "meeting.step"], "the posted card is read-only"

    hanna_in_group = member(stack, HANNA_ID, "Hanna Heikkinen", GROUP, "groupChat")
    hanna_view = await hanna_in_group.act("meeting.view", {"conveningId": meeting_id})
    assert "Lähityöntekijä merkitsee vaiheet" in card_text(hanna_view)
    assert not [a for a in actions(hanna_view) if a["verb"] == "meeting.step"]
    liisa_view = await liisa_in_group.act("meeting.view", {"conveningId": meeting_id})
    assert len([a for a in actions(liisa_view) if a["verb"] == "meeting.step"]) == 9
    niko_view = await member(stack, NIKO_ID, "Niko", GROUP, "groupChat").act("meeting.view",
                                                                               {"conveningId": meeting_id})
    assert "vain sen osallistujille" in card_text(niko_view)
    assert "Perhe Y." not in card_text(niko_view)
    hanna_toggle = await hanna_in_group.act("meeting.step", {"conveningId": meeting_id, "step": "seating"})
    assert "löytänyt" in card_text(hanna_toggle).lower(), "only the near worker checks steps off"

    await stack.user.act("meeting.step", {"conveningId": meeting_id, "step": "welcome"})
    updates = [a for a in stack.connector.updated if a.get("conversation", {}).get("id") == GROUP
               or posted[0]["id"] == a.get("id")]
    assert updates, "the shared card in the meeting chat is updated in place"
    assert "✓ 2." in card_text(updates[-1]["attachments"][0]["content"])


async def test_convening_is_not_started_in_a_group_chat(stack: Stack) -> None:
    liisa_in_group = replace(stack.user, conversation_id=GROUP, conversation_type="groupChat")
    cards = await liisa_in_group.say("uusi")
    assert "omassa keskustelussasi" in card_text(cards[0])
    assert "familyRef" not in str(cards[0])
