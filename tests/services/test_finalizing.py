"""The plan and finalizing on fakes: the files are uploaded once, shared with the consented people only,
finalizing resumes where it stopped after a failure, the next contact is booked once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.meeting import MEETING_STEPS, MeetingStatus
from domain.organisations import CalendarAccess, Organisation
from domain.team import Team
from i18n.messages import t
from services.errors import MeetingRefusedError, ServiceUnavailableError
from services.finalizing import TOO_EARLY, UNDONE_STEPS
from tests.fakes.calendar import FakeCalendar
from tests.fakes.clock import CHRISTMAS, DST_WEEK, ORDINARY
from tests.fakes.drive import FakeDrive
from tests.fakes.team import HANNA, LIISA, MIKKO, team
from tests.fakes.world import World, world
from tests.services.journey import booked, local, meeting_with_plan, plan_form


def next_contacts(w: World) -> list[str]:
    """The transaction ids of the next-contact events in Outlook."""
    return [e.draft.transaction_id for e in w.calendar.live_events() if "-next-" in e.draft.transaction_id]


async def test_finalizing_uploads_both_files_once_and_books_the_next_contact_once() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)  # Hanna responsible, no other recipients

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)
    again = await w.finalizing.finalize(meeting.id, w.liisa)

    files = w.drive.files_of(HANNA.email)
    assert sorted(f.name.rsplit(".", 1)[1] for f in files) == ["docx", "pdf"]
    assert all(f.content.endswith(b"Aamut sujuvammiksi") for f in files)
    assert next_contacts(w) == [f"yhdessa-aika-next-{meeting.id}"]
    [contact] = [e for e in w.calendar.live_events() if "-next-" in e.draft.transaction_id]
    assert contact.organizer == HANNA.email and contact.draft.start.hour == 9 and contact.draft.start.minute == 30
    at = local(contact.draft.start)
    weekday = ("ma", "ti", "ke", "to", "pe", "la", "su")[at.weekday()]
    assert f"{weekday} {at.day}.{at.month}.{at.year} klo 9.30</p>" in contact.draft.body_html, "Finnish date style"
    assert outcome.just_finalized and not again.just_finalized, "the others are told once"
    stored = w.meeting_store.record(meeting.id)
    assert stored.status is MeetingStatus.FINALIZED and stored.plan is None, "the plan text lives in OneDrive"
    assert stored.finalized is not None and stored.finalized.next_contact_event_id == contact.id
    assert w.statistics.held_ids == {meeting.id}


async def test_the_files_are_shared_with_the_consented_people_only() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)  # attendees: Liisa (0), Hanna (1), Mikko (2); Mikko did not consent

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)

    for item in w.drive.files_of(HANNA.email):
        assert item.shared_with == {LIISA.email}, "the near worker prints it for the family; Mikko gets nothing"
    assert outcome.notify == (LIISA.email, HANNA.email)
    assert outcome.recipient_names == ("Liisa Lähinen",)


async def test_a_consented_recipient_gets_read_access_and_one_that_failed_is_offered_again() -> None:
    w = world(CHRISTMAS)
    meeting = await meeting_with_plan(w, recipients=(2,))
    w.drive.share_fails.add(MIKKO.email)

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)
    assert outcome.not_shared_names == ("Mikko Miettinen",)
    assert all(f.shared_with == {LIISA.email} for f in w.drive.files_of(HANNA.email))

    w.drive.share_fails.clear()
    retried = await w.finalizing.retry_sharing(meeting.id, w.liisa)

    assert retried.not_shared_names == ()
    assert all(f.shared_with == {LIISA.email, MIKKO.email} for f in w.drive.files_of(HANNA.email))
    assert len(w.drive.files) == 2, "sharing again uploads nothing"


async def test_finalizing_resumes_after_a_failed_upload_without_a_second_copy() -> None:
    w = world(DST_WEEK)
    meeting = await meeting_with_plan(w)
    w.drive.upload_failures += [None, ServiceUnavailableError(503, "serviceNotAvailable")]  # the PDF fails

    with pytest.raises(ServiceUnavailableError):
        await w.finalizing.finalize(meeting.id, w.liisa)
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.FINALIZING
    [docx] = w.drive.files_of(HANNA.email)
    # The next contact was booked beside the uploads (at the same time) and is remembered: not booked again.
    assert docx.name.endswith(".docx") and next_contacts(w) == [f"yhdessa-aika-next-{meeting.id}"]
    assert w.meeting_store.record(meeting.id).finalized.next_contact_event_id  # type: ignore[union-attr]

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)

    assert outcome.just_finalized
    names = sorted(f.name for f in w.drive.files_of(HANNA.email))
    assert names == [docx.name, docx.name.replace(".docx", ".pdf")], "the DOCX found again, not a '… 1.docx'"
    assert next_contacts(w) == [f"yhdessa-aika-next-{meeting.id}"]


async def test_finalizing_resumes_after_the_next_contact_failed_and_uploads_nothing_again() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)
    # Graph fails twice: the free/busy check first (it does not block), then the booking itself.
    w.calendar.failures += [ServiceUnavailableError(429, "TooManyRequests", retry_after=120)] * 2

    with pytest.raises(ServiceUnavailableError) as failed:
        await w.finalizing.finalize(meeting.id, w.liisa)
    assert failed.value.retry_after == 120
    uploaded = dict(w.drive.files)
    assert len(uploaded) == 2 and next_contacts(w) == []

    await w.finalizing.finalize(meeting.id, w.liisa)

    assert w.drive.files == uploaded and next_contacts(w) == [f"yhdessa-aika-next-{meeting.id}"]


async def test_a_plan_that_is_not_ready_is_refused_with_the_meeting_and_nothing_is_written() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    assert convening.booking is not None
    w.clock.set(convening.booking.start)
    meeting = await w.meetings.start(convening.id, w.liisa)
    incomplete = replace(plan_form(meeting), things_to_change="")
    saved = await w.meetings.save_plan(meeting.id, w.liisa, incomplete)

    with pytest.raises(MeetingRefusedError) as refused:
        await w.finalizing.finalize(meeting.id, w.liisa)

    assert refused.value.key.startswith("plan.") and refused.value.meeting == saved
    assert w.drive.files == {} and next_contacts(w) == []
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.RUNNING


async def test_a_plan_text_holding_an_identity_code_is_refused_with_the_meeting_as_it_was() -> None:
    w = world(ORDINARY)
    convening = await booked(w)
    meeting = await w.meetings.start(convening.id, w.liisa)

    with pytest.raises(MeetingRefusedError) as refused:
        await w.meetings.save_plan(meeting.id, w.liisa, replace(plan_form(meeting), at_home="Lapsi 010203A1234"))

    assert refused.value.key.startswith("plan.field.") and refused.value.meeting == meeting
    assert w.meeting_store.record(meeting.id).plan is None


def _hanna_works_for(access: CalendarAccess) -> Team:
    """The default team, with Hanna employed by another organisation reached as ``access`` says."""
    base = team()
    other = Organisation("muu", "Toinen työnantaja", access,
                         "33333333-3333-4333-8333-333333333333" if access is not CalendarAccess.NO_CALENDAR else None)
    members = tuple(replace(m, organisation="muu") if m.email == HANNA.email else m for m in base.members)
    return replace(base, members=members, organisations=(base.home, other))


async def test_a_plan_for_a_worker_whose_onedrive_the_bot_cannot_write_stays_with_the_near_worker() -> None:
    w = world(ORDINARY, the_team=_hanna_works_for(CalendarAccess.SHARED_FREE_BUSY))
    meeting = await meeting_with_plan(w)  # Hanna responsible: her tenant shares free/busy, nothing more

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)

    assert w.drive.files_of(HANNA.email) == []
    files = w.drive.files_of(LIISA.email)
    assert sorted(f.name.rsplit(".", 1)[1] for f in files) == ["docx", "pdf"]
    assert all(f.shared_with == {HANNA.email} for f in files), "shared with the responsible worker by address"
    [contact] = [e for e in w.calendar.live_events() if "-next-" in e.draft.transaction_id]
    assert contact.organizer == LIISA.email and [p.email for p in contact.draft.attendees] == [HANNA.email]
    record = w.meeting_store.record(meeting.id).finalized
    assert record is not None and not record.kept_for_responsible and record.next_contact_invited
    assert outcome.responsible_names == ("Hanna Heikkinen",) and HANNA.email in outcome.notify


async def test_a_plan_for_a_worker_of_a_consenting_partner_goes_to_their_own_onedrive_and_calendar() -> None:
    partner_calendar, partner_drive = FakeCalendar(), FakeDrive()
    w = world(ORDINARY, the_team=_hanna_works_for(CalendarAccess.PARTNER),
              partners={"muu": (partner_calendar, partner_drive)})
    meeting = await meeting_with_plan(w)

    await w.finalizing.finalize(meeting.id, w.liisa)

    assert w.drive.files_of(HANNA.email) == [] and w.drive.files_of(LIISA.email) == []
    files = partner_drive.files_of(HANNA.email)
    assert len(files) == 2 and all(f.shared_with == {LIISA.email} for f in files)
    [contact] = list(partner_calendar.events.values())
    assert contact.organizer == HANNA.email and "-next-" in contact.draft.transaction_id
    record = w.meeting_store.record(meeting.id).finalized
    assert record is not None and record.kept_for_responsible and not record.next_contact_invited


async def test_a_meeting_is_not_finalized_before_its_booked_start_and_is_not_counted_as_held() -> None:
    w = world(ORDINARY)
    convening = await booked(w)  # the first free time, days ahead: the meeting has not happened
    meeting = await w.meetings.start(convening.id, w.liisa)
    for step in MEETING_STEPS:
        await w.meetings.toggle_step(meeting.id, w.liisa, step.key)
    meeting = await w.meetings.save_plan(meeting.id, w.liisa, plan_form(meeting))
    assert w.clock() < meeting.scheduled_start

    with pytest.raises(MeetingRefusedError) as refused:
        await w.finalizing.finalize(meeting.id, w.liisa, confirmed=True)

    start = local(meeting.scheduled_start)
    message = t(refused.value.key, "fi", **refused.value.params)
    assert refused.value.key == TOO_EARLY and refused.value.meeting == meeting
    assert f"{start.day}.{start.month}.{start.year} klo {start.hour}.{start.minute:02d} alkaen" in message, message
    assert w.drive.files == {} and next_contacts(w) == [] and w.statistics.held_ids == set()
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.RUNNING

    w.clock.set(meeting.scheduled_start - timedelta(minutes=1))
    with pytest.raises(MeetingRefusedError):
        await w.finalizing.finalize(meeting.id, w.liisa, confirmed=True)

    w.clock.set(meeting.scheduled_start)
    outcome = await w.finalizing.finalize(meeting.id, w.liisa)
    assert outcome.just_finalized and w.statistics.held_ids == {meeting.id}


async def test_steps_not_marked_done_are_confirmed_first_and_only_a_real_finalize_counts_as_held() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w, steps_done=3)  # at its start; 3 of 9 steps done

    with pytest.raises(MeetingRefusedError) as asked:
        await w.finalizing.finalize(meeting.id, w.liisa)

    assert asked.value.key == UNDONE_STEPS and asked.value.params == {"undone": "6", "total": "9"}
    assert w.drive.files == {} and next_contacts(w) == [] and w.statistics.held_ids == set()
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.RUNNING

    outcome = await w.finalizing.finalize(meeting.id, w.liisa, confirmed=True)

    assert outcome.just_finalized and len(w.drive.files_of(HANNA.email)) == 2
    assert w.statistics.held_ids == {meeting.id}
    again = await w.finalizing.finalize(meeting.id, w.liisa)  # a re-click on a finalized meeting asks nothing
    assert not again.just_finalized and w.statistics.held_ids == {meeting.id}


async def test_a_finalize_that_stopped_midway_resumes_without_asking_again() -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w, steps_done=0)
    # Graph fails twice: the free/busy check first (it does not block), then the booking itself.
    w.calendar.failures += [ServiceUnavailableError(503, "serviceNotAvailable")] * 2
    with pytest.raises(ServiceUnavailableError):
        await w.finalizing.finalize(meeting.id, w.liisa, confirmed=True)
    assert w.statistics.held_ids == set(), "not held until it is finalized"

    outcome = await w.finalizing.finalize(meeting.id, w.liisa)  # "Valmis" again, or the retry after a crash

    assert outcome.just_finalized and w.statistics.held_ids == {meeting.id}


async def test_a_next_contact_over_an_appointment_is_refused_with_the_nearest_free_times_and_nothing_written(
        ) -> None:
    w = world(ORDINARY)
    meeting = await meeting_with_plan(w)  # Hanna responsible; the next contact at 9.30
    stored = w.meeting_store.record(meeting.id)
    assert stored.plan is not None and stored.plan.next_contact is not None
    wanted = stored.plan.next_contact
    w.calendar.block(HANNA.email, wanted - timedelta(minutes=30), wanted + timedelta(minutes=30))  # 9.00–10.00

    with pytest.raises(MeetingRefusedError) as refused:
        await w.finalizing.finalize(meeting.id, w.liisa)

    assert refused.value.key == "next_contact.taken"
    shown = t(refused.value.key, "fi", **refused.value.params)
    day = local(wanted)
    weekday = ("ma", "ti", "ke", "to", "pe", "la", "su")[day.weekday()]
    assert f"{weekday} {day.day}.{day.month}.{day.year} klo 9.30" in shown, shown
    free = [f"klo {h}" for h in ("10.00", "8.30", "10.30")]
    assert [shown.index(f) for f in free] == sorted(shown.index(f) for f in free), "nearest first"
    assert not w.drive.files_of(HANNA.email) and not next_contacts(w), "nothing uploaded or booked"
    assert w.meeting_store.record(meeting.id).status is MeetingStatus.RUNNING
    assert not w.statistics.held_ids
