"""Fuzzing card actions (Action.Execute invokes) against a bot holding convenings and meetings in every state.

The module first walks Liisa through the journeys over HTTP (a draft, proposals, a running meeting
with star and plan, a finalized meeting, a cancelled one) and Hanna starts a draft of her own.
Then every case is one invoke:

* unknown verbs, and real verbs on records that are missing, malformed or someone else's;
* callers who are not the record's near worker, or who have no aadObjectId;
* one refused input among otherwise valid ones (wrong type, too long, identity code, e-mail or phone
  where not allowed, control characters, out-of-range numbers, impossible dates);
* valid verbs on the near worker's own records with garbage keys and values, and replays of the
  valid actions of the journeys, in personal and group chats, Finnish and Swedish.

The first three must change no stored record; the last may. Every answer must be a polite,
schema-valid card, and in a group chat no card may show a family's reference.
Last, whole journeys with fuzzed texts the bot accepts must end in a finalized plan.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from cards.verbs import Verb
from domain.meeting import STEP_KEYS
from domain.sensitive_text import normalise_text, text_problem
from tests.fuzz.conftest import (
    FUZZ,
    HANNA_ID,
    NIKO_ID,
    FuzzStack,
    Outcome,
    encode,
    fuzz_text,
    huge,
    json_scalar,
    json_value,
    lone_surrogates,
    short_text,
)
from tests.integration.test_convening_journey import open_form, propose
from tests.integration.test_meeting_journey import book, plan_inputs
from tests.support.teams_client import OFFERED_TIME, actions, card_text

pytestmark = [pytest.mark.asyncio(loop_scope="module"),
              pytest.mark.filterwarnings("ignore:Sending a large body directly:ResourceWarning")]

MISSING = "<missing>"
#: Record ids by placeholder; the real ids exist only once the journeys have run.
OWN = ("<draft>", "<proposed>", "<running>", "<finalized>", "<cancelled>")
FOREIGN = "<foreign>"
FAMILIES = {"<draft>": "Perhe Qdraft", "<proposed>": "Perhe Qprop", "<running>": "Perhe Qrun",
            "<finalized>": "Perhe Qfin", "<cancelled>": "Perhe Qcanc", FOREIGN: "Perhe Qhanna"}
NO_RECORD = (Verb.START, Verb.STATUS, Verb.HELP)
RECORD_VERBS = tuple(v.value for v in Verb if v not in NO_RECORD and v is not Verb.MEETING_SHARE)
VERBS = frozenset(v.value for v in Verb)
#: Verbs a group chat may see: the welcome card's buttons and the shared meeting card's refresh.
GROUP_VISIBLE = frozenset({Verb.START.value, Verb.STATUS.value, Verb.HELP.value, Verb.MEETING_VIEW.value})


@dataclass(frozen=True)
class Case:
    """One invoke: verb and data (with placeholders), who sends it from where, and whether it may store."""

    verb: object
    data: object
    may_change: bool
    sender: str = "liisa"  # liisa | hanna | niko | anonymous
    conversation: str = "personal"
    locale: str = "fi-FI"


@dataclass
class World:
    """The records of the journeys and the valid actions seen on the way (to replay)."""

    ids: dict[str, str]
    replays: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(f"<world: {len(self.ids)} records, {len(self.replays)} replays>")


SENDERS = {
    "liisa": None,  # the stack's default: Liisa with her aadObjectId
    "hanna": {"id": f"29:{HANNA_ID}", "name": "Hanna Heikkinen", "aadObjectId": HANNA_ID},
    "niko": {"id": f"29:{NIKO_ID}", "name": "Niko Nieminen", "aadObjectId": NIKO_ID},
    "anonymous": {"id": "29:guest", "name": "Vieras"},
}
CONVERSATIONS = {"personal": ("a:personal-chat-1", "personal"), "groupChat": ("19:fuzz-group@thread.v2", "groupChat"),
                 "channel": ("19:fuzz-channel@thread.skype;messageid=1", "channel")}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(fuzz: FuzzStack) -> World:
    """The journeys, walked with the ordinary test client (every card schema-checked on the way)."""
    stack, liisa = fuzz.stack, fuzz.stack.user
    ids: dict[str, str] = {}
    ids["<draft>"], defaults = await open_form(liisa)
    ids["<proposed>"], proposals = await propose(liisa, familyRef=FAMILIES["<proposed>"])
    first = next(a for a in actions(proposals) if a["verb"] == Verb.BOOK.value)
    ids["<running>"] = await book(stack, FAMILIES["<running>"])
    running = {"conveningId": ids["<running>"]}
    steps = await liisa.act(Verb.MEETING_START.value, running)
    step = next(a for a in actions(steps) if a["verb"] == Verb.STEP_TOGGLE.value)
    star = {**running, "s_0": "Leikkii mielellään", "w_1": "Aamut", "f_0": "3", "c_0": "4", "p_3": "2"}
    await liisa.act(Verb.STAR_SAVE.value, star)
    plan = {**running, **plan_inputs()}
    await liisa.act(Verb.PLAN_SAVE.value, plan)
    feedback = {**running, "q_family_heard": "5", "q_pros_useful": "4"}
    ids["<finalized>"] = await book(stack, FAMILIES["<finalized>"])
    finalized = {"conveningId": ids["<finalized>"]}
    before = stack.now()
    await stack.at_meeting_start(ids["<finalized>"])  # finalized once it has begun; then back to before
    await liisa.act(Verb.MEETING_START.value, finalized)
    next_date = await stack.date_after_meeting(ids["<finalized>"], 14)
    asked = await liisa.act(Verb.PLAN_SAVE.value, {**finalized, "then": "finalize",
                                                   **plan_inputs(nextDate=next_date, nextTime="09:00")})
    done = await liisa.act(Verb.FINALIZE_CONFIRM.value, {**finalized, "confirm": True})
    assert "Viimeistele silti" in card_text(asked) and "Suunnitelma valmis" in card_text(done)
    stack.clock.set(before)
    ids["<cancelled>"] = await book(stack, FAMILIES["<cancelled>"])
    await liisa.act(Verb.CANCEL_CONFIRM.value, {"conveningId": ids["<cancelled>"], "comment": ""})
    hanna = fuzz.user(HANNA_ID, "Hanna Heikkinen", "a:hanna")
    ids[FOREIGN], _ = await open_form(hanna)
    search = {"conveningId": ids["<draft>"], **defaults, "familyRef": "Perhe Qreplay", "consent": "true",
              "roles": "neuvola", "venue": "remote"}
    # The bookings' change notifications (rooms accepting) reach the bot in the background: let them land
    # before the cases that must change nothing.
    await asyncio.sleep(0.5)
    replays: list[tuple[str, dict[str, Any]]] = [
        (Verb.SEARCH.value, search), (Verb.BOOK.value, first["data"]), (Verb.STEP_TOGGLE.value, step["data"]),
        (Verb.STAR_SAVE.value, star), (Verb.PLAN_SAVE.value, plan), (Verb.FEEDBACK_SAVE.value, feedback),
        (Verb.FINALIZE.value, finalized), (Verb.PLAN_SAVE.value, {**finalized, **plan_inputs()}),
        (Verb.CANCEL_CONFIRM.value, {"conveningId": ids["<cancelled>"], "comment": "Peruttu"}),
        (Verb.START.value, {}), (Verb.STATUS.value, {}), (Verb.HELP.value, {}),
    ]
    for verb in (Verb.MORE, Verb.EDIT, Verb.OPEN, Verb.WIDEN, Verb.SUBSTITUTE, Verb.DROP, Verb.CANCEL):
        replays += [(verb.value, {"conveningId": ids[own]}) for own in ("<proposed>", "<running>", "<cancelled>")]
    for verb in (Verb.MEETING_START, Verb.MEETING_OPEN, Verb.STAR_OPEN, Verb.PLAN_OPEN, Verb.FEEDBACK_OPEN,
                 Verb.FOLLOWUP, Verb.MEETING_VIEW):
        replays += [(verb.value, {"conveningId": ids[own]}) for own in ("<running>", "<finalized>")]
    return World(ids, replays)


# ---------------------------------------------------------------------------------------------
# Refused inputs: each guarantees that nothing may be stored
# ---------------------------------------------------------------------------------------------

HETUS = ("131052-308T", "010203A123B", "311299-999X", "131052+308T", "150805Y1234")
CONTACTS = ("liisa.lahinen@esimerkkila.fi", "040 123 4567", "+358 40 1234567", "(09) 310 1234")
CONTROLS = ("\x00", "\x07", "\x08", "\x1b", "\x0b", "\x0c", "\r", "\x1f")
safe = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Nd")), max_size=10)


def padded(bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``bad`` inside other text, set apart by spaces (an identity code glued to digits is not one), never at an
    end (a control character that is whitespace, like \f, is stripped there)."""
    return st.builds(lambda before, item, after: f"{before}a {item} b{after}", safe, bad, safe)


identity_code = padded(st.sampled_from(HETUS))
contact = padded(st.sampled_from(CONTACTS))
control = padded(st.sampled_from(CONTROLS))
wrong_type = st.one_of(st.lists(json_scalar, min_size=1, max_size=3),
                       st.dictionaries(short_text, json_scalar, min_size=1, max_size=2))


def too_long(limit: int) -> st.SearchStrategy[str]:
    return st.builds(huge, st.sampled_from(["x", "ä", "\U0001f600", "A\u0301"]),
                     st.integers(min_value=limit + 1, max_value=limit + 3000))


def text_poison(limit: int, *, work_contact: bool = False) -> st.SearchStrategy[object]:
    kinds: list[st.SearchStrategy[Any]] = [identity_code, control, wrong_type, too_long(limit)]
    return st.one_of(*kinds) if work_contact else st.one_of(contact, *kinds)


def poisoned(verb: Verb, own: tuple[str, ...], base: dict[str, Any],
             poisons: dict[str, st.SearchStrategy[object]]) -> st.SearchStrategy[Case]:
    """``verb`` on one of ``own`` with ``base`` inputs, one of which is replaced by a refused value."""
    def make(record: str, name: str, value: object, conversation: str, locale: str) -> Case:
        data = {**base, "conveningId": record}
        extra = {"venue": "family_place"} if name == "familyPlace" else {}
        if isinstance(value, str) and value == MISSING:
            data.pop(name, None)
        else:
            data[name] = value
        return Case(verb.value, {**data, **extra}, may_change=False, conversation=conversation, locale=locale)

    names = sorted(poisons)
    return st.sampled_from(names).flatmap(lambda name: st.builds(
        make, st.sampled_from(own), st.just(name), poisons[name], conversations, locales))


conversations = st.sampled_from(["personal", "personal", "groupChat", "channel"])
locales = st.sampled_from(["fi-FI", "sv-SE", "en-US", "fi"])
bad_int = st.sampled_from([-1, "x", "1.5", "", [0], {"a": 1}, None, MISSING, "1e3", 10**30])
bad_date = st.sampled_from(["2026-02-30", "2026-13-01", "huomenna", "", "2026-12-1", [2026], None, "20261201"])

SEARCH_BASE = {"familyRef": "Perhe Qsearch", "consent": "true", "existingClient": "no", "team": "esimerkkila",
               "roles": "neuvola", "venue": "remote", "familyPlace": "", "duration": "90", "network": ""}
refused = st.one_of(
    poisoned(Verb.SEARCH, ("<draft>", "<proposed>"), SEARCH_BASE, {
        "familyRef": st.one_of(text_poison(40), st.sampled_from(["", " ", "K"])),
        "familyPlace": text_poison(120),
        "consent": st.sampled_from(["false", "TRUE", "yes", True, 1, None]),
        "existingClient": st.sampled_from(["kyllä", True, None]),
        "venue": st.one_of(fuzz_text.filter(lambda v: v not in ("room", "family_place", "remote", "hybrid")),
                           wrong_type),
        "duration": st.sampled_from(["x", "1.5", -30, 29, 241, 100001, [90], None, "", MISSING]),
        "earliest": bad_date, "latest": bad_date,
        "team": st.one_of(too_long(64), st.sampled_from(["toinen", "ESIMERKKILA"])),
        "roles": st.sampled_from(["", "x", "neuvola,tuntematon", "NEUVOLA"]),
    }),
    poisoned(Verb.BOOK, ("<draft>", "<proposed>", "<running>"), {"slot": 0}, {"slot": st.one_of(
        bad_int, st.sampled_from([201, 999]))}),
    poisoned(Verb.CANCEL_CONFIRM, ("<draft>", "<proposed>", "<running>"), {"comment": ""}, {
        "comment": st.one_of(text_poison(300), too_long(300))}),
    poisoned(Verb.REPLACE_DECLINER, OWN, {"person": 0}, {"person": st.one_of(bad_int, st.just(51))}),
    poisoned(Verb.GO_WITHOUT, OWN, {"person": 0}, {"person": st.one_of(bad_int, st.sampled_from([51, 7]))}),
    poisoned(Verb.STEP_TOGGLE, ("<running>",), {"step": "seating"}, {
        "step": st.one_of(fuzz_text.filter(lambda s: s.strip() not in STEP_KEYS), wrong_type, st.just(MISSING))}),
    poisoned(Verb.STAR_SAVE, ("<running>",), {"s_0": "Vahvuus", "f_0": "3"}, {
        **{f"s_{i}": text_poison(1000) for i in range(0, 6, 2)},
        **{f"w_{i}": text_poison(1000) for i in range(1, 6, 2)},
        "f_1": st.sampled_from(["0", "6", "x", "2.5", "-3", "99", "1e1"]),
        "c_4": st.just("3"),  # the child is not asked about the family's points
        "p_2": st.sampled_from(["7", "kolme", "3,5"]),
        "s_7": safe.filter(lambda s: bool(s.strip())),  # the star has six points
    }),
    poisoned(Verb.PLAN_SAVE, ("<running>",), plan_inputs(), {
        "things": text_poison(2000), "home": text_poison(1000), "everyday": text_poison(1000),
        "elsewhere": text_poison(1000), "where": text_poison(200), "familyPresent": text_poison(200),
        "reachFamily": text_poison(500, work_contact=True), "reachWorker": text_poison(500, work_contact=True),
        "responsible": st.sampled_from(["3", "9", "-1", "x", "1,x", "100", [1.5]]),
        "recipients": st.sampled_from(["3", "99", "y", "-2"]),
        "nextDate": bad_date.filter(lambda d: d not in ("", None)),
        "nextTime": st.sampled_from(["25:00", "9", "12:60", "klo 9", 930]),
        "planLang": st.sampled_from(["de", "FI", "", None, 1]), "then": st.sampled_from(["now", "FINALIZE", 1]),
    }),
    poisoned(Verb.FEEDBACK_SAVE, ("<running>", "<finalized>"), {"q_family_heard": "4"}, {
        "q_family_heard": st.sampled_from(["0", "6", "7", "x", "2.5", True, [3], {"a": 1}, "", MISSING, -1]),
    }),
)

# ---------------------------------------------------------------------------------------------
# Cases that reach no record of the caller's: nothing may be stored either
# ---------------------------------------------------------------------------------------------

hex16 = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
foreign_ids = st.one_of(st.just(FOREIGN), hex16, fuzz_text, json_scalar, st.just(MISSING))
any_fields = st.dictionaries(st.sampled_from(["slot", "person", "step", "comment", "familyRef", "things", "s_0",
                                              "f_0", "q_family_heard", "then", "nextDate", "verb"]) | short_text,
                             json_value, max_size=4)


def with_record(record: object, fields: dict[str, Any]) -> dict[str, Any]:
    data = dict(fields)
    if isinstance(record, str) and record == MISSING:
        data.pop("conveningId", None)
    else:
        data["conveningId"] = record
    return data


unknown_verbs = st.builds(
    Case, verb=st.one_of(fuzz_text.filter(lambda v: v not in VERBS), json_scalar, wrong_type,
                         st.sampled_from(["Convening.Start", "convening.start ", "status.show\x00", "meeting"])),
    data=json_value, may_change=st.just(False), conversation=conversations, locale=locales)
foreign_records = st.builds(
    Case, verb=st.sampled_from(RECORD_VERBS), data=st.builds(with_record, foreign_ids, any_fields),
    may_change=st.just(False), conversation=conversations, locale=locales)
strangers = st.builds(
    Case, verb=st.sampled_from(sorted(VERBS - {Verb.START.value, Verb.MEETING_SHARE.value})),
    data=st.builds(with_record, st.sampled_from(OWN), any_fields), may_change=st.just(False),
    sender=st.sampled_from(["hanna", "niko", "anonymous"]), conversation=conversations, locale=locales)
anonymous_start = st.builds(Case, verb=st.just(Verb.START.value), data=json_value, may_change=st.just(False),
                            sender=st.just("anonymous"), conversation=conversations, locale=locales)
nothing_of_mine = st.one_of(unknown_verbs, foreign_records, strangers, anonymous_start)

# ---------------------------------------------------------------------------------------------
# Valid verbs on the caller's own records with garbage, and replays: these may store
# ---------------------------------------------------------------------------------------------

garbage = st.builds(
    Case, verb=st.sampled_from(sorted(VERBS)),
    data=st.one_of(st.builds(with_record, st.sampled_from(OWN), any_fields), json_value),
    may_change=st.just(True), conversation=conversations, locale=locales)


def replay(index: int, extra: dict[str, Any], conversation: str, locale: str) -> Case:
    return Case(("replay", index), extra, may_change=True, conversation=conversation, locale=locale)


replays = st.builds(replay, st.integers(min_value=0, max_value=200),
                    st.dictionaries(short_text, json_value, max_size=2), conversations, locales)
mine = st.one_of(garbage, replays, replays)


# ---------------------------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------------------------


def resolve(value: Any, world: World) -> Any:
    """Placeholders to real ids (recursively)."""
    if isinstance(value, str):
        return world.ids.get(value, value)
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    return value


async def run_case(fuzz: FuzzStack, world: World, case: Case) -> None:
    verb, data = case.verb, resolve(case.data, world)
    if isinstance(verb, tuple):  # a replay of a valid action, with extra keys
        verb, valid = world.replays[verb[1] % len(world.replays)]
        data = {**data, **valid}
    if isinstance(data, dict):
        data = {"verb": verb, **data}  # Teams adds the verb to the data, as the test client does
    conversation_id, kind = CONVERSATIONS[case.conversation]
    extra: dict[str, Any] = {"conversation": {"id": conversation_id, "conversationType": kind}, "locale": case.locale}
    if SENDERS[case.sender] is not None:
        extra["from"] = SENDERS[case.sender]
    lang = "sv" if case.locale.lower().startswith("sv") else "fi"
    activity = fuzz.invoke(verb, data, **extra)
    outcome = await fuzz.run(activity, may_change=case.may_change, lang=lang)
    # Over aiohttp's 1 MiB the body is a 413; a lone surrogate ("\ud800": JSON, not Unicode) makes it a 400.
    expected = 413 if len(encode(activity)) > 2**20 else 400 if lone_surrogates(activity) else 200
    assert outcome.status == expected, (outcome.status, outcome.body[:300])
    if kind != "personal" and isinstance(verb, str) and verb in GROUP_VISIBLE:
        assert_no_family_reference(outcome, conversation_id, f"{verb} in a {kind}")


def assert_no_family_reference(outcome: Outcome, conversation_id: str, what: str) -> None:
    """Family references are shown only in the near worker's personal chat: not in this group chat."""
    shown = "\n".join(json.dumps(card, ensure_ascii=False) for where, card in outcome.placed
                      if where in ("answer", conversation_id))
    leaked = [ref for ref in FAMILIES.values() if ref in shown]
    assert not leaked, f"{what} shows {leaked}"


@settings(FUZZ, max_examples=1500)
@given(case=nothing_of_mine)
async def test_unknown_verbs_and_other_peoples_records_change_nothing(fuzz: FuzzStack, world: World,
                                                                     case: Case) -> None:
    await run_case(fuzz, world, case)


@settings(FUZZ, max_examples=2000)
@given(case=refused)
async def test_refused_inputs_change_nothing(fuzz: FuzzStack, world: World, case: Case) -> None:
    await run_case(fuzz, world, case)


@settings(FUZZ, max_examples=1300)
@given(case=mine)
async def test_valid_verbs_with_garbage_and_replays_answer_politely(fuzz: FuzzStack, world: World,
                                                                    case: Case) -> None:
    await run_case(fuzz, world, case)


@settings(FUZZ, max_examples=6)  # every combination
@given(conversation=st.sampled_from(["groupChat", "channel"]), words=st.sampled_from(["aloita", "ohje", "ALOITA x"]))
async def test_shared_meeting_card_shows_no_family_reference(fuzz: FuzzStack, world: World, conversation: str,
                                                             words: str) -> None:
    conversation_id, kind = CONVERSATIONS[conversation]
    activity = fuzz.activity(type="message", text=words, conversation={"id": conversation_id,
                                                                       "conversationType": kind})
    outcome = await fuzz.run(activity, may_change=True)
    assert_no_family_reference(outcome, conversation_id, f"{words!r} in a {kind}")


# ---------------------------------------------------------------------------------------------
# Journeys with fuzzed texts that the bot accepts: they must end in a finalized plan
# ---------------------------------------------------------------------------------------------

#: Text a worker may well type: letters of any script, emoji, RTL and zero-width marks, combining marks,
#: punctuation, braces, noncharacters; whatever the bot's own text rules (domain.sensitive_text) accept, and
#: not empty once normalised (a text of zero-width marks only is an empty field).
accepted_text = st.lists(st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Nd")), min_size=1, max_size=12),
    st.sampled_from(["\u202e", "\u200f", "\u200b", "\u200d", "\ufeff", "\U0001f600", "\U0001f468\u200d\U0001f469",
                     "e\u0301", "Z\u0336\u0301", "{ref}", "%s", "None", "<b>", "&amp;", "\\", "ß", "İ", "\u00a0",
                     "\ufffd", "\U0010fffd", "\x7f", "\x85", "\uffff", "\ufdd0"]),
), min_size=1, max_size=6).map(" ".join).filter(lambda t: bool(normalise_text(t).strip()) and text_problem(t) is None)

ROLE_PAIRS = (("vaka_erityisopettaja", "kouluterveydenhuolto"), ("lasten_kuntoutus", "toimintaterapeutti"),
              ("perheneuvonta", "etsiva_nuorisotyo"), ("perhetyo", "paihdetyo"), ("neuvola", "sosiaalityo"))


@settings(FUZZ, max_examples=12)
@given(texts=st.fixed_dictionaries({name: accepted_text for name in (
    "things", "home", "everyday", "elsewhere", "where", "reachFamily", "reachWorker", "s_0", "w_0", "s_3")}),
    family=accepted_text.map(lambda t: t[:30]), number=st.integers(min_value=0, max_value=len(ROLE_PAIRS) - 1))
async def test_accepted_texts_end_in_a_finalized_plan(fuzz: FuzzStack, world: World, texts: dict[str, str],
                                                      family: str, number: int) -> None:
    liisa = fuzz.stack.user
    convening, form = await open_form(liisa)
    form.update({"familyRef": f"Perhe {family}", "consent": "true", "roles": ",".join(ROLE_PAIRS[number]),
                 "venue": "remote", "duration": "30"})
    proposals = await fuzz.run(fuzz.invoke(Verb.SEARCH.value, {"conveningId": convening, **form}), may_change=True)
    books = [a for card in proposals.cards for a in actions(card) if a["verb"] == Verb.BOOK.value]
    if not books:
        text = card_text(proposals.cards[0])
        assert "henkilötunnu" in text or "puhelin" in text or "sähköposti" in text or "aikaa" in text, text
        return  # the reference was refused, or nobody is free: nothing to finalize
    booked = await fuzz.run(fuzz.invoke(Verb.BOOK.value, books[0]["data"]), may_change=True)
    if "Kutsu lähetetty" not in card_text(booked.cards[0]):
        return  # the time was taken meanwhile (a polite refusal, checked by run): nothing to finalize
    record = {"conveningId": convening}
    await fuzz.run(fuzz.invoke(Verb.MEETING_START.value, record), may_change=True)
    star = await fuzz.run(fuzz.invoke(Verb.STAR_SAVE.value, {**record, **{k: v for k, v in texts.items()
                                                                         if k[:2] in ("s_", "w_")}}), may_change=True)
    assert "Tallennettu" in card_text(star.cards[0]), card_text(star.cards[0])[:400]
    next_date = await fuzz.stack.date_after_meeting(convening, 21)
    plan = plan_inputs(nextDate=next_date, nextTime="10:00", recipients="2",
                       **{k: v for k, v in texts.items() if k[:2] not in ("s_", "w_")})
    before = fuzz.stack.now()
    await fuzz.stack.at_meeting_start(convening)  # finalized once it has begun; then back to before
    try:
        asked = await fuzz.run(fuzz.invoke(Verb.PLAN_SAVE.value, {**record, "then": "finalize", **plan}),
                               may_change=True)
        free = OFFERED_TIME.search(card_text(asked.cards[0]))
        if free:  # an earlier example's next contact took that hour: take the first free time offered, as a worker
            day, month, year, hour, minute = (int(part) for part in free.groups())
            plan.update(nextDate=f"{year:04d}-{month:02d}-{day:02d}", nextTime=f"{hour:02d}:{minute:02d}")
            asked = await fuzz.run(fuzz.invoke(Verb.PLAN_SAVE.value, {**record, "then": "finalize", **plan}),
                                   may_change=True)
        assert "Viimeistele silti" in card_text(asked.cards[0]), card_text(asked.cards[0])[:600]
        done = await fuzz.run(fuzz.invoke(Verb.FINALIZE_CONFIRM.value, {**record, "confirm": True}), may_change=True)
    finally:
        fuzz.stack.clock.set(before)
    shown = card_text(done.cards[0])
    assert "Suunnitelma valmis" in shown, shown[:600]
