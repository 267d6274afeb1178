"""Asking by e-mail which proposed times suit the people whose calendars the bot cannot read.

``ask``: the convener's one click sends everyone in ``convening.unknown`` who has not been asked a short mail
from the convener's own mailbox, with a link to a small page (bot.question_page) that works once. ``answer``:
what they ticked there is recorded in ``convening.asked`` and the proposals card follows it live.

The link's token exists only in the mail: the store keeps its SHA-256, so whoever reads the state cannot
answer. Neither the mail nor the page says anything of the family: who asks, that it is about a family's
network meeting, the times, until when the link works.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
from collections.abc import Callable, Set
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from domain.convening import AvailabilityAnswer, Convening, ConveningStatus, Person
from domain.slots import Slot
from i18n.formatting import format_moment
from i18n.messages import t
from services.caller import Caller
from services.errors import ServiceUnavailableError, StaleWriteError, UserFacingError, refusals_carry
from services.ports import (
    AvailabilityQuestion,
    ConveningStore,
    ProposalCards,
    QuestionMail,
    QuestionStore,
)
from services.teams import TeamRegistry
from services.unit_of_work import ConveningRecords, Tracked

#: Random bytes in a token: ``secrets.token_urlsafe(32)`` is 43 URL-safe characters.
TOKEN_BYTES = 32
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")
#: The longest a link works. A week reaches someone who reads work mail once a week, and an old link in a
#: mailbox soon stops working; it also ends when the first time it offers begins (see ``ask``).
QUESTION_LIFETIME = timedelta(days=7)
#: Saves retried when another answer (or a click) saved the convening meanwhile.
SAVE_ATTEMPTS = 5
#: While times are being proposed (first proposals, or new times for a booked meeting).
PROPOSING = (ConveningStatus.PROPOSED, ConveningStatus.RESCHEDULING)

#: The page's refusals (bot.question_page maps them to a status and a polite page).
UNKNOWN = "question.unknown"
EXPIRED = "question.expired"
USED = "question.used"
CHANGED = "question.changed"
BAD_CHOICE = "question.bad_choice"


@dataclass(frozen=True)
class QuestionView:
    """What the answer page shows: its language, who asks, the times offered, the time zone they are in and
    until when the link works. Nothing of the family."""

    lang: str
    convener_name: str
    slots: tuple[Slot, ...]
    timezone: str
    expires: datetime


def token_sha256(token: str) -> str:
    """The key a question is kept under: the token itself is never stored."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def well_formed(token: str) -> bool:
    """Whether ``token`` has the shape of one the bot makes (checked before any lookup)."""
    return TOKEN_FORMAT.fullmatch(token) is not None


def mail_language(lang: str) -> str:
    """The mail's and page's language: the convening's when Finnish or Swedish, otherwise English (the
    person asked works elsewhere and may read neither)."""
    return lang if lang in ("fi", "sv") else "en"


def unasked(convening: Convening) -> tuple[Person, ...]:
    """The invitees whose availability is unknown and who have not been asked yet."""
    return tuple(p for p in convening.invitees
                 if p.email.lower() in convening.unknown and p.email.lower() not in convening.asked)


class AvailabilityQuestions:
    """The e-mailed questions and their answers, independent of Teams, Graph and the web page."""

    def __init__(self, *, teams: TeamRegistry, store: ConveningStore, questions: QuestionStore, mail: QuestionMail,
                 cards: ProposalCards, clock: Callable[[], datetime], page_url: str,
                 new_token: Callable[[], str] | None = None) -> None:
        """``page_url`` is the page's address up to the token (``https://bot.example/saatavuus/``)."""
        self._teams = teams
        self._store = store
        self._questions = questions
        self._mail = mail
        self._cards = cards
        self._clock = clock
        self._page_url = page_url
        self._new_token = new_token or (lambda: secrets.token_urlsafe(TOKEN_BYTES))

    async def ask(self, convening_id: str, caller: Caller) -> Convening:
        """Mails each unknown, not yet asked invitee a one-time link; only the convener, only while proposing.

        They are marked asked first (a conditional save): a second click meanwhile finds nobody left to ask,
        so nobody gets two mails. Someone whose mail could not be sent is unmarked again (the button stays)
        and the Graph failure is raised after the others were sent.
        """
        for _ in range(SAVE_ATTEMPTS):
            records = ConveningRecords(self._store)
            convening = await records.own(convening_id, caller)
            with refusals_carry(convening):
                offered = convening.proposals[:convening.shown]
                if convening.status not in PROPOSING or not offered:
                    raise UserFacingError("convening.not_proposing")
                people = unasked(convening)
                if not people:
                    return convening  # asked already (a double click): nothing more to send
                now = self._clock()
                # The link ends when the first time it offers begins: after that the page would ask about a
                # time already gone, and the worker books soon after the answers anyway.
                expires = min(now + QUESTION_LIFETIME, *(s.start for s in offered))
                if expires <= now:
                    raise UserFacingError("ask.too_late")
                answer = AvailabilityAnswer(asked_at=now, offered=tuple(s.start for s in offered))
                marked = replace(convening, asked={**convening.asked, **{p.email.lower(): answer for p in people}})
                try:
                    await records.save(marked)
                except StaleWriteError:
                    continue
            await self._send_all(marked, people, offered, now, expires)
            return marked
        raise UserFacingError("convening.changed_meanwhile")

    async def _send_all(self, convening: Convening, people: tuple[Person, ...], offered: tuple[Slot, ...],
                        now: datetime, expires: datetime) -> None:
        """Every mail at once (one Graph round trip for the click, make bench); a failed one is unmarked and
        its link forgotten, and the first failure is raised once every other mail has gone."""

        async def send(person: Person) -> ServiceUnavailableError | None:
            token = self._new_token()
            question = AvailabilityQuestion(token_sha256(token), convening.id, person.email.lower(), now, expires,
                                            offered)
            await self._questions.add(question)
            subject, body = self.mail_text(convening, token, expires)
            try:
                await self._mail.send(convening.convener_id, person.email, subject, body)
            except ServiceUnavailableError as err:
                await self._questions.delete(question.token_sha256)
                return err
            return None

        outcomes = await asyncio.gather(*(send(person) for person in people))
        failed = [p.email.lower() for p, outcome in zip(people, outcomes, strict=True) if outcome is not None]
        if failed:
            await self._unmark(convening.id, failed, now)
            raise next(outcome for outcome in outcomes if outcome is not None)

    async def _unmark(self, convening_id: str, emails: list[str], asked_at: datetime) -> None:
        """Forgets that ``emails`` were asked (their mail failed), unless a new search already forgot it."""
        for _ in range(SAVE_ATTEMPTS):
            records = ConveningRecords(self._store)
            convening = await records.get(convening_id)
            if convening is None:
                return
            asked = {e: a for e, a in convening.asked.items() if not (e in emails and a.asked_at == asked_at)}
            if asked == convening.asked:
                return
            try:
                await records.save(replace(convening, asked=asked))
                return
            except StaleWriteError:
                continue

    def mail_text(self, convening: Convening, token: str, expires: datetime) -> tuple[str, str]:
        """The mail's subject and HTML body: who asks, what about (a family's network meeting, nothing of the
        family), the link, and that it works once until ``expires``."""
        lang = mail_language(convening.lang)
        zone = ZoneInfo(self._teams.team(convening.team_key).timezone)
        url = f"{self._page_url}{token}"
        paragraphs = [
            t("question.mail.hello", lang),
            t("question.mail.intro", lang, name=convening.convener_name),
            t("question.mail.why", lang),
            t("question.mail.once", lang, until=format_moment(expires.astimezone(zone), lang)),
        ]
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs[:2])
        body += f'<p><a href="{escape(url)}">{escape(url)}</a></p>'
        body += "".join(f"<p>{escape(p)}</p>" for p in paragraphs[2:])
        return t("question.mail.subject", lang), body

    async def question(self, token: str) -> QuestionView:
        """What the page shows for ``token``; UserFacingError (UNKNOWN, EXPIRED, USED, CHANGED) when the link
        no longer works."""
        question, convening = await self._live(Tracked(self._questions, _key), token)
        return self._view(question, convening)

    async def answer(self, token: str, ticked: Set[int]) -> QuestionView:
        """Records which offered times (indices into the page's list) suit the person asked; the link is then
        used up and the proposals card shows the answer.

        Refused (nothing changes) when the link is unknown, expired or used, when the times changed since the
        question, or for an index outside the list. The question is claimed by a conditional save first: of
        two posts at once exactly one records its answer.
        """
        questions = Tracked(self._questions, _key)
        question, _ = await self._live(questions, token)
        if any(not 0 <= i < len(question.offered) for i in ticked):
            raise UserFacingError(BAD_CHOICE)
        now = self._clock()
        suits = tuple(question.offered[i].start for i in sorted(ticked))
        try:
            await questions.save(replace(question, answered_at=now))
        except StaleWriteError as err:
            raise UserFacingError(USED) from err
        try:
            updated = await self._record(question, suits, now)
        except UserFacingError:
            raise  # the times changed meanwhile: the question is of no use any more, and stays used
        except Exception:
            # Nothing recorded (the store failed): the link works again.
            await self._release(questions, question)
            raise
        await self._cards.show(updated)
        return self._view(question, updated)

    async def _record(self, question: AvailabilityQuestion, suits: tuple[datetime, ...], now: datetime) -> Convening:
        for _ in range(SAVE_ATTEMPTS):
            records = ConveningRecords(self._store)
            convening = await records.get(question.convening_id)
            entry = _entry(convening, question)
            assert convening is not None  # _entry refused a missing convening
            answered = replace(entry, answered_at=now, suits=suits)
            try:
                return await records.save(replace(convening, asked={**convening.asked, question.email: answered}))
            except StaleWriteError:
                continue  # another answer saved first: read again
        raise StaleWriteError(question.convening_id)

    async def _release(self, questions: Tracked[AvailabilityQuestion], question: AvailabilityQuestion) -> None:
        with contextlib.suppress(StaleWriteError):  # changed again meanwhile: nothing of ours to give back
            await questions.save(question)

    async def _live(self, questions: Tracked[AvailabilityQuestion], token: str
                    ) -> tuple[AvailabilityQuestion, Convening]:
        """The question of ``token`` and its convening, while the link works."""
        if not well_formed(token):
            raise UserFacingError(UNKNOWN)  # a forged token is just an unknown one
        question = await questions.get(token_sha256(token))
        if question is None:
            raise UserFacingError(UNKNOWN)
        if question.answered_at is not None:
            raise UserFacingError(USED)
        if question.expires <= self._clock():
            raise UserFacingError(EXPIRED)
        convening = await ConveningRecords(self._store).get(question.convening_id)
        _entry(convening, question)
        assert convening is not None
        return question, convening

    def _view(self, question: AvailabilityQuestion, convening: Convening) -> QuestionView:
        return QuestionView(lang=mail_language(convening.lang), convener_name=convening.convener_name,
                            slots=question.offered, timezone=self._teams.team(convening.team_key).timezone,
                            expires=question.expires)

    async def remember_proposals_card(self, convening_id: str, activity_id: str | None) -> None:
        """Where the proposals card is (the message the worker acted on), so answers can update it in place."""
        if not activity_id:
            return
        records = ConveningRecords(self._store)
        convening = await records.get(convening_id)
        if convening is None or convening.status not in PROPOSING or convening.proposals_activity_id == activity_id:
            return
        # Changed meanwhile (an answer came in): the next card shown records it.
        with contextlib.suppress(StaleWriteError):
            await records.save(replace(convening, proposals_activity_id=activity_id))


def _key(question: AvailabilityQuestion) -> str:
    return question.token_sha256


def _entry(convening: Convening | None, question: AvailabilityQuestion) -> AvailabilityAnswer:
    """The convening's record of ``question``, unanswered; CHANGED when the times are no longer those it offered
    (a new search, a booking, a cancellation), USED when answered already."""
    if convening is None or convening.status not in PROPOSING:
        raise UserFacingError(CHANGED)
    entry = convening.asked.get(question.email)
    # A new search forgets who was asked: an entry of another moment is another question's.
    if entry is None or entry.asked_at != question.asked_at or not set(question.offered) <= set(convening.proposals):
        raise UserFacingError(CHANGED)
    if entry.answered_at is not None:
        raise UserFacingError(USED)
    return entry
