"""What stays in the chat, and the journey from a phone (issue 13, items 5 and 8), over real HTTP.

A new phase (the structure, the star, the plan, feedback) posts a new card and leaves the card clicked as it
was, so the booked facts and the family's invitation text stay in view; the same thing changing (a step
ticked, a star saved) updates its card in place. On Teams iOS and Android, where Action.Execute does not
work, every card in reply carries Action.Submit and the whole meeting can be run with it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.card_actions import SUBMIT_VERB_KEY
from cards.status import notice_card
from tests.integration.conftest import LIISA, Stack, start_bot
from tests.integration.test_meeting_journey import book, plan_inputs
from tests.support.teams_client import actions, card_text, input_defaults, walk


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Action.Submit of ours on the card (its verb in the data)."""
    return [node for node in walk(card) if node.get("type") == "Action.Submit"
            and isinstance(node.get("data"), dict) and SUBMIT_VERB_KEY in node["data"]]


def submit_for(card: dict[str, Any], verb: str) -> dict[str, Any]:
    """The data of the card's first Action.Submit with ``verb``."""
    found = [node["data"] for node in submits(card) if node["data"][SUBMIT_VERB_KEY] == verb]
    assert found, (verb, [node["data"][SUBMIT_VERB_KEY] for node in submits(card)])
    data: dict[str, Any] = found[0]
    return data


async def test_a_new_phase_posts_a_new_card_and_the_booked_card_stays(stack: Stack) -> None:
    meeting_id = await book(stack)
    user = stack.user
    booked_id = user.last_message_id()
    updated_before = len(stack.connector.updated)
    await stack.at_meeting_start(meeting_id)

    steps = await user.act("meeting.start", {"conveningId": meeting_id}, reply_to=booked_id)
    assert user.last_note == "Avattu uutena korttina alle.", "Teams shows a line under the booked card"
    assert "Yhdessä ajan rakenne" in card_text(steps), card_text(steps)
    assert user.last_message_id() != booked_id, "the structure is a new message below the booked card"
    steps_id = user.last_message_id()

    ticked = await user.act("meeting.step", next(a["data"] for a in actions(steps) if a["verb"] == "meeting.step"),
                            reply_to=steps_id)
    assert user.last_note is None and user.last_message_id() == steps_id, "a step ticked changes its card in place"
    assert card_text(ticked) != card_text(steps)

    star = await user.act("star.open", {"conveningId": meeting_id}, reply_to=steps_id)
    assert user.last_note and user.last_message_id() != steps_id, "the star comes below the structure"
    saved = await user.act("star.save", {"conveningId": meeting_id, "w_0": "Aamut", "f_0": "2"})
    assert "Tallennettu" in card_text(saved) and card_text(saved) != card_text(star)
    assert user.last_note is None, "saving the star updates the star card itself"
    # Outlook's answers may refresh the booked card in place (the same thing changing); nothing replaced it.
    assert all("Kutsu perheelle" in str(u) for u in stack.connector.updated[updated_before:]
               if u["id"] == booked_id), "nothing replaced the booked card (its invitation text stays)"


async def test_a_phone_gets_action_submit_and_runs_the_meeting_with_it(stack: Stack) -> None:
    meeting_id = await book(stack)
    phone = dataclasses.replace(stack.user, platform="android")
    await stack.at_meeting_start(meeting_id)

    [status] = await phone.say("tilanne")
    assert not actions(status), "no Action.Execute reaches a phone: it does not work there"
    assert submits(status), card_text(status)
    booked = await phone.submit(submit_for(status, "convening.open"))
    steps = await phone.submit(submit_for(booked, "meeting.start"))
    assert "Yhdessä ajan rakenne" in card_text(steps) and not actions(steps)
    steps_id = phone.last_message_id()

    updated = len(stack.connector.updated)
    ticked = await phone.submit(submit_for(steps, "meeting.step"), reply_to=steps_id)
    clicked = [u["id"] for u in stack.connector.updated[updated:] if "Kutsu lähetetty" not in str(u)]
    assert clicked == [steps_id], "the clicked card is updated (an answer from Outlook may refresh the booked one)"
    assert card_text(ticked) != card_text(steps)

    star = await phone.submit(submit_for(ticked, "star.open"), reply_to=steps_id)
    saved = await phone.submit({**submit_for(star, "star.save"), "w_0": "Aamut", "f_0": "2"})
    assert "Tallennettu" in card_text(saved), card_text(saved)
    again = await phone.submit(submit_for(saved, "meeting.open"))
    plan = await phone.submit(submit_for(again, "plan.open"))
    saved_plan = await phone.submit({**input_defaults(plan), **submit_for(plan, "plan.save"), **plan_inputs()})
    assert "Tallennettu" in card_text(saved_plan), card_text(saved_plan)
    feedback = await phone.submit(submit_for(saved_plan, "feedback.open"))
    thanks = await phone.submit({**submit_for(feedback, "feedback.save"), "q_family_heard": "4"})
    assert "Kiitos" in card_text(thanks), card_text(thanks)


async def test_submit_mode_everywhere_when_configured(stack: Stack) -> None:
    """YA_CARD_ACTIONS=submit: every reply carries Action.Submit, also to a desktop client."""
    _, runner, url = await start_bot(stack.sandbox, stack.tmp / "submit.db", card_actions="submit")
    try:
        desktop = dataclasses.replace(stack.user, bot_url=url, platform="windows")
        [form] = await desktop.say("uusi")
        assert not actions(form) and submits(form)
        values = {**input_defaults(form), **submit_for(form, "convening.search"), "familyRef": "Perhe K.",
                  "consent": "true", "roles": "neuvola", "venue": "hybrid"}
        proposals = await desktop.submit(values)
        assert submit_for(proposals, "convening.book"), card_text(proposals)
    finally:
        await runner.cleanup()


async def test_cards_sent_later_reach_a_phone_user_with_action_submit(stack: Stack) -> None:
    """Reminders and notices come when the worker is not in the chat: they take the form of the app the worker
    last wrote from, kept with the personal chat (a turn without clientInfo leaves it as it was)."""

    async def later_card() -> dict[str, Any]:
        before = len(stack.connector.sent)
        assert await stack.bot.messenger.send(LIISA, notice_card("Muistutus", "fi", convening_id="c-1"))
        [sent] = stack.connector.sent[before:]
        content: dict[str, Any] = sent["attachments"][0]["content"]
        return content

    await dataclasses.replace(stack.user, platform="web").say("ohje")
    on_desktop = await later_card()
    assert actions(on_desktop) and not submits(on_desktop)

    await dataclasses.replace(stack.user, platform="ios").say("ohje")
    on_phone = await later_card()
    assert submit_for(on_phone, "convening.open")["conveningId"] == "c-1" and not actions(on_phone)
    await dataclasses.replace(stack.user, platform=None).say("ohje")
    assert submits(await later_card()), "no clientInfo: still the phone"

    await dataclasses.replace(stack.user, platform="windows").say("ohje")
    assert not submits(await later_card()), "back at the desktop"
