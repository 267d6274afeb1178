"""The proposed-times card, and the no-time card with ways on."""

from __future__ import annotations

from microsoft_teams.cards import AdaptiveCard, CardElement, Column, ColumnSet, ExecuteAction

from cards.common import action_row, card, execute, facts, inert, text, title
from cards.verbs import Verb
from domain.convening import AvailabilityAnswer, Convening, Person
from domain.organisations import UnknownReason
from domain.slots import Slot, SlotSearch
from domain.team import Team
from domain.ways_on import WaysOn
from i18n.formatting import format_span
from i18n.messages import t
from services.availability_questions import unasked


def person_line(person: Person, team: Team, lang: str) -> str:
    """"Hanna Heikkinen – Äitiys- ja lastenneuvola", for a card (the name is from Graph, possibly another tenant)."""
    role = team.role(person.role) if person.role else None
    name = inert(person.display_name)
    return f"{name} – {role.name(lang)}" if role else name


def _summary(convening: Convening, team: Team, lang: str) -> list[CardElement]:
    request = convening.request
    if request is None:
        return []
    people = ", ".join(person_line(p, team, lang) for p in convening.invitees) or "–"
    return [facts([(t("booked.family", lang), inert(request.family_ref)),
                   (t("slots.invited", lang), people),
                   (t("slots.venue", lang), t(f"venue.{request.venue.value}", lang))])]


def _unknown_lines(convening: Convening, team: Team, lang: str) -> list[CardElement]:
    """Whose availability is unknown, one short line per reason, and who has been asked by e-mail."""
    if not convening.unknown:
        return []
    people = {p.email.lower(): p for p in convening.invitees}

    def names(emails: list[str]) -> str:
        return ", ".join(person_line(people[e], team, lang) if e in people else inert(e) for e in emails)

    lines: list[CardElement] = []
    for reason in UnknownReason:
        emails = [e for e, why in convening.unknown.items() if why is reason]
        if emails:
            lines.append(text(t(f"slots.unknown.{reason.value}", lang, names=names(emails))))
    lines.append(text(t("slots.unknown_note", lang), subtle=True))
    if convening.asked:
        lines.append(text(t("slots.asked", lang, names=names(list(convening.asked))), subtle=True))
    return lines


def _answer_lines(convening: Convening, slot: Slot, lang: str) -> list[CardElement]:
    """For each person asked about ``slot`` by e-mail: "sopii", "ei sovi" or "ei vastattu"."""
    people = {p.email.lower(): p for p in convening.invitees}
    lines: list[CardElement] = []
    for email, answer in convening.asked.items():
        if answer.offered and slot.start not in answer.offered:
            continue  # shown after they were asked ("Näytä lisää"): not asked about
        name = inert(people[email].display_name) if email in people else inert(email)
        lines.append(text(t(f"slots.answer.{_state(answer, slot)}", lang, name=name), subtle=True))
    return lines


def _state(answer: AvailabilityAnswer, slot: Slot) -> str:
    if answer.answered_at is None:
        return "none"
    return "suits" if slot.start in answer.suits else "not_suits"


def proposals_card(convening: Convening, team: Team, lang: str = "fi") -> AdaptiveCard:
    """Up to ``convening.shown`` slots, each with its own "Varaa tämä aika" button; whose availability is
    unknown and why, each e-mailed answer under its time, and "ask by e-mail" while someone is not asked."""
    body: list[CardElement] = [title(t("slots.title", lang)), *_summary(convening, team, lang),
                               *_unknown_lines(convening, team, lang)]
    rooms = {r.email: r.display_name for r in team.rooms}
    for index, slot in enumerate(convening.proposals[:convening.shown]):
        lines: list[CardElement] = [text(format_span(slot.start, slot.end, lang), bold=True)]
        if slot.room:
            lines.append(text(t("slots.room_line", lang, room=rooms.get(slot.room, slot.room)), subtle=True))
        lines += _answer_lines(convening, slot, lang)
        body.append(ColumnSet(separator=True, columns=[
            Column(width="stretch", items=lines),
            Column(width="auto", items=[action_row(execute(t("slots.choose", lang), Verb.BOOK,
                                                           record_id=convening.id, slot=index, primary=True))]),
        ]))
    body.append(text(t("slots.count", lang, shown=str(convening.shown), total=str(len(convening.proposals))),
                     subtle=True))
    actions = []
    if unasked(convening):
        actions.append(execute(t("slots.ask", lang), Verb.ASK, record_id=convening.id))
    if convening.shown < len(convening.proposals):
        actions.append(execute(t("slots.more", lang), Verb.MORE, record_id=convening.id))
    actions.append(_back_or_edit(convening, lang))
    return card(body, actions, lang=lang)


def no_slots_card(convening: Convening, search: SlotSearch, team: Team, ways: WaysOn,
                  lang: str = "fi") -> AdaptiveCard:
    """Why nothing fits, in plain language, and the ways on: only those in ``ways`` (the service can act on
    them), and always changing the search."""
    body: list[CardElement] = [title(t("slots.none_title", lang)), *_summary(convening, team, lang)]
    names = {p.email.lower(): person_line(p, team, lang) for p in convening.invitees}
    names[convening.convener_email.lower()] = inert(convening.convener_name)
    if search.candidate_starts == 0:
        body.append(text(t("slots.no_windows", lang)))
    if search.never_free:
        body.append(text(t("slots.never_free", lang,
                           names=", ".join(names.get(e.lower(), inert(e)) for e in search.never_free))))
    if search.room_shortage:
        body.append(text(t("slots.room_shortage", lang)))
    if search.candidate_starts and not search.never_free and not search.room_shortage:
        body.append(text(t("slots.no_common", lang)))
    body.append(text(t("slots.ways_on", lang), bold=True))
    actions = []
    if ways.widen:
        actions.append(execute(t("slots.widen", lang), Verb.WIDEN, record_id=convening.id))
    if ways.substitute:
        actions.append(execute(t("slots.substitute", lang), Verb.SUBSTITUTE, record_id=convening.id))
    if ways.drop:
        actions.append(execute(t("slots.drop", lang), Verb.DROP, record_id=convening.id))
    actions.append(_back_or_edit(convening, lang))
    return card(body, actions, lang=lang)


def _back_or_edit(convening: Convening, lang: str) -> ExecuteAction:
    """Before booking the search can be changed; when moving a booked meeting, go back to it instead."""
    if convening.booking is not None:
        return execute(t("cancel.back", lang), Verb.OPEN, record_id=convening.id)
    return execute(t("slots.edit", lang), Verb.EDIT, record_id=convening.id)
