"""Text from outside is untrusted, wherever it comes from: over real HTTP through the whole stack.

An identity code disguised with an en dash, a non-breaking hyphen, a zero-width space, full-width
digits or dots in its date is refused in every free-text field just like a plain one, and is stored
nowhere. A decliner's Outlook message gets the same checks (a code withholds it, with a neutral
note), and Markdown or HTML in it, or in anything a user typed, shows on the card as text, never as
a link or formatting.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from domain.convening import Answer
from services.caller import Caller
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_invitation_answers import KAISA, booked, latest_card, respond
from tests.integration.test_meeting_journey import HANNA, plan_inputs
from tests.integration.test_privacy import (
    LOGGERS,
    _booked_meeting,
    _in_bytes,
    _log_lines,
    _records,
    _search,
    _stored_bytes,
)
from tests.support.teams_client import card_text, walk

#: A code no other test data holds (so a byte scan can only find it where it leaked).
CODE = "290277-917N"
#: The same code as a user may write it, meaning to or not. None of them is "290277-917N" itself.
DISGUISES = {
    "en_dash": "290277\u2013917N",
    "zero_width_space": "2902\u200b77-917N",
    "non_breaking_hyphen": "290277\u2011917N",
    "dotted_date": "29.02.77-917N",
    "full_width": "\uff12\uff19\uff10\uff12\uff17\uff17\uff0d\uff19\uff11\uff17N",
}
FIELDS = ("familyRef", "familyPlace", "network", "s_0", "w_5", "things", "reachWorker", "familyPresent", "cancel")


def _caller() -> Caller:
    return Caller(LIISA, "Liisa Lähinen")


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger at DEBUG, for the whole test."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


async def _refused_case(stack: Stack, field: str, code: str) -> tuple[str, dict[str, Any]]:
    """The action carrying ``code`` in ``field``, every other input valid."""
    text = f"Äidin tunnus {code} tässä"
    if field == "familyRef":
        return await _search(stack, familyRef=code)
    if field == "familyPlace":
        return await _search(stack, venue="family_place", familyPlace=text)
    if field == "network":
        return await _search(stack, existingClient="yes", network=f"{HANNA}, {code}")
    record = await _booked_meeting(stack)
    if field == "cancel":
        return "convening.cancel_confirm", {**record, "comment": text}
    if field.startswith(("s_", "w_")):
        return "star.save", {**record, "s_1": "Leikkii", field: text}
    return "plan.save", {**record, **plan_inputs(**{field: text})}


def _leaked(data: bytes, written: str) -> list[str]:
    """Any form of the code in ``data``: as written, normalised, or its tail (what a split leaves whole)."""
    return _in_bytes(data, tuple(dict.fromkeys((written, CODE, "917N", "77-917"))))


@pytest.mark.parametrize("disguise", ["en_dash", "zero_width_space"])
@pytest.mark.parametrize("field", FIELDS)
async def test_a_disguised_identity_code_is_refused_politely_and_stored_nowhere(
        stack: Stack, all_logs: pytest.LogCaptureFixture, field: str, disguise: str) -> None:
    written = DISGUISES[disguise]
    verb, data = await _refused_case(stack, field, written)
    before = _records(stack.tmp)
    card = await stack.user.act(verb, data)
    shown = card_text(card)
    assert "henkilötunnu" in shown.lower(), shown
    assert not _leaked(json.dumps(card, ensure_ascii=False).encode(), written), "not echoed back into the chat"
    assert _records(stack.tmp) == before, "nothing stored"
    assert not _leaked(_stored_bytes(stack.tmp), written), "the code is in no stored byte"
    events = (await stack.graph(f"/users/{LIISA}/events?$top=200"))["value"]
    assert not _leaked(json.dumps(events, ensure_ascii=False).encode(), written), "nor in Outlook"
    leaks = [name for name, line in _log_lines(all_logs.records) if _leaked(line.encode(), written)]
    assert not leaks, f"the code reached the logs: {leaks}"


@pytest.mark.parametrize("disguise", sorted(DISGUISES))
async def test_every_disguise_is_refused_as_the_family_reference(stack: Stack, disguise: str) -> None:
    verb, data = await _refused_case(stack, "familyRef", f"Perhe {DISGUISES[disguise]}")
    before = _records(stack.tmp)
    card = await stack.user.act(verb, data)
    assert "Tunniste näyttää henkilötunnukselta" in card_text(card), card_text(card)
    assert _records(stack.tmp) == before


def _comment_block(card: dict[str, Any]) -> str:
    return next(node["text"] for node in walk(card) if str(node.get("text", "")).startswith("Viesti:"))


def _as_read(shown: str) -> str:
    """What a person reads on the card: escapes and link breakers are not drawn."""
    return re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "").replace("\u2024", ".")


async def test_markdown_and_html_in_a_decline_message_show_as_text_on_the_status_card(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola,koulukuraattori,kouluterveydenhuolto")
    message = ("[Avaa lomake](https://evil.example/lomake) **kiireellinen** _nyt_ "
               "<a href=\"https://evil.example\">linkki</a> ja www.evil.example")
    await respond(stack, KAISA, convening_id, "decline", message)
    await stack.bot.status.on_change(LIISA, event_id, "updated")
    shown = _comment_block(latest_card(stack))
    assert _as_read(shown) == f"Viesti: {message}", "the decliner's words, every character, as they wrote them"
    assert not re.findall(r"(?<!\\)[][*_<>`~]", shown), "every Markdown marker is escaped: no link, no emphasis"
    for address in ("https://", "www.evil.example", "evil.example"):
        assert address not in shown, "no linkifier sees an address"
    assert not [node for node in walk(latest_card(stack)) if "evil" in str(node.get("url", ""))], "no link"


async def test_an_identity_code_in_a_decline_message_is_withheld_with_a_note(stack: Stack) -> None:
    convening_id, event_id = await booked(stack, roles="neuvola,koulukuraattori,kouluterveydenhuolto")
    await respond(stack, KAISA, convening_id, "decline", f"En pääse. Lapsen tunnus {DISGUISES['en_dash']}.")
    await stack.bot.status.on_change(LIISA, event_id, "updated")
    text = card_text(latest_card(stack))
    assert "Kaisa Kettunen – Kouluterveydenhuolto: ei pääse" in text
    assert "Viesti on piilotettu, koska siinä oli henkilötunnukselta näyttävä merkkijono" in text, text
    assert "En pääse" not in text and "917N" not in text
    convening = await stack.bot.convenings.own(convening_id, _caller())
    assert convening.response_of(KAISA).answer is Answer.DECLINED
    assert not _leaked(_stored_bytes(stack.tmp), DISGUISES["en_dash"]), "the message is kept nowhere in the bot"


async def test_a_family_reference_with_markdown_shows_as_typed(stack: Stack) -> None:
    reference = "Perhe **K** [x](https://x.fi)"
    verb, data = await _search(stack, familyRef=reference)
    card = await stack.user.act(verb, data)
    facts = [node["value"] for node in walk(card) if "title" in node and isinstance(node.get("value"), str)]
    shown = next(value for value in facts if "Perhe" in value)
    assert shown == "Perhe \\*\\*K\\*\\* \\[x\\](https:\u2060//x\u2024fi)", shown
    assert _as_read(shown) == reference
