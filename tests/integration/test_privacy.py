"""Privacy over the whole journey: sentinel texts where the family's data goes, looked for where it must not.

The family reference, each star note and each plan text is a distinct sentinel. After convening,
booking, running the meeting, noting the star, writing and finalizing the plan, no sentinel is in
any log line (every logger of the bot and the SDKs at DEBUG), in any event of any mailbox or room in
Graph (subject, body, location, or anywhere else in the event), or in any OneDrive file name (the
files' contents are the family's plan, which is where it belongs). After the retention period and a
scheduler run, no sentinel is in the bot's SQLite files either (raw bytes, UTF-8 and UTF-16).

Identity codes (henkilötunnus) are refused in every free-text field, politely, and nothing is stored.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from services.caller import Caller
from tests.integration.conftest import LIISA, Stack
from tests.integration.test_convening_journey import open_form
from tests.integration.test_meeting_journey import HANNA, book, finalize_anyway, plan_inputs
from tests.support.teams_client import actions, card_text

#: The family's data, each piece with a sentinel of its own (upper-case ASCII: found in any log format).
FAMILY_REF = "Perhe ZQXFAMREF"
STAR = {"s_0": "Piirtää ZQXSTARSTRENGTH mielellään", "w_0": "Aamut ZQXSTARWORKON", "s_3": "Mummola ZQXSTARFAMILY",
        "w_4": "Rahahuolet ZQXSTARCONCERN"}
PLAN = {"things": "Aamut ZQXPLANTHINGS riitaisia", "home": "Iltarutiini ZQXPLANHOME", "everyday": "ZQXPLANDAYCARE",
        "elsewhere": "Ryhmä ZQXPLANOTHERS", "where": "Perheneuvola ZQXPLANWHERE",
        "reachFamily": "Hanna soittaa ZQXPLANREACHFAMILY", "reachWorker": "Äiti soittaa ZQXPLANREACHWORKER",
        "familyPresent": "Äiti ZQXFAMPRESENT, Lapsi 8 v"}
FEEDBACK_COMMENT = "Kiitos ZQXFEEDBACKCOMMENT"
SENTINELS = ("ZQXFAMREF", "ZQXSTARSTRENGTH", "ZQXSTARWORKON", "ZQXSTARFAMILY", "ZQXSTARCONCERN", "ZQXPLANTHINGS",
             "ZQXPLANHOME", "ZQXPLANDAYCARE", "ZQXPLANOTHERS", "ZQXPLANWHERE", "ZQXPLANREACHFAMILY",
             "ZQXPLANREACHWORKER", "ZQXFAMPRESENT", "ZQXFEEDBACKCOMMENT")
#: Every logger that may see the family's data on its way: the bot's own packages and the SDKs'.
LOGGERS = ("", "bot", "services", "graph", "domain", "documents", "cards", "i18n", "microsoft_agents", "msgraph",
           "msgraph_core", "kiota_http", "kiota_abstractions", "httpx", "httpcore", "azure", "msal", "aiohttp",
           "asyncio")
HETU = "131052-308T"


def _caller() -> Caller:
    return Caller(LIISA, "Liisa Lähinen")


def _in_text(text: str) -> list[str]:
    folded = text.casefold()
    return [s for s in SENTINELS if s.casefold() in folded]


def _in_bytes(data: bytes, tokens: tuple[str, ...] = SENTINELS) -> list[str]:
    found = []
    for token in tokens:
        forms = {token, token.lower()}
        encoded = [form.encode(codec) for form in forms for codec in ("utf-8", "utf-16-le", "utf-16-be")]
        if any(form in data for form in encoded):
            found.append(token)
    return found


def _log_lines(records: list[logging.LogRecord]) -> Iterator[tuple[str, str]]:
    """(logger, everything a formatter could write: message, arguments, exception, extra fields)."""
    formatter = logging.Formatter()
    for record in records:
        if record.name.startswith("sandbox"):
            continue  # the sandbox stands in for Microsoft Graph: it holds the plan file by design
        yield record.name, formatter.format(record) + repr(vars(record))


def _stored_bytes(tmp: Path) -> bytes:
    """The bot's SQLite files after a full checkpoint (the WAL folded in and truncated)."""
    with sqlite3.connect(tmp / "bot.db") as db:
        busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    db.close()
    assert busy == 0, "the checkpoint could not complete"
    return b"".join(path.read_bytes() for path in sorted(tmp.glob("bot.db*")))


def _records(tmp: Path) -> list[tuple[str, str, str]]:
    """(collection, key, eTag) of the family's records (not the conversation book or card pictures)."""
    with sqlite3.connect(f"file:{tmp / 'bot.db'}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT collection, key, etag FROM documents WHERE collection NOT IN "
                          "('conversation', 'chat', 'media') ORDER BY collection, key").fetchall()
    db.close()
    return [(str(c), str(k), str(e)) for c, k, e in rows]


async def _get(stack: Stack, path: str) -> Any:
    async with aiohttp.ClientSession() as s, s.get(f"{stack.sandbox.base_url}{path}") as r:
        if r.status == 404:
            return None
        assert r.status == 200, (path, r.status)
        return await r.json()


async def _mailboxes(stack: Stack) -> list[str]:
    """Every user and every room of the tenant."""
    users = (await _get(stack, "/users?$top=999"))["value"]
    rooms = (await _get(stack, "/places/microsoft.graph.room"))["value"]
    addresses = [u.get("mail") or u["userPrincipalName"] for u in users] + [r["emailAddress"] for r in rooms]
    assert len(addresses) > 20, addresses
    return addresses


async def _drive_names(stack: Stack, owner: str) -> list[str]:
    """Every item name in the user's OneDrive, folders walked."""
    names: list[str] = []
    pending = ["/drive/root/children"]
    while pending:
        data = await _get(stack, f"/users/{owner}{pending.pop()}")
        for item in (data or {}).get("value", []):
            names.append(item["name"])
            if "folder" in item:
                pending.append(f"/drive/items/{item['id']}/children")
    return names


async def _meeting_to_finalized(stack: Stack) -> str:
    """Convene → book → start → star with notes → plan → feedback → finalize, with every sentinel."""
    meeting_id = await book(stack, FAMILY_REF)
    user = stack.user
    record = {"conveningId": meeting_id}
    await stack.at_meeting_start(meeting_id)
    steps = await user.act("meeting.start", record)
    await user.act("meeting.step", next(a for a in actions(steps) if a["verb"] == "meeting.step")["data"])
    star = await user.act("star.save", {**record, **STAR, "f_0": "3", "c_0": "4", "p_3": "2"})
    assert "Tallennettu" in card_text(star), card_text(star)
    plan = await user.act("plan.save", {**record, **plan_inputs(**PLAN)})
    assert "Tallennettu" in card_text(plan), card_text(plan)
    await user.act("feedback.save", {**record, "q_family_heard": "5", "comment": FEEDBACK_COMMENT})
    # Control: while the meeting runs its texts are stored, and the byte scan finds them.
    assert {"ZQXFAMREF", "ZQXSTARSTRENGTH", "ZQXPLANTHINGS"} <= set(_in_bytes(_stored_bytes(stack.tmp)))
    next_date = await stack.date_after_meeting(meeting_id, 21)
    done = await finalize_anyway(user, await user.act("plan.save", {
        **record, "then": "finalize", **plan_inputs(nextDate=next_date, nextTime="09:30", **PLAN)}))
    assert "Suunnitelma valmis" in card_text(done), card_text(done)
    return meeting_id


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger at DEBUG, for the whole test."""
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


async def test_sentinels_stay_out_of_logs_graph_file_names_and_expired_state(
        stack: Stack, all_logs: pytest.LogCaptureFixture) -> None:
    texts = (FAMILY_REF, *STAR.values(), *PLAN.values(), FEEDBACK_COMMENT)
    assert [[s for s in SENTINELS if s in text] for text in texts] == [[s] for s in SENTINELS], "one sentinel each"
    meeting_id = await _meeting_to_finalized(stack)

    # Controls: the plan went to OneDrive; the bot keeps the reference until the retention period ends.
    assert _in_bytes(_stored_bytes(stack.tmp)) == ["ZQXFAMREF"]
    hanna_files = await _drive_names(stack, HANNA)
    assert any(name.endswith(".pdf") for name in hanna_files), hanna_files

    leaks = [(name, found) for name, line in _log_lines(all_logs.records) if (found := _in_text(line))]
    assert not leaks, f"sentinels in log lines: {leaks[:5]}"
    assert len(all_logs.records) > 50, "DEBUG logging was captured"

    for mailbox in await _mailboxes(stack):
        events = await _get(stack, f"/users/{mailbox}/events?$top=999")
        for event in (events or {}).get("value", []):
            shown = json.dumps({k: event.get(k) for k in ("subject", "body", "bodyPreview", "location", "locations")},
                               ensure_ascii=False)
            assert not _in_text(shown), (mailbox, event.get("subject"), _in_text(shown))
            assert not _in_text(json.dumps(event, ensure_ascii=False)), (mailbox, _in_text(json.dumps(event)))
        for name in await _drive_names(stack, mailbox):
            assert not _in_text(name), (mailbox, name)

    # Retention: move every clock past the keeping time of the meeting and of its convening, then tick.
    meeting = await stack.bot.meetings.get(meeting_id, _caller())
    convening = await stack.bot.convenings.own(meeting_id, _caller())
    assert meeting.finalized_at is not None and convening.booking is not None
    retention = timedelta(days=stack.bot.meetings.settings.retention_days)
    later = max(meeting.finalized_at, convening.booking.end) + retention + timedelta(days=2)
    stack.clock.set(later)
    await stack.bot.scheduler.tick()
    await stack.bot.scheduler.tick()
    gone = await stack.user.act("meeting.open", {"conveningId": meeting_id})
    assert "löytänyt" in card_text(gone).lower()
    stored = _stored_bytes(stack.tmp)
    assert len(stored) > 4096
    assert not _in_bytes(stored), f"sentinels still stored after retention: {_in_bytes(stored)}"
    leaks = [(name, found) for name, line in _log_lines(all_logs.records) if (found := _in_text(line))]
    assert not leaks, f"sentinels in log lines: {leaks[:5]}"


# --- identity codes in every free-text field ---------------------------------------------------------


async def _booked_meeting(stack: Stack) -> dict[str, str]:
    meeting_id = await book(stack, "Perhe H.")
    await stack.user.act("meeting.start", {"conveningId": meeting_id})
    return {"conveningId": meeting_id}


async def _search(stack: Stack, **changes: str) -> tuple[str, dict[str, Any]]:
    convening_id, values = await open_form(stack.user)
    values.update({"familyRef": "Perhe H.", "consent": "true", "roles": "neuvola,koulukuraattori",
                   "venue": "remote", **changes})
    return "convening.search", {"conveningId": convening_id, **values}


PLAN_FIELDS = ("things", "home", "everyday", "elsewhere", "where", "reachFamily", "reachWorker", "familyPresent")
FIELDS = ("familyRef", "familyPlace", "network", "s_0", "w_0", "s_3", "w_5", *PLAN_FIELDS, "cancel")


async def _refused_case(stack: Stack, field: str) -> tuple[str, dict[str, Any]]:
    """The action that carries the identity code in ``field``, with every other input valid."""
    text = f"Äidin tunnus {HETU} tässä"
    if field == "familyRef":
        return await _search(stack, familyRef=HETU)
    if field == "familyPlace":
        return await _search(stack, venue="family_place", familyPlace=text)
    if field == "network":
        return await _search(stack, existingClient="yes", network=f"{HANNA}, {HETU}")
    record = await _booked_meeting(stack)
    if field == "cancel":
        return "convening.cancel_confirm", {**record, "comment": text}
    if field.startswith(("s_", "w_")):
        return "star.save", {**record, "s_1": "Leikkii", field: text}
    return "plan.save", {**record, **plan_inputs(**{field: text})}


@pytest.mark.parametrize("field", FIELDS)
async def test_identity_code_is_refused_politely_and_nothing_is_stored(
        stack: Stack, all_logs: pytest.LogCaptureFixture, field: str) -> None:
    verb, data = await _refused_case(stack, field)
    before = _records(stack.tmp)
    card = await stack.user.act(verb, data)
    shown = card_text(card)
    assert "henkilötunnu" in shown.lower(), shown
    assert HETU not in json.dumps(card), "a refused text is not echoed back into the chat"
    assert _records(stack.tmp) == before, "nothing stored"
    assert not _in_bytes(_stored_bytes(stack.tmp), (HETU,)), "the identity code is in no stored byte"
    leaks = [name for name, line in _log_lines(all_logs.records) if HETU in line]
    assert not leaks, f"the identity code reached the logs (or a Graph request): {leaks}"
