"""Sample meetings for the meeting cards' tests: running, with a star reading, with a plan, finalized."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from config import shipped_path
from documents.star_config import load_star
from domain.meeting import Attendee, FeedbackTally, FinalizeRecord, Meeting, MeetingStatus
from domain.plan import Actions, ContactArrangement, JointPlan
from domain.star import PointReading, StarDefinition, StarReading

HEL = ZoneInfo("Europe/Helsinki")
MEETING_ID = "0123456789abcdef"
FAMILY_REF = "Perhe K."
START = datetime(2026, 12, 3, 8, 0, tzinfo=HEL)

#: Free texts of the samples: none of them may ever appear in an action's data.
STAR_TEXTS = ("Leikkii mielellään kavereiden kanssa", "Iltaisin vaikea rauhoittua", "Isovanhemmat tukena")
PLAN_TEXTS = ("Aamut ovat kiireisiä ja lapsi väsyy", "Iltarutiini ja kuvakalenteri", "Lepohetki päiväkodissa",
              "Perheneuvolan ryhmä", "Kasvatus- ja perheneuvola", "Tekstiviesti äidille", "Soittoaika ma–pe 8–9")
ATTENDEES = (Attendee("liisa.lahinen@esimerkkila.onmicrosoft.com", "Liisa Lähinen", "Lähityöntekijä"),
             Attendee("hanna.heikkinen@esimerkkila.onmicrosoft.com", "Hanna Heikkinen", "Äitiys- ja lastenneuvola"),
             Attendee("mikko.miettinen@esimerkkila.onmicrosoft.com", "Mikko Miettinen", "Koulukuraattori"))


def star(name: str = "lape-pohjois-savo") -> StarDefinition:
    """A star from config/stars (``lape-pohjois-savo`` or ``family-ten-item``)."""
    return load_star(shipped_path("stars") / f"{name}.yaml")


def running_meeting(star_key: str = "lape-pohjois-savo") -> Meeting:
    """A 90-minute meeting started at 8.02 with the first three steps checked."""
    return Meeting(id=MEETING_ID, convener_id="00000000-0000-0000-0000-000000000001",
                   convener_email=ATTENDEES[0].email, team_key="esimerkkila", family_ref=FAMILY_REF, lang="fi",
                   attendees=ATTENDEES, scheduled_start=START, scheduled_end=START + timedelta(minutes=90),
                   place="Perhekeskus, Kokoushuone Kaste", started_at=START + timedelta(minutes=2),
                   star_key=star_key, checked=("seating", "welcome", "family_intro"))


def almost_up(meeting: Meeting) -> datetime:
    """A moment 80 minutes after the start: 10 minutes left."""
    return meeting.started_at + timedelta(minutes=80)


def reading_for(definition: StarDefinition, *, texts: bool = True, shift: int = 0,
                taken_on: date | None = None) -> StarReading:
    """Every point rated (middle of the scale + ``shift``), the child's view where asked, texts on the first points."""
    points = {}
    for i, point in enumerate(definition.points):
        scale = point.scale
        middle = (scale.minimum + scale.maximum) // 2 + shift if scale else None
        strengths = STAR_TEXTS[i] if texts and i < len(STAR_TEXTS) else ""
        to_work_on = STAR_TEXTS[(i + 1) % len(STAR_TEXTS)] if texts and i < 2 else ""
        points[point.key] = PointReading(strengths, to_work_on, family=middle, professionals=middle,
                                         child=middle if point.asked_from_child else None)
    return StarReading(definition.key, points, taken_on)


def star_meeting(definition: StarDefinition) -> Meeting:
    """A follow-up meeting with a reading of ``definition`` and an earlier reading (ratings only)."""
    return replace(running_meeting(definition.key), reading=reading_for(definition, taken_on=START.date()),
                   earlier_reading=reading_for(definition, texts=False, shift=-1, taken_on=date(2026, 9, 10)),
                   followup_of="fedcba9876543210")


def sample_plan() -> JointPlan:
    """A complete plan: Hanna is the responsible worker, Mikko gets the plan with the family's consent."""
    return JointPlan(things_to_change=PLAN_TEXTS[0],
                     actions=Actions(PLAN_TEXTS[1], PLAN_TEXTS[2], PLAN_TEXTS[3], PLAN_TEXTS[4]),
                     contact=ContactArrangement(PLAN_TEXTS[5], PLAN_TEXTS[6]),
                     responsible=("Hanna Heikkinen",), next_contact=datetime(2026, 12, 17, 14, 0, tzinfo=HEL),
                     recipients=("Mikko Miettinen",))


def plan_meeting() -> Meeting:
    """A running meeting with a plan, the family present written down and some feedback."""
    tally = FeedbackTally().add({"family_heard": 5, "family_useful": 4}).add({"family_heard": 4, "pros_useful": 5})
    return replace(running_meeting(), plan=sample_plan(), family_present="Äiti, Lapsi 8 v", lang="sv",
                   feedback=tally, checked=("seating", "welcome", "family_intro", "professionals_intro",
                                            "discussion", "timekeeping", "plan"))


def finalized_meeting() -> Meeting:
    """The plan meeting after finalizing (pruned: the plan's text is gone)."""
    meeting = plan_meeting()
    record = FinalizeRecord(drive_owner=ATTENDEES[1].email, docx_item_id="item-docx", pdf_item_id="item-pdf",
                            docx_url="https://esimerkkila-my.sharepoint.com/personal/hanna/plan.docx",
                            pdf_url="https://esimerkkila-my.sharepoint.com/personal/hanna/plan.pdf",
                            shared_with=(ATTENDEES[0].email, ATTENDEES[2].email), next_contact_event_id="event-9",
                            next_contact=datetime(2026, 12, 17, 14, 0, tzinfo=HEL))
    return replace(meeting, status=MeetingStatus.FINALIZED, finalized=record,
                   finalized_at=START + timedelta(minutes=95)).pruned()
