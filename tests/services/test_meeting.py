"""Running the meeting on fakes: who may start and see it, steps clicked concurrently, feedback counts."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from domain.convening import Venue
from domain.meeting import MeetingStatus
from services.caller import Caller
from services.errors import MeetingRefusedError, UserFacingError
from services.meeting_access import Viewer
from tests.fakes.clock import CHRISTMAS, ORDINARY
from tests.fakes.team import MIKKO, NIKO_ID
from tests.fakes.world import world
from tests.services.journey import booked, meeting_with_plan


async def test_only_the_convener_starts_the_meeting_and_starting_again_reopens_it() -> None:
    w = world(ORDINARY)
    convening = await booked(w)

    with pytest.raises(UserFacingError) as refused:
        await w.meetings.start(convening.id, w.niko)
    assert refused.value.key == "convening.not_found" and not w.meeting_store.has(convening.id)

    meeting = await w.meetings.start(convening.id, w.liisa)
    again = await w.meetings.start(convening.id, w.liisa)

    assert again == meeting == w.meeting_store.record(convening.id)
    assert [a.email for a in meeting.attendees][1:] == [p.email for p in convening.invitees]
    assert meeting.place == "Neuvotteluhuone Kaste"


async def test_a_step_clicked_while_another_instance_saved_is_applied_on_the_fresh_state() -> None:
    w = world(ORDINARY)
    meeting = await w.meetings.start((await booked(w)).id, w.liisa)
    w.meeting_store.change_meanwhile(meeting.id, lambda m: m.toggled("seating"))  # a click on the other instance

    toggled = await w.meetings.toggle_step(meeting.id, w.liisa, "welcome")

    assert set(toggled.checked) == {"seating", "welcome"}
    assert set(w.meeting_store.record(meeting.id).checked) == {"seating", "welcome"}, "no click lost"


async def test_who_sees_the_shared_card_the_runner_a_participant_and_anyone_else() -> None:
    w = world(CHRISTMAS)
    meeting = await w.meetings.start((await booked(w)).id, w.liisa)
    mikko_id = "00000000-0000-4000-8000-00000000000a"
    w.directory.add(MIKKO, mikko_id)

    assert (await w.access.viewer(meeting.id, w.liisa))[1] is Viewer.RUNNER
    assert (await w.access.viewer(meeting.id, Caller(mikko_id, "Mikko")))[1] is Viewer.PARTICIPANT
    assert (await w.access.viewer(meeting.id, Caller(NIKO_ID, "Niko")))[1] is Viewer.OUTSIDER


async def test_the_meeting_chat_is_the_meeting_whose_teams_link_names_it() -> None:
    w = world(ORDINARY)
    first = await booked(w, venue=Venue.REMOTE)
    second = await booked(w, slot=1, venue=Venue.REMOTE)
    assert first.booking is not None and second.booking is not None and second.booking.join_url is not None
    thread = unquote(second.booking.join_url.split("/meetup-join/")[1].split("/")[0])  # 19:meeting_…@thread.v2

    found = await w.access.meeting_for_chat(w.liisa, thread)
    nearest = await w.access.meeting_for_chat(w.liisa, "19:some-group-chat@thread.v2")

    assert found is not None and found.id == second.id
    sooner = first if first.booking.start < second.booking.start else second
    assert nearest is not None and nearest.id == sooner.id


async def test_feedback_is_counted_and_a_refusal_leaves_the_counts_as_they_were() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)

    counted = await w.meetings.add_feedback(meeting.id, w.liisa, {"family_heard": 5, "pros_useful": 4})
    with pytest.raises(MeetingRefusedError) as refused:
        await w.meetings.add_feedback(meeting.id, w.liisa, {})

    assert refused.value.key == "feedback.empty"
    assert counted.feedback.responses == 1 and refused.value.meeting == counted
    assert w.meeting_store.record(meeting.id).feedback == counted.feedback
    assert w.statistics.feedback == {(meeting.id, 1): {"family_heard": 5, "pros_useful": 4}}
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.RUNNING


@pytest.mark.parametrize("score", [7, 6, 0, -1])
async def test_a_score_off_the_scale_is_refused_and_nothing_is_saved(score: int) -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)
    first = await w.meetings.add_feedback(meeting.id, w.liisa, {"family_heard": 4})

    with pytest.raises(MeetingRefusedError) as refused:
        await w.meetings.add_feedback(meeting.id, w.liisa, {"family_heard": score, "pros_useful": 3})

    assert refused.value.key == "feedback.out_of_range" and refused.value.meeting == first
    stored = w.meeting_store.record(meeting.id).feedback
    assert stored == first.feedback and stored.responses == 1, "not saved as 5, and the valid answer neither"
    assert w.statistics.feedback == {(meeting.id, 1): {"family_heard": 4}}, "nor counted"
