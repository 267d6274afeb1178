"""Property-based fuzzing of /api/messages over real HTTP: one stack per module, kept up across examples.

Each test module gets the sandbox, a recording connector and the bot exactly as in
tests/integration/conftest.py (the same helpers), started once; every hypothesis example
is one case posted to the running bot. ``FuzzStack.run`` checks the invariants of a case:

* no 5xx answer (an ``invoke`` the bot has no handler for gets the Bot Framework's
  501 Not Implemented; that is counted apart and is the only 5xx allowed);
* no failure logged (ERROR records: ``card action failed``, ``turn failed``, aiohttp's
  "Error handling request", the SDK's own error lines). Two kinds are expected and counted
  apart: the SDK's Activity model naming what it refused when the bot answers 400, and
  ``turn failed type=ClientResponseError`` when the channel refuses the bot's reply because
  the case's activity or conversation id cannot be put in a URL (too long, or with a "/");
* every reply (the invoke response's card, every activity at the connector) is an
  Adaptive Card that passes the 1.5 schema, in the caller's language, whose visible
  text holds no exception text ("Traceback", "Error:", "KeyError", "ValidationError",
  "None", braces) beyond what the case itself typed (a refusal may echo a value);
* the stored state (the documents table, without the conversation book and card
  pictures, which any turn may write) is unchanged unless the case may change it.

The counts are printed at the end of the run (``fuzz: N cases, 0 5xx, 0 unhandled``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.http_exceptions import HttpProcessingError
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

from m365_sandbox.runner import start_sandbox
from tests.integration.conftest import LIISA, TENANT, Stack, _serve, start_bot
from tests.support.card_schema import card_errors
from tests.support.clock import StackClock
from tests.support.connector import RecordingConnector
from tests.support.teams_client import TeamsUser, card_text

HANNA_ID = "854654b9-400f-58a0-bba5-ed3132d5ee57"
NIKO_ID = "46d4a612-bd93-58ac-84af-908804390a46"
CARD = "application/vnd.microsoft.card.adaptive"
#: An Action.Execute answered with a line under the card clicked (a new phase's card is posted below it).
NOTE = "application/vnd.microsoft.activity.message"
#: Exception text that must never reach a person: the bot's own texts never hold these.
FORBIDDEN = ("Traceback", "Error:", "KeyError", "ValidationError", "None", "{", "}")
SDK_MODEL_LOG = "microsoft_agents.activity.activity"
SDK_CONNECTOR_LOG = "microsoft_agents.hosting.core.connector.client"
#: Written by any turn (the conversation book) or by opening the star (its picture): not a family's data.
BOOKKEEPING = ("conversation", "chat", "media")

#: CI budget: the whole folder runs well under four minutes on two cores. Deterministic (derandomize) and not
#: shrunk: shrinking through a running stack can take minutes, and each failure names its payload anyway.
FUZZ = settings(deadline=None, database=None, derandomize=True, print_blob=False, report_multiple_bugs=False,
                phases=(Phase.explicit, Phase.generate),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example,
                                       HealthCheck.function_scoped_fixture])

# ---------------------------------------------------------------------------------------------
# Strategies shared by both modules (imported as tests.fuzz.conftest)
# ---------------------------------------------------------------------------------------------

#: Unicode edge cases: RTL and zero-width marks, NUL, lone surrogates (sent JSON-escaped), emoji
#: sequences, combining marks, format strings, markup, and things the bot must refuse or recognise.
EDGES = (
    "\u202e", "\u202b", "\u200f", "\u200b", "\u200d", "\u2060", "\ufeff", "\x00", "\x07", "\x1b", "\r\n", "\t",
    "\ud800", "\udfff", "\udbff\udc00", "\U0001f600", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001f1eb\U0001f1ee",
    "e\u0301", "Z" + "\u0336\u0301\u0327" * 12, "\u0345", "\uffff", "\ufffd", "\U0010ffff", "\u00a0", "\u3000",
    "İ", "ß", "ﬃ", "Ⅻ", "٣", "١٢٣٤٥٦-٧٨٩A", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627",
    "{", "}", "{ref}", "{0}", "{entry!r}", "%s", "%(x)s", "${x}", "None", "null", "NaN", "<b>x</b>", "&amp;", "'\"",
    "\\", "\\u0000", "Perhe K.", "131052-308T", "010203A123B", "liisa@esimerkkila.fi", "040 123 4567", "+358401234567",
    "uusi", "aloita", "ohje", "tilanne", "Traceback", "Error:", " ", "",
)

#: A short piece of text of any kind (to build values, keys and messages from).
short_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(EDGES),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Mn", "Zs", "So", "Lo")), max_size=8),
)


class Huge(str):
    """A long string that reports itself briefly (hypothesis prints the arguments of a failing case)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Huge({self[:6]!r} * {len(self) // max(len(self[:6]), 1)}, {len(self)} chars)"


class HugeBytes(bytes):
    """A long body that reports itself briefly."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"HugeBytes({self[:24]!r}..., {len(self)} bytes)"


def huge(unit: str, times: int) -> str:
    """``unit * times``, printed briefly."""
    return Huge(unit * times)


#: Free text: composed of edge cases and random text, sometimes huge (cheap to build, large on the wire).
fuzz_text = st.one_of(
    short_text,
    st.lists(short_text, max_size=8).map("".join),
    st.builds(huge, st.sampled_from(["x", "ä", "\U0001f600", "\u200b", "{", "A\u0301", "\x00", " "]),
              st.integers(min_value=1000, max_value=120_000)),
)

#: Any JSON value, including wrong types for every field.
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=True, allow_infinity=True), fuzz_text)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(short_text, inner, max_size=4)), max_leaves=8)


def encode(body: object, *, ascii_only: bool = True) -> bytes:
    """JSON as a client may send it: escaped ASCII (lone surrogates as \\ud800), or raw UTF-8 (invalid for those)."""
    text = json.dumps(body, ensure_ascii=ascii_only, allow_nan=True)
    return text.encode("utf-8", "surrogatepass")


def lone_surrogates(body: object) -> bool:
    """Whether ``body``, as the bot receives it, holds a surrogate that is not half of a pair (not Unicode)."""
    try:
        json.dumps(json.loads(encode(body)), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    return False


def strings_in(value: object) -> Iterator[str]:
    """Every string in a JSON value (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


# ---------------------------------------------------------------------------------------------
# The running stack and the invariants of one case
# ---------------------------------------------------------------------------------------------


@dataclass
class FuzzStats:
    """What the fuzz run did, printed at the end of the session."""

    cases: int = 0
    server_errors: int = 0
    unhandled: int = 0
    not_implemented: int = 0
    refused_replies: int = 0
    by_module: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0


STATS = FuzzStats()


class Captured(logging.Handler):
    """Keeps every WARNING-and-up record of any logger (the bot, the SDKs, aiohttp, the sandbox)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class Outcome:
    """What one case got back."""

    status: int
    body: bytes
    cards: list[dict[str, Any]]  # every card: the answer's and those the connector got meanwhile
    changed: bool
    #: (where, card): "answer" for the invoke's answer, else the conversation the card was posted or updated in
    #: (the bot also works in the background, e.g. on Graph notifications, so not every card is this case's).
    placed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass(repr=False)
class FuzzStack:
    """The running stack, a keep-alive HTTP client and the checks of one case."""

    stack: Stack
    session: aiohttp.ClientSession
    log: Captured
    db: Path
    module: str
    #: Strings sent so far that hold a forbidden token: a card may show them back (a refused value, a stored text).
    echoes: set[str] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    def __repr__(self) -> str:
        return f"<fuzz stack of {self.module}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # hypothesis' printer would otherwise show every field of the running stack

    @property
    def connector(self) -> RecordingConnector:
        return self.stack.connector

    @property
    def connector_url(self) -> str:
        return self.stack.user.connector_url

    def user(self, aad_object_id: str = LIISA, name: str = "Liisa Lähinen", conversation: str = "a:personal-chat-1",
             conversation_type: str = "personal") -> TeamsUser:
        """A Teams user of this stack (for the valid journeys the fuzzing starts from)."""
        return TeamsUser(bot_url=self.stack.bot_url, connector_url=self.connector_url, connector=self.connector,
                         aad_object_id=aad_object_id, name=name, conversation_id=conversation,
                         conversation_type=conversation_type)

    def activity(self, **extra: Any) -> dict[str, Any]:
        """A well-formed Teams activity from Liisa in her personal chat; ``extra`` overrides fields."""
        base: dict[str, Any] = {
            "id": f"fuzz-{next(self._ids)}", "channelId": "msteams", "serviceUrl": self.connector_url,
            "from": {"id": f"29:{LIISA}", "name": "Liisa Lähinen", "aadObjectId": LIISA},
            "recipient": {"id": "28:bot", "name": "Yhdessä aika"},
            "conversation": {"id": "a:personal-chat-1", "conversationType": "personal",
                             "tenantId": "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"},
            "locale": "fi-FI", "timestamp": "2026-11-22T09:00:00Z",
        }
        base.update(extra)
        return base

    def invoke(self, verb: object, data: object, **extra: Any) -> dict[str, Any]:
        """A card's Action.Execute as Teams sends it."""
        return self.activity(type="invoke", name="adaptiveCard/action",
                             value={"action": {"type": "Action.Execute", "verb": verb, "data": data}}, **extra)

    def snapshot(self) -> list[tuple[str, str, str]]:
        """(collection, key, eTag) of every stored record except bookkeeping: any write changes the eTag."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT collection, key, etag FROM documents WHERE collection NOT IN (?,?,?) "
                              "ORDER BY collection, key", BOOKKEEPING).fetchall()
        db.close()
        return [(str(c), str(k), str(e)) for c, k, e in rows]

    async def run(self, body: object, *, may_change: bool = False, lang: str = "fi", raw: bytes | None = None,
                  content_type: str = "application/json", allow_not_implemented: bool = False,
                  ascii_only: bool = True) -> Outcome:
        """Posts one case and checks every invariant (see the module docstring)."""
        payload = raw if raw is not None else encode(body, ascii_only=ascii_only)
        if raw is None:
            self.echoes.update(_echo_forms(body))
        sent, updated, logged = len(self.connector.sent), len(self.connector.updated), len(self.log.records)
        before = self.snapshot()
        started = time.perf_counter()
        data = io.BytesIO(payload) if len(payload) > 2**19 else payload  # aiohttp warns about large raw bytes
        async with self.session.post(self.stack.bot_url, data=data, headers={"Content-Type": content_type}) as resp:
            status, answer = resp.status, await resp.read()
        STATS.seconds += time.perf_counter() - started
        STATS.cases += 1
        STATS.statuses[status] += 1
        STATS.by_module[self.module] = STATS.by_module.get(self.module, 0) + 1
        if status >= 500:
            if status == 501 and allow_not_implemented:
                STATS.not_implemented += 1
            else:
                STATS.server_errors += 1
                pytest.fail(f"{status} for {payload[:300]!r}: {answer[:300]!r}")
        errors = [r for r in self.log.records[logged:] if r.levelno >= logging.ERROR]
        failures = [r for r in errors if not _expected(r, status)]
        if any(_channel_refused(r) for r in errors):
            STATS.refused_replies += 1
        if failures:
            STATS.unhandled += 1
            lines = "\n".join(f"{r.name}: {r.getMessage()[:400]}" for r in failures)
            pytest.fail(f"failure logged for {payload[:300]!r}:\n{lines}")
        cards = self._replies(status, answer, self.connector.sent[sent:] + self.connector.updated[updated:], lang)
        after = self.snapshot()
        changed = after != before
        if changed and not may_change:
            diff = sorted(set(after) ^ set(before))
            pytest.fail(f"stored state changed by a case that must change nothing: {diff[:6]} for {payload[:300]!r}")
        return Outcome(status, answer, [card for _, card in cards], changed, cards)

    def _replies(self, status: int, answer: bytes, activities: list[dict[str, Any]],
                 lang: str) -> list[tuple[str, dict[str, Any]]]:
        cards: list[tuple[str, dict[str, Any]]] = []
        if status == 200 and answer:
            body = json.loads(answer)
            assert isinstance(body, dict), body
            if "activities" in body:  # deliveryMode expectReplies: the replies come in the answer
                activities = [*body["activities"], *activities]
            else:
                assert body.get("statusCode") == 200 and body.get("type") in (CARD, NOTE), body
                self._answer(body, cards)
        else:
            assert not answer or status >= 400, (status, answer[:300])
        for activity in activities:
            if activity.get("type") == "invokeResponse":  # expectReplies: the invoke's answer among the replies
                value = activity.get("value") or {}
                assert value.get("status") == 200 and value["body"].get("type") in (CARD, NOTE), value
                self._answer(value["body"], cards)
                continue
            assert not activity.get("text"), f"a reply with plain text: {activity.get('text')!r}"
            attachments = activity.get("attachments") or []
            assert attachments, f"a reply without a card: {activity}"
            conversation = activity.get("_conversation") or (activity.get("conversation") or {}).get("id", "")
            for attachment in attachments:
                assert attachment.get("contentType") == CARD, attachment.get("contentType")
                cards.append((str(conversation), attachment["content"]))
        for where, card in cards:
            assert_valid_card(card)
            # The answer is in the caller's language; cards sent on to others follow their meeting's language.
            expected = (lang,) if where == "answer" else ("fi", "sv", "en")
            assert card.get("lang") in expected, (card.get("lang"), lang)
            self.assert_polite(card)
        return cards

    def _answer(self, body: dict[str, Any], cards: list[tuple[str, dict[str, Any]]]) -> None:
        """An invoke's answer: the card shown in place, or a line under the card clicked (the new phase's card
        comes as a reply, checked with the others)."""
        if body["type"] == NOTE:
            note = body["value"]
            assert isinstance(note, str) and note and not any(token in note for token in FORBIDDEN), note
            return
        cards.append(("answer", body["value"]))

    def assert_polite(self, card: dict[str, Any]) -> None:
        """No exception text in what a person sees, once the case's own (echoed) values are taken out."""
        shown = card_text(card)
        if not any(token in shown for token in FORBIDDEN):
            return
        for echo in sorted(self.echoes, key=len, reverse=True):
            shown = shown.replace(echo, "")
        leaked = [token for token in FORBIDDEN if token in shown]
        assert not leaked, f"exception-like text {leaked} on a card: {shown[:600]!r}"


#: Card texts and ids are free strings in the schema: cards that differ only in them are checked once.
_FREE = frozenset({"text", "value", "title", "label", "placeholder", "altText", "fallbackText", "speak", "id",
                   "errorMessage", "url"})
_checked: dict[str, None] = {}


def _shape(node: Any, key: str = "") -> Any:
    if isinstance(node, dict):
        return {k: ({} if k == "data" and isinstance(v, dict) else _shape(v, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(item, key) for item in node]
    if isinstance(node, str) and key in _FREE:
        return "https://x/" if key == "url" else "x"
    return node


def assert_valid_card(card: dict[str, Any]) -> None:
    """The 1.5 schema (tests.support.card_schema), checked once per card shape: the schema check is slow."""
    shape = json.dumps(_shape(card), sort_keys=True)
    if shape in _checked:
        return
    errors = card_errors(card)
    assert not errors, "\n".join(errors)
    _checked[shape] = None


def _channel_refused(record: logging.LogRecord) -> bool:
    """The channel (the recording connector) refused the bot's reply: an activity or conversation id that
    cannot be addressed (too long for a URL, or with a "/" in it). The bot reports it and can do no more."""
    if record.name == "bot.teams_app":
        return "type=ClientResponseError" in record.getMessage() and "connector_client.py" in record.getMessage()
    if record.name.startswith(SDK_CONNECTOR_LOG):
        return True
    refused_request = record.exc_info[1] if record.exc_info else None
    return record.name == "aiohttp.server" and isinstance(refused_request, HttpProcessingError)


def _expected(record: logging.LogRecord, status: int) -> bool:
    """ERROR lines that are not the bot failing: the SDK's model naming what it refused (the bot answers 400),
    and a reply the channel refused."""
    return (status == 400 and record.name == SDK_MODEL_LOG) or _channel_refused(record)


_SEPARATORS = re.compile(r"[,;\n]")


def _echo_forms(value: object) -> set[str]:
    """The ways a sent string can come back on a card (stripped, as a network entry, cut at 40 characters)."""
    forms: set[str] = set()
    for text in strings_in(value):
        if not any(token in text for token in FORBIDDEN):
            continue
        candidates = {text, text.strip(), *(part.strip() for part in _SEPARATORS.split(text))}
        candidates |= {c[:40] for c in candidates}
        forms |= {c for c in candidates if any(token in c for token in FORBIDDEN)}
    return forms


@contextlib.contextmanager
def _same_examples_whatever_ran_before() -> Iterator[None]:
    """Hypothesis (6.13x on) mixes literals of the local modules imported so far into what it generates, so with
    ``derandomize`` alone the examples still depend on which tests ran first. Pinning that pool (to nothing)
    makes ``pytest tests/fuzz`` generate exactly what the full run in CI generated."""
    pool = getattr(providers, "_get_local_constants", None)
    if pool is None or not hasattr(providers, "Constants"):
        yield  # another Hypothesis: no such pool to pin
        return
    empty = providers.Constants()
    providers._get_local_constants = lambda: empty
    _forget_constants()
    try:
        yield
    finally:
        providers._get_local_constants = pool
        _forget_constants()


def _forget_constants() -> None:
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if isinstance(cache, dict):
        cache.clear()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fuzz(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[FuzzStack]:
    """Sandbox, recording connector and bot for one test module, with failures captured from the logs."""
    tmp = tmp_path_factory.mktemp("fuzz")
    captured = Captured()
    root = logging.getLogger()
    root.addHandler(captured)
    clock = StackClock()
    sandbox = await start_sandbox(TENANT, tmp / "sandbox.db", clock=clock)
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot, bot_runner, bot_url = await start_bot(sandbox, tmp / "bot.db")
    user = TeamsUser(bot_url=bot_url, connector_url=connector_url, connector=connector,
                     aad_object_id=LIISA, name="Liisa Lähinen")
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1))
    module = request.module.__name__.rsplit(".", 1)[-1]
    try:
        with _same_examples_whatever_ran_before():
            yield FuzzStack(Stack(sandbox, bot, bot_url, connector, user, tmp, clock), session, captured,
                            tmp / "bot.db", module)
    finally:
        await session.close()
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()
        root.removeHandler(captured)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """``fuzz: N cases, 0 5xx, 0 unhandled``, whether or not output is captured."""
    if not STATS.cases:
        return
    terminalreporter.write_line(f"fuzz: {STATS.cases} cases, {STATS.server_errors} 5xx, {STATS.unhandled} unhandled")
    per_module = ", ".join(f"{name} {count}" for name, count in sorted(STATS.by_module.items()))
    statuses = ", ".join(f"{count}× {status}" for status, count in sorted(STATS.statuses.items()))
    terminalreporter.write_line(
        f"fuzz: {per_module}; answers {statuses}; {STATS.not_implemented} invokes without a handler answered "
        f"501 Not Implemented; {STATS.refused_replies} replies refused by the channel (unaddressable ids); "
        f"{STATS.seconds:.1f} s in HTTP")
