"""The joint plan (yhteinen suunnitelma) and everything its printed document holds.

The plan follows the handbook's template (kirjausrunko) item by item:

1. concrete things in the child's/family's everyday life that need change or solutions;
2. actions to reach them: a) at home, b) in the child's everyday environment (day care,
   school), c) elsewhere — where?;
3. how contact works: how workers reach the family and how the family reaches the worker;
4. the responsible worker (a professional, or a pair), named by the family among those present;
5. the time of the next contact, agreed by the responsible worker with the family;
6. the contact list of services (from the team's configuration).

It is not an official document but the family's memo. It goes to the responsible
worker(s) and, only as the family agreed, to other named people who took part.

Pure Python: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.sensitive_text import TextProblem, text_problem
from domain.star import ReadingProblem, StarDefinition, StarProblemKind, StarReading, reading_problems
from domain.team import Team

LANGUAGES = ("fi", "sv", "en")

#: Longest texts per field (characters).
MAX_THINGS_TO_CHANGE = 2000
MAX_ACTION = 1000
MAX_WHERE = 200
MAX_CONTACT_WAY = 500
MAX_NAME = 100
MAX_ROLE = 100
MAX_WORK_CONTACT = 200
MAX_PLACE = 200


@dataclass(frozen=True)
class Participant:
    """Someone who took part: a name and a role as shown in the plan.

    Family members may be written as the family wishes ("Äiti", "Lapsi 8 v");
    ``professional`` marks the workers, who alone may be responsible workers.
    ``contact`` is a professional's work contact (phone, e-mail, hours), shown for
    the responsible worker; it is empty for family members.
    """

    name: str
    role: str
    professional: bool = True
    contact: str = ""


@dataclass(frozen=True)
class Actions:
    """Template item 2: actions a) at home, b) in the child's everyday environment, c) elsewhere (where)."""

    at_home: str = ""
    everyday_environment: str = ""
    elsewhere: str = ""
    elsewhere_where: str = ""

    @property
    def is_empty(self) -> bool:
        """Whether no action was written."""
        return not (self.at_home.strip() or self.everyday_environment.strip() or self.elsewhere.strip())


@dataclass(frozen=True)
class ContactArrangement:
    """Template item 3: how the workers reach the family, and how the family reaches the worker."""

    workers_reach_family: str = ""
    family_reaches_worker: str = ""


@dataclass(frozen=True)
class JointPlan:
    """The joint plan's own content (template items 1–5).

    ``responsible`` and ``recipients`` are participants' names. The responsible
    worker(s) always have the plan; ``recipients`` are the other people present whom
    the family agreed may receive it.
    """

    things_to_change: str
    actions: Actions
    contact: ContactArrangement
    responsible: tuple[str, ...]
    next_contact: datetime | None
    recipients: tuple[str, ...] = ()


class PlanProblemKind(StrEnum):
    """Why a plan was refused. The value is the message key."""

    REQUIRED = "plan.required"
    NO_ACTIONS = "plan.no_actions"
    WHERE_MISSING = "plan.where_missing"
    NO_PARTICIPANTS = "plan.no_participants"
    DUPLICATE_NAME = "plan.duplicate_name"
    RESPONSIBLE_COUNT = "plan.responsible_count"
    RESPONSIBLE_NOT_PRESENT = "plan.responsible_not_present"
    RESPONSIBLE_NOT_PROFESSIONAL = "plan.responsible_not_professional"
    RECIPIENT_NOT_PRESENT = "plan.recipient_not_present"
    NEXT_CONTACT_MISSING = "plan.next_contact_missing"
    NEXT_CONTACT_BEFORE_MEETING = "plan.next_contact_before_meeting"
    UNKNOWN_LANGUAGE = "plan.unknown_language"
    STAR_MISMATCH = "plan.star_mismatch"


@dataclass(frozen=True)
class PlanProblem:
    """One problem: the field (e.g. ``actions.at_home``, ``participants.2.name``) and why (a message key)."""

    field_name: str
    problem: PlanProblemKind | TextProblem | StarProblemKind


def _text(problems: list[PlanProblem], name: str, text: str, max_length: int, *, required: bool = False,
          work_contact: bool = False) -> None:
    """Appends the problem with ``text``, if any. A work contact may hold a phone number or e-mail."""
    if not text.strip():
        if required:
            problems.append(PlanProblem(name, PlanProblemKind.REQUIRED))
        return
    problem = text_problem(text, max_length=max_length)
    if work_contact and problem in (TextProblem.EMAIL, TextProblem.PHONE):
        problem = None
    if problem:
        problems.append(PlanProblem(name, problem))


def participant_problems(participants: tuple[Participant, ...]) -> tuple[PlanProblem, ...]:
    """Problems with the list of people present: names and roles required, names unique, nothing identifying."""
    problems: list[PlanProblem] = []
    if not participants:
        problems.append(PlanProblem("participants", PlanProblemKind.NO_PARTICIPANTS))
    seen: set[str] = set()
    for i, person in enumerate(participants):
        _text(problems, f"participants.{i}.name", person.name, MAX_NAME, required=True)
        _text(problems, f"participants.{i}.role", person.role, MAX_ROLE, required=True)
        _text(problems, f"participants.{i}.contact", person.contact, MAX_WORK_CONTACT, work_contact=True)
        folded = person.name.strip().casefold()
        if folded and folded in seen:
            problems.append(PlanProblem(f"participants.{i}.name", PlanProblemKind.DUPLICATE_NAME))
        seen.add(folded)
    return tuple(problems)


def plan_problems(plan: JointPlan, participants: tuple[Participant, ...],
                  meeting_day: date | None = None) -> tuple[PlanProblem, ...]:
    """Everything wrong with ``plan``; empty when it can be written down and printed.

    Required: the things to change, at least one action (and where, for "elsewhere"),
    both ways of contact, one responsible worker or a pair among the professionals
    present, and the next contact (not before ``meeting_day``). Recipients must be
    people present. Every text is checked for identity codes, e-mail addresses and
    phone numbers (a family's details never go into the plan's free text).
    """
    problems: list[PlanProblem] = []
    _text(problems, "things_to_change", plan.things_to_change, MAX_THINGS_TO_CHANGE, required=True)
    actions = plan.actions
    if actions.is_empty:
        problems.append(PlanProblem("actions", PlanProblemKind.NO_ACTIONS))
    _text(problems, "actions.at_home", actions.at_home, MAX_ACTION)
    _text(problems, "actions.everyday_environment", actions.everyday_environment, MAX_ACTION)
    _text(problems, "actions.elsewhere", actions.elsewhere, MAX_ACTION)
    _text(problems, "actions.elsewhere_where", actions.elsewhere_where, MAX_WHERE)
    if actions.elsewhere.strip() and not actions.elsewhere_where.strip():
        problems.append(PlanProblem("actions.elsewhere_where", PlanProblemKind.WHERE_MISSING))
    # How to reach each other naturally holds a worker's phone number or e-mail: allowed there only.
    _text(problems, "contact.workers_reach_family", plan.contact.workers_reach_family, MAX_CONTACT_WAY,
          required=True, work_contact=True)
    _text(problems, "contact.family_reaches_worker", plan.contact.family_reaches_worker, MAX_CONTACT_WAY,
          required=True, work_contact=True)
    by_name = {p.name.strip().casefold(): p for p in participants}
    if not 1 <= len(plan.responsible) <= 2 or len({n.strip().casefold() for n in plan.responsible}) != len(
            plan.responsible):
        problems.append(PlanProblem("responsible", PlanProblemKind.RESPONSIBLE_COUNT))
    for name in plan.responsible:
        person = by_name.get(name.strip().casefold())
        if person is None:
            problems.append(PlanProblem("responsible", PlanProblemKind.RESPONSIBLE_NOT_PRESENT))
        elif not person.professional:
            problems.append(PlanProblem("responsible", PlanProblemKind.RESPONSIBLE_NOT_PROFESSIONAL))
    for name in plan.recipients:
        if name.strip().casefold() not in by_name:
            problems.append(PlanProblem("recipients", PlanProblemKind.RECIPIENT_NOT_PRESENT))
    if plan.next_contact is None:
        problems.append(PlanProblem("next_contact", PlanProblemKind.NEXT_CONTACT_MISSING))
    elif meeting_day is not None and plan.next_contact.date() < meeting_day:
        problems.append(PlanProblem("next_contact", PlanProblemKind.NEXT_CONTACT_BEFORE_MEETING))
    return tuple(problems)


@dataclass(frozen=True)
class ServiceContact:
    """One line of the contact list of services: the service (a role's name) and how to reach it."""

    service: str
    contact: str


def service_contacts(team: Team, lang: str = "fi") -> tuple[ServiceContact, ...]:
    """The team's contact list (its ``contacts`` by role key) in the order of its roles, named in ``lang``."""
    return tuple(ServiceContact(role.name(lang), team.contacts[role.key])
                 for role in team.roles if team.contacts.get(role.key, "").strip())


@dataclass(frozen=True)
class PlanDocumentData:
    """Everything the printed plan holds, and nothing else.

    The renderers (documents/) take only what is here: build it from what the family
    agreed to be written down. The family reference is not part of it.
    """

    meeting_day: date
    place: str
    participants: tuple[Participant, ...]
    plan: JointPlan
    service_contacts: tuple[ServiceContact, ...] = ()
    star: StarDefinition | None = None
    reading: StarReading | None = None
    earlier_reading: StarReading | None = None
    lang: str = "fi"
    #: When the document is made (finalizing, from the injected clock): the PDF's creation date.
    created: datetime | None = None

    def _people(self, names: tuple[str, ...]) -> tuple[Participant, ...]:
        by_name = {p.name.strip().casefold(): p for p in self.participants}
        found = (by_name.get(n.strip().casefold()) for n in names)
        return tuple(p for p in found if p is not None)

    @property
    def responsible_workers(self) -> tuple[Participant, ...]:
        """The responsible worker(s) as participants, in the order the plan names them."""
        return self._people(self.plan.responsible)

    @property
    def recipients(self) -> tuple[Participant, ...]:
        """Who has the plan: the responsible worker(s), then the others the family agreed to."""
        people = self._people(self.plan.responsible + self.plan.recipients)
        return tuple(p for i, p in enumerate(people) if p not in people[:i])


def document_problems(data: PlanDocumentData) -> tuple[PlanProblem, ...]:
    """Everything wrong with ``data``: the plan, the people, the place, the language and the star readings."""
    problems: list[PlanProblem] = []
    if data.lang not in LANGUAGES:
        problems.append(PlanProblem("lang", PlanProblemKind.UNKNOWN_LANGUAGE))
    _text(problems, "place", data.place, MAX_PLACE, required=True)
    problems.extend(participant_problems(data.participants))
    problems.extend(plan_problems(data.plan, data.participants, data.meeting_day))
    for i, service in enumerate(data.service_contacts):
        _text(problems, f"service_contacts.{i}.service", service.service, MAX_ROLE, required=True)
        _text(problems, f"service_contacts.{i}.contact", service.contact, MAX_WORK_CONTACT, work_contact=True)
    for name, reading in (("reading", data.reading), ("earlier_reading", data.earlier_reading)):
        if reading is None:
            continue
        if data.star is None:
            problems.append(PlanProblem(name, PlanProblemKind.STAR_MISMATCH))
            continue
        problems.extend(_from_reading(name, p) for p in reading_problems(data.star, reading))
    return tuple(problems)


def _from_reading(name: str, problem: ReadingProblem) -> PlanProblem:
    where = ".".join(part for part in (name, problem.point_key, problem.field_name) if part)
    return PlanProblem(where, problem.problem)


def _texts(data: PlanDocumentData) -> tuple[tuple[str, str], ...]:
    """Every free text ``data`` holds, with the field it came from."""
    plan = data.plan
    texts: list[tuple[str, str]] = [
        ("place", data.place), ("things_to_change", plan.things_to_change),
        ("actions.at_home", plan.actions.at_home),
        ("actions.everyday_environment", plan.actions.everyday_environment),
        ("actions.elsewhere", plan.actions.elsewhere), ("actions.elsewhere_where", plan.actions.elsewhere_where),
        ("contact.workers_reach_family", plan.contact.workers_reach_family),
        ("contact.family_reaches_worker", plan.contact.family_reaches_worker),
    ]
    texts += [("responsible", n) for n in plan.responsible] + [("recipients", n) for n in plan.recipients]
    for i, p in enumerate(data.participants):
        texts += [(f"participants.{i}.name", p.name), (f"participants.{i}.role", p.role),
                  (f"participants.{i}.contact", p.contact)]
    for i, s in enumerate(data.service_contacts):
        texts += [(f"service_contacts.{i}.service", s.service), (f"service_contacts.{i}.contact", s.contact)]
    for name, reading in (("reading", data.reading), ("earlier_reading", data.earlier_reading)):
        for key, entry in (reading.points.items() if reading else ()):
            texts += [(f"{name}.{key}.strengths", entry.strengths), (f"{name}.{key}.to_work_on", entry.to_work_on)]
    return tuple(texts)


def identity_code_fields(data: PlanDocumentData) -> tuple[str, ...]:
    """The fields of ``data`` holding something that looks like a personal identity code (henkilötunnus).

    The renderers' last line of defence: whatever else was validated before, a
    document holding any of these is never produced.
    """
    found = []
    for name, text in _texts(data):
        visible = "".join(ch if ch >= " " or ch in "\n\t" else " " for ch in text)
        if text_problem(visible, max_length=len(visible) + 1) is TextProblem.IDENTITY_CODE:
            found.append(name)
    return tuple(found)
