"""Asking by e-mail which proposed times suit the people whose calendars cannot be read, and their answers
on the one-time page: only the convener asks, only the unknown and not yet asked are mailed, nothing of the
family goes into the mail, a link works once and until it expires, and an answer reaches the proposals card."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from domain.convening import Convening, ConveningStatus, Person
from domain.organisations import CalendarAccess, Organisation, UnknownReason
from domain.team import Team
from services.availability_questions import (
    BAD_CHOICE,
    CHANGED,
    EXPIRED,
    QUESTION_LIFETIME,
    UNKNOWN,
    USED,
    AvailabilityQuestions,
    token_sha256,
)
from services.errors import ServiceUnavailableError, UserFacingError
from tests.fakes.clock import ORDINARY
from tests.fakes.mail import FakeOutbox
from tests.fakes.questions import InMemoryQuestionStore
from tests.fakes.team import HANNA, LIISA, LIISA_ID, team
from tests.fakes.teams_side import FakeProposalCards
from tests.fakes.world import World, world
from tests.services.journey import form

PAGE = "https://bot.example/saatavuus/"
NGO = Organisation("ensikoti", "Ensi- ja turvakoti", CalendarAccess.NO_CALENDAR, None, ("ensikoti.example",))
NGO_WORKER = Person("eeva@ensikoti.example", "Eeva Ensio")
STRANGER = "outi@muualla.example"
FAMILY = "Perhe Virtanen"


@dataclass
class Asking:
    """A world whose network has people of an organisation without a calendar, and the service over it."""

    w: World
    questions: InMemoryQuestionStore
    outbox: FakeOutbox
    cards: FakeProposalCards
    service: AvailabilityQuestions


def asking() -> Asking:
    base = team()
    home = Organisation("kunta", "Esimerkkilän kunta", CalendarAccess.HOME, None, ("esimerkkila.example",))
    the_team: Team = replace(base, organisations=(home, NGO))
    w = world(ORDINARY, the_team=the_team)
    w.directory.add(NGO_WORKER)
    store, outbox, cards = InMemoryQuestionStore(clock=w.clock), FakeOutbox(), FakeProposalCards()
    service = AvailabilityQuestions(teams=w.teams, store=w.convening_store, questions=store, mail=outbox,
                                    cards=cards, clock=w.clock, page_url=PAGE)
    return Asking(w, store, outbox, cards, service)


async def proposed(a: Asking, lang: str = "fi") -> Convening:
    """Liisa's proposals for a network of Hanna (readable), Eeva (no calendar) and Outi (an address only)."""
    convening = await a.w.proposing.start(a.w.liisa, lang)
    the_form = replace(form(a.w), existing_client=True, roles=(), family_ref=FAMILY)
    outcome = await a.w.proposing.search(convening.id, a.w.liisa, the_form,
                                         f"{HANNA.email}, {NGO_WORKER.email}, Outi Ulko <{STRANGER}>")
    found = outcome.convening
    assert found.unknown == {NGO_WORKER.email: UnknownReason.NO_CALENDAR, STRANGER: UnknownReason.OUTSIDE}
    assert found.shown >= 3, "the tests tick the third time"
    return found


def token_in(body: str) -> str:
    """The token of the link in a mail's body."""
    [token] = set(re.findall(re.escape(PAGE) + r"([A-Za-z0-9_-]+)", body))
    return token


async def asked(a: Asking, lang: str = "fi") -> tuple[Convening, str]:
    """Proposals, asked about by e-mail; Eeva's token."""
    convening = await a.service.ask((await proposed(a, lang)).id, a.w.liisa)
    return convening, token_in(a.outbox.to(NGO_WORKER.email)[0].html_body)


async def refused(call: Awaitable[object]) -> str:
    """The refusal's message key."""
    with pytest.raises(UserFacingError) as err:
        await call
    return err.value.key


async def test_asking_mails_only_the_unknown_from_the_conveners_mailbox_and_marks_them_asked() -> None:
    a = asking()
    convening = await proposed(a)

    updated = await a.service.ask(convening.id, a.w.liisa)

    assert sorted(m.to for m in a.outbox.sent) == sorted([NGO_WORKER.email, STRANGER]), "not Hanna: readable"
    assert all(m.sender_id == LIISA_ID for m in a.outbox.sent)
    offered = tuple(s.start for s in convening.proposals[:convening.shown])
    assert set(updated.asked) == {NGO_WORKER.email, STRANGER}
    assert all(x.asked_at == ORDINARY and x.answered_at is None and x.offered == offered
               for x in updated.asked.values())
    assert a.w.convening_store.record(convening.id) == updated
    # Asked already: a second click sends nothing more.
    await a.service.ask(convening.id, a.w.liisa)
    assert len(a.outbox.sent) == 2 and len(a.questions.all()) == 2


async def test_someone_whose_mail_failed_stays_unasked_and_only_they_are_mailed_on_the_next_click() -> None:
    a = asking()
    convening = await proposed(a)
    a.outbox.failing.add(STRANGER)

    with pytest.raises(ServiceUnavailableError):
        await a.service.ask(convening.id, a.w.liisa)

    stored = a.w.convening_store.record(convening.id)
    assert set(stored.asked) == {NGO_WORKER.email}, "Outi got no mail: still to be asked"
    assert [q.email for q in a.questions.all()] == [NGO_WORKER.email], "no question without its mail"
    a.outbox.failing.clear()
    a.w.clock.advance(timedelta(minutes=5))
    await a.service.ask(convening.id, a.w.liisa)
    assert [m.to for m in a.outbox.sent] == [NGO_WORKER.email, STRANGER], "Eeva is not asked twice"
    assert set(a.w.convening_store.record(convening.id).asked) == {NGO_WORKER.email, STRANGER}


async def test_the_mail_says_who_asks_and_until_when_and_nothing_of_the_family() -> None:
    a = asking()
    convening, token = await asked(a)

    mail = a.outbox.to(NGO_WORKER.email)[0]
    shown = mail.subject + mail.html_body
    assert FAMILY not in shown and "Virtanen" not in shown
    assert LIISA.display_name in mail.html_body
    assert "verkostotapaamiseen" in mail.html_body and "kerran" in mail.html_body
    assert f'href="{PAGE}{token}"' in mail.html_body
    [question] = [q for q in a.questions.all() if q.email == NGO_WORKER.email]
    assert question.token_sha256 == token_sha256(token) and token not in repr(a.questions.rows), \
        "only the token's hash is kept"
    assert convening.id in repr(question) and FAMILY not in repr(question)


async def test_a_swedish_convening_asks_in_swedish() -> None:
    a = asking()
    await asked(a, "sv")

    mail = a.outbox.to(NGO_WORKER.email)[0]
    assert mail.subject.startswith("Fråga") and "en gång" in mail.html_body


async def test_only_the_convener_may_ask_and_only_while_times_are_proposed() -> None:
    a = asking()
    convening = await proposed(a)

    assert await refused(a.service.ask(convening.id, a.w.niko)) == "convening.not_found"
    a.w.convening_store.overwrite(replace(convening, status=ConveningStatus.BOOKING))
    assert await refused(a.service.ask(convening.id, a.w.liisa)) == "convening.not_proposing"
    assert a.outbox.sent == [] and a.questions.all() == []


async def test_an_answer_is_recorded_once_and_shown_on_the_proposals_card() -> None:
    a = asking()
    convening, token = await asked(a)
    view = await a.service.question(token)
    assert view.convener_name == LIISA.display_name and view.lang == "fi"
    assert view.slots == convening.proposals[:convening.shown]
    a.w.clock.advance(timedelta(hours=3))

    await a.service.answer(token, {0, 2})

    stored = a.w.convening_store.record(convening.id)
    answer = stored.asked[NGO_WORKER.email]
    assert answer.answered_at == a.w.clock() and answer.suits == (view.slots[0].start, view.slots[2].start)
    assert stored.asked[STRANGER].answered_at is None
    assert a.cards.shown == [stored], "the proposals card follows the answer"
    # The same link again (a second click, the back button): refused, and nothing changes.
    assert await refused(a.service.answer(token, {1})) == USED
    assert await refused(a.service.question(token)) == USED
    assert a.w.convening_store.record(convening.id) == stored and len(a.cards.shown) == 1


async def test_a_link_expires_a_week_after_asking_or_when_the_first_offered_time_begins() -> None:
    a = asking()
    convening, token = await asked(a)
    [question] = [q for q in a.questions.all() if q.email == NGO_WORKER.email]
    first = min(s.start for s in convening.proposals[:convening.shown])
    assert question.expires == min(ORDINARY + QUESTION_LIFETIME, first)

    a.w.clock.set(question.expires - timedelta(seconds=1))
    await a.service.question(token)
    a.w.clock.set(question.expires)
    assert await refused(a.service.question(token)) == EXPIRED
    assert await refused(a.service.answer(token, {0})) == EXPIRED
    assert a.w.convening_store.record(convening.id).asked[NGO_WORKER.email].answered_at is None
    assert await a.questions.purge() == 2
    assert await refused(a.service.question(token)) == UNKNOWN, "purged: simply unknown"


async def test_a_forged_or_malformed_token_is_unknown_and_malformed_ones_are_not_looked_up() -> None:
    a = asking()
    convening, token = await asked(a)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert await refused(a.service.answer(forged, {0})) == UNKNOWN
    reads = a.questions.reads
    for bad in ("", "x", token + "A", token[:-1] + "/", token[:-1] + "=", "../" * 15, "ä" * 43):
        assert await refused(a.service.answer(bad, {0})) == UNKNOWN
        assert await refused(a.service.question(bad)) == UNKNOWN
    assert a.questions.reads == reads, "a malformed token reaches no store"
    assert a.w.convening_store.record(convening.id).asked[NGO_WORKER.email].answered_at is None


async def test_times_changed_since_the_question_refuse_the_answer() -> None:
    a = asking()
    convening, token = await asked(a)
    the_form = replace(form(a.w), existing_client=True, roles=(), family_ref=FAMILY)
    # A new search (here the same times again) forgets who was asked: their old links no longer count.
    await a.w.proposing.search(convening.id, a.w.liisa, the_form, f"{NGO_WORKER.email}, Outi Ulko <{STRANGER}>")
    before = a.w.convening_store.record(convening.id)

    assert await refused(a.service.answer(token, {0})) == CHANGED
    assert a.w.convening_store.record(convening.id) == before and a.cards.shown == []


async def test_a_booked_convening_or_other_proposals_refuse_the_answer() -> None:
    a = asking()
    convening, token = await asked(a)
    stored = a.w.convening_store.record(convening.id)
    a.w.convening_store.overwrite(replace(stored, status=ConveningStatus.BOOKING))
    assert await refused(a.service.question(token)) == CHANGED
    a.w.convening_store.overwrite(replace(stored, proposals=stored.proposals[1:]))
    assert await refused(a.service.answer(token, {0})) == CHANGED
    a.w.convening_store.overwrite(stored)
    await a.service.answer(token, set())
    assert a.w.convening_store.record(convening.id).asked[NGO_WORKER.email].suits == ()


@pytest.mark.parametrize("ticked", [{-1}, {0, 99}, {5}])
async def test_a_choice_outside_the_offered_times_is_refused_and_the_link_still_works(ticked: set[int]) -> None:
    a = asking()
    convening, token = await asked(a)
    offered = len(convening.proposals[:convening.shown])
    ticked = {i if i != 5 else offered for i in ticked}
    before = a.w.convening_store.record(convening.id)

    assert await refused(a.service.answer(token, ticked)) == BAD_CHOICE

    assert a.w.convening_store.record(convening.id) == before and a.cards.shown == []
    await a.service.answer(token, {offered - 1})
    assert a.w.convening_store.record(convening.id).asked[NGO_WORKER.email].suits == (
        convening.proposals[offered - 1].start,)


async def test_two_answers_posted_at_once_only_one_wins() -> None:
    a = asking()
    convening, token = await asked(a)

    results = await asyncio.gather(a.service.answer(token, {0}), a.service.answer(token, {1}),
                                   return_exceptions=True)

    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, UserFacingError)]
    assert len(won) == 1 and len(lost) == 1 and lost[0].key == USED
    assert a.questions.stale_writes == 1, "the question's eTag decided it"
    suits = a.w.convening_store.record(convening.id).asked[NGO_WORKER.email].suits
    assert suits in ((convening.proposals[0].start,), (convening.proposals[1].start,))
    assert len(a.cards.shown) == 1


async def test_two_people_answering_at_once_are_both_recorded() -> None:
    a = asking()
    convening, eeva = await asked(a)
    outi = token_in(a.outbox.to(STRANGER)[0].html_body)
    # Outi's answer is saved by another instance just before Eeva's: Eeva's is saved again over it.
    await a.service.answer(outi, {1})
    a.w.convening_store.change_meanwhile(convening.id, lambda c: replace(c, proposals_activity_id="elsewhere"))

    await a.service.answer(eeva, {0})

    stored = a.w.convening_store.record(convening.id)
    assert stored.asked[STRANGER].suits == (convening.proposals[1].start,)
    assert stored.asked[NGO_WORKER.email].suits == (convening.proposals[0].start,)
    assert stored.proposals_activity_id == "elsewhere"


async def test_the_proposals_card_is_remembered_only_while_proposing() -> None:
    a = asking()
    convening = await proposed(a)

    await a.service.remember_proposals_card(convening.id, "1:proposals")
    assert a.w.convening_store.record(convening.id).proposals_activity_id == "1:proposals"
    a.w.convening_store.overwrite(replace(a.w.convening_store.record(convening.id),
                                          status=ConveningStatus.BOOKED))
    await a.service.remember_proposals_card(convening.id, "1:other")
    assert a.w.convening_store.record(convening.id).proposals_activity_id == "1:proposals"
