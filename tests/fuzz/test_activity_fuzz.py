"""Fuzzing whole activities at /api/messages: envelopes with wrong, missing and extra fields, and raw bodies.

Every case must get a 2xx/4xx answer (501 only for an invoke the bot has no handler for),
log no failure, answer only with polite, schema-valid cards and change no stored record,
except a convening command (``uusi``) from a directory user in a personal chat, which
starts a draft.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.teams_app import COMMANDS, SHARE_COMMANDS
from cards.verbs import Verb
from tests.fuzz.conftest import (
    FUZZ,
    HANNA_ID,
    NIKO_ID,
    FuzzStack,
    HugeBytes,
    fuzz_text,
    huge,
    json_scalar,
    json_value,
    short_text,
)
from tests.integration.conftest import LIISA

pytestmark = [pytest.mark.asyncio(loop_scope="module"),
              # aiohttp's advice when the bot's reply echoes a huge conversation object: not a failure of the bot.
              pytest.mark.filterwarnings("ignore:Sending a large body directly:ResourceWarning")]

MISSING = "<missing>"  # a field left out altogether
CONNECTOR = "<connector>"  # the recording connector's URL, known only when the stack runs
START_WORDS = frozenset(word for word, verb in COMMANDS.items() if verb is Verb.START)
WORDS = sorted({*COMMANDS, *SHARE_COMMANDS})
GROUP = "19:group-chat-1@thread.v2"


def _command(word: str, before: str, after: str) -> str:
    return f"{before}{word}{after}"


commands = st.builds(
    _command, st.sampled_from([*WORDS, *(w.upper() for w in WORDS), "uusi.", "u usi", "ALOITA"]),
    st.sampled_from(["", " ", "  \n", "\u200b", "\u202e", "\ufeff", "<at>Yhdessä aika</at> ", "\x00"]),
    st.sampled_from(["", " ", " extra words", "\x00", "!", huge(" x", 1500), "\u0301", " \U0001f600"]))

senders = st.one_of(
    st.sampled_from([
        {"id": f"29:{LIISA}", "name": "Liisa Lähinen", "aadObjectId": LIISA},
        {"id": f"29:{LIISA}", "name": "Liisa Lähinen"},  # no aadObjectId
        {"id": f"29:{HANNA_ID}", "name": "Hanna Heikkinen", "aadObjectId": HANNA_ID},
        {"id": f"29:{NIKO_ID}", "aadObjectId": NIKO_ID},
        {"id": "29:x", "aadObjectId": "00000000-0000-0000-0000-000000000000"},
        {"id": "29:x", "aadObjectId": ""},
        {"id": "29:x", "aadObjectId": "liisa.lahinen@esimerkkila.onmicrosoft.com"},
        {"name": "Liisa"},  # no id
        {"id": ""},
        {},
        None,
        MISSING,
    ]),
    st.fixed_dictionaries({"id": st.one_of(st.just("29:x"), fuzz_text),
                           "aadObjectId": st.one_of(fuzz_text, json_scalar)},
                          optional={"name": st.one_of(fuzz_text, json_scalar), "role": json_value}),
    json_value,
)

conversations = st.one_of(
    st.fixed_dictionaries(
        {"id": st.one_of(st.sampled_from(["a:personal-chat-1", "a:personal-chat-2", GROUP, "19:meeting_x@thread.v2"]),
                         fuzz_text)},
        optional={"conversationType": st.one_of(st.sampled_from(["personal", "groupChat", "channel", "", "PERSONAL",
                                                                 None, "meeting"]), fuzz_text, json_scalar),
                  "isGroup": json_scalar, "tenantId": json_scalar, "name": fuzz_text}),
    st.sampled_from([{}, {"id": ""}, {"conversationType": "personal"}, None, MISSING]),
    json_value,
)

service_urls = st.one_of(st.just(CONNECTOR), st.sampled_from(
    [MISSING, "", "notaurl", "ftp://127.0.0.1/", "http://", "/v3", "http:///x", None, 5, [], {"a": 1}]))

locales = st.one_of(st.sampled_from(["fi-FI", "sv-SE", "sv", "SV-fi", "en-US", "de", "", None, MISSING]),
                    fuzz_text, json_scalar)

invoke_values = st.one_of(
    json_value,
    st.fixed_dictionaries({"action": st.fixed_dictionaries(
        {"type": st.sampled_from(["Action.Execute", "Action.Submit", ""]),
         "verb": st.one_of(st.sampled_from([v.value for v in Verb]), fuzz_text, json_scalar),
         "data": json_value})}),
)

fields = {
    "type": st.one_of(st.sampled_from(["message", "invoke", "conversationUpdate", "event", "typing",
                                       "messageReaction", "installationUpdate", "endOfConversation", "messageUpdate",
                                       "messageDelete", "trace", "MESSAGE", " message", ""]), json_scalar),
    "text": st.one_of(commands, fuzz_text, json_value),
    "name": st.one_of(st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query",
                                       "signin/verifyState", "config/fetch", "", "ADAPTIVECARD/ACTION", MISSING]),
                      json_scalar),
    "value": invoke_values,
    "from": senders,
    "recipient": st.one_of(st.sampled_from([MISSING, None, {}, {"id": ""}, {"id": "28:other"}]), json_value),
    "conversation": conversations,
    "locale": locales,
    "channelId": st.one_of(st.sampled_from(["msteams", "", "webchat", "emulator", "msteams:COPILOT", MISSING]),
                           fuzz_text, json_scalar),
    "serviceUrl": service_urls,
    "membersAdded": st.one_of(st.sampled_from([[{"id": "28:bot"}], [{"id": "29:x"}, {"id": "28:bot"}], [{}], [None],
                                               [], "28:bot"]), json_value),
    "membersRemoved": json_value,
    "replyToId": st.one_of(fuzz_text, json_scalar, st.just(MISSING)),
    "id": st.one_of(fuzz_text, json_scalar, st.just(MISSING)),
    "timestamp": st.one_of(st.sampled_from(["2026-11-22T09:00:00Z", "yesterday", "9999-99-99T99:99:99Z"]),
                           json_scalar),
    "entities": st.one_of(st.just([{"type": "ProductInfo", "id": "other"}]), json_value),
    "channelData": json_value,
    "attachments": json_value,
    "deliveryMode": st.one_of(st.sampled_from(["normal", "expectReplies", "notification"]), json_scalar),
}

base_types = st.sampled_from(["message", "message", "invoke", "conversationUpdate"])
extra_fields = st.dictionaries(short_text.filter(lambda k: k not in fields), json_value, max_size=3)

#: Wrong types, missing and malformed fields anywhere: most of these are refused (400) before any handler.
malformed = st.tuples(base_types, st.fixed_dictionaries({}, optional=fields), extra_fields, st.booleans())

nonempty = fuzz_text.filter(bool)
ids = st.one_of(st.sampled_from(["a:personal-chat-1", GROUP, "19:meeting_x@thread.v2", "a:1x;messageid=9"]), nonempty)
people = st.one_of(
    st.sampled_from([
        {"id": f"29:{LIISA}", "name": "Liisa Lähinen", "aadObjectId": LIISA},
        {"id": f"29:{LIISA}", "name": "Liisa Lähinen"},
        {"id": f"29:{HANNA_ID}", "name": "Hanna Heikkinen", "aadObjectId": HANNA_ID},
        {"id": f"29:{NIKO_ID}", "aadObjectId": NIKO_ID},
        {"id": "29:x", "aadObjectId": "liisa.lahinen@esimerkkila.onmicrosoft.com"},
    ]),
    st.fixed_dictionaries({"id": nonempty}, optional={"name": fuzz_text, "aadObjectId": nonempty, "role": nonempty}),
)
#: Well-typed activities with fuzzed contents: these reach the bot's routes and handlers.
well_typed_fields = {
    "text": st.one_of(commands, fuzz_text),
    "name": st.one_of(st.sampled_from(["adaptiveCard/action", "task/fetch", "composeExtension/query", "", "x"]),
                      fuzz_text),
    "value": invoke_values,
    "from": people,
    "recipient": st.one_of(st.just({"id": "28:bot"}), st.fixed_dictionaries({"id": nonempty})),
    "conversation": st.fixed_dictionaries({"id": ids}, optional={
        "conversationType": st.one_of(st.sampled_from(["personal", "groupChat", "channel", "", "PERSONAL"]),
                                      fuzz_text),
        "isGroup": st.booleans(), "tenantId": fuzz_text, "name": fuzz_text}),
    "locale": st.one_of(st.sampled_from(["fi-FI", "sv-SE", "sv", "SV-fi", "en-US", "de", ""]), fuzz_text),
    "channelId": st.one_of(st.just("msteams"), nonempty),
    "membersAdded": st.lists(st.one_of(st.just({"id": "28:bot"}), st.fixed_dictionaries({"id": nonempty})),
                             max_size=3),
    "replyToId": nonempty,
    "id": nonempty,
    "entities": st.lists(st.fixed_dictionaries({"type": st.one_of(st.just("mention"), nonempty)},
                                               optional={"text": fuzz_text, "mentioned": people}), max_size=2),
    "channelData": st.dictionaries(short_text, json_value, max_size=3),
}
well_typed = st.tuples(base_types, st.fixed_dictionaries({}, optional=well_typed_fields), extra_fields, st.booleans())


def build(fuzz: FuzzStack, base_type: str, overrides: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The activity: a well-formed one of ``base_type`` with fields replaced, left out or added."""
    defaults: dict[str, Any] = {"type": base_type}
    if base_type == "message":
        defaults["text"] = "ohje"
    elif base_type == "invoke":
        defaults.update(name="adaptiveCard/action", value={"action": {"type": "Action.Execute", "verb": "help.show",
                                                                      "data": {}}})
    else:
        defaults["membersAdded"] = [{"id": "28:bot"}]
    activity = fuzz.activity(**defaults)
    activity.update(extra)
    for key, value in overrides.items():
        if isinstance(value, str) and value == MISSING:
            activity.pop(key, None)
        else:
            activity[key] = fuzz.connector_url if isinstance(value, str) and value == CONNECTOR else value
    return activity


def may_change(activity: dict[str, Any]) -> bool:
    """Only starting a convening stores anything: ``uusi`` in a personal chat, or the start verb."""
    conversation = activity.get("conversation")
    kind = conversation.get("conversationType") if isinstance(conversation, dict) else None
    personal = not kind or kind == "personal"
    if activity.get("type") == "message" and isinstance(activity.get("text"), str):
        words = activity["text"].strip().lower().split()
        return bool(words) and words[0] in START_WORDS and personal
    if activity.get("type") == "invoke":
        value = activity.get("value")
        action = value.get("action") if isinstance(value, dict) else None
        return isinstance(action, dict) and action.get("verb") == Verb.START.value
    return False


def language(activity: dict[str, Any]) -> str:
    locale = activity.get("locale")
    return "sv" if isinstance(locale, str) and locale.lower().startswith("sv") else "fi"


Case = tuple[str, dict[str, Any], dict[str, Any], bool]


async def run_envelope(fuzz: FuzzStack, case: Case) -> int:
    base_type, overrides, extra, ascii_only = case
    activity = build(fuzz, base_type, overrides, extra)
    outcome = await fuzz.run(activity, may_change=may_change(activity), lang=language(activity),
                             ascii_only=ascii_only, allow_not_implemented=activity.get("type") == "invoke"
                             and activity.get("name") != "adaptiveCard/action")
    return outcome.status


@settings(FUZZ, max_examples=3000)
@given(case=well_typed)
async def test_well_typed_activities_with_fuzzed_contents(fuzz: FuzzStack, case: Case) -> None:
    await run_envelope(fuzz, case)


@settings(FUZZ, max_examples=1200)
@given(case=malformed)
async def test_malformed_activities_are_refused_without_failing(fuzz: FuzzStack, case: Case) -> None:
    await run_envelope(fuzz, case)


def brief(body: bytes) -> bytes:
    """A long body prints briefly when hypothesis reports a case."""
    return HugeBytes(body) if len(body) > 1000 else body


def _deep(levels: int) -> bytes:
    return HugeBytes(b"[" * levels + b"]" * levels)


raw_bodies = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([b"", b" ", b"{", b"}", b"null", b"[]", b"{}", b'"activity"', b"0", b"1e999", b"NaN", b"true",
                     b"\xff\xfe{\x00}\x00", b"\xef\xbb\xbf{}", b"\xc3\x28", b'{"type": "message"',
                     b"{'type': 'message'}",
                     _deep(50), _deep(100_000), HugeBytes(b'{"a":' * 5000 + b"1" + b"}" * 5000)]),
    st.builds(lambda n: HugeBytes(b'{"type":"message","text":"' + b"x" * n + b'"}'),
              st.integers(min_value=0, max_value=3_000_000)),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    json_value.map(lambda v: brief(json.dumps(v, allow_nan=True).encode())),
    json_value.map(lambda v: brief(json.dumps(v).encode("utf-16"))),
)


@settings(FUZZ, max_examples=900)
@given(body=raw_bodies, content_type=st.sampled_from(["application/json", "text/plain", "multipart/form-data", "",
                                                       "application/json; charset=latin-1"]))
async def test_raw_bodies_are_refused_without_a_server_error(fuzz: FuzzStack, body: bytes, content_type: str) -> None:
    outcome = await fuzz.run(None, raw=body, content_type=content_type)
    assert outcome.status < 500


@settings(FUZZ, max_examples=300)
@given(text=st.one_of(fuzz_text, st.builds(huge, st.just("abc "), st.integers(min_value=200_000, max_value=240_000))),
       group=st.booleans())
async def test_long_messages_in_any_chat_get_a_polite_card(fuzz: FuzzStack, text: str, group: bool) -> None:
    conversation = {"id": GROUP, "conversationType": "groupChat"} if group else None
    activity = fuzz.activity(type="message", text=text, **({"conversation": conversation} if conversation else {}))
    outcome = await fuzz.run(activity, may_change=may_change(activity))
    if outcome.status == 202:
        chat = GROUP if group else activity["conversation"]["id"]
        assert len([card for where, card in outcome.placed if where == chat]) == 1, "one card answers a message"
