"""Two instances of the bot on one Azurite blob store, 50 users: no lost update, no notice twice, no collapse.

1. **Bookings racing across instances.** Each user convenes one role's member (users ``n`` and ``n + 20`` the
   same one, so they want the same first free time) and books the first free proposal, every even user through
   instance A and every odd one through B, all at once. A lost update of the shared state (a reservation, a
   convening) would show as an acknowledged booking without its one Outlook event, or as one member with two
   of our events at overlapping times.
2. **Notices from both instances.** Both restart at a moment after every booked start (``YA_DEV_NOW``, the
   sandbox's clock moved with it), with the scheduler ticking every second on both: each convener must get
   each notice once (counted by the fake connector: conversation and the card's first line).
3. **Throughput.** "Näytä lisää" in a closed loop by 50 users (as in ``bench.card_actions``), against one
   instance on the store, then against both (each user's clicks go to A and B in turn), in alternating rounds:
   two instances on 2 shared cores cannot scale out; they must not collapse under contention for the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.card_actions import Click, Load, closed_loop
from bench.harness import ROOT, Process, User, actions, free_port
from bench.scenario import bookings, form_values, open_form, search
from bench.stack import Stack
from bench.table import Row
from bench.tenant import ROLE_KEYS

USERS = 50
AZURITE_BLOB = ROOT / "node_modules" / ".bin" / "azurite-blob"
#: Azurite's well-known development account (public, documented; not a secret).
_ACCOUNT = "devstoreaccount1"
_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
_OURS = "yhdessa-aika-"


@dataclass
class Azurite:
    """A running Azurite blob service on a free loopback port."""

    process: subprocess.Popen[bytes]
    port: int

    @classmethod
    def start(cls, location: Path) -> Azurite:
        """Starts it with its data in ``location`` and waits until it answers HTTP."""
        port = free_port()
        location.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(  # noqa: S603 - the repository's own dev dependency
            [str(AZURITE_BLOB), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(location),
             "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                return cls(process, port)  # it answers (refusing the anonymous request)
            except OSError:
                time.sleep(0.1)
        process.kill()
        raise RuntimeError("Azurite did not start (npm ci installs it)")

    @property
    def connection_string(self) -> str:
        """The development account on this instance."""
        return (f"DefaultEndpointsProtocol=http;AccountName={_ACCOUNT};AccountKey={_ACCOUNT_KEY};"
                f"BlobEndpoint=http://127.0.0.1:{self.port}/{_ACCOUNT};")

    def stop(self) -> None:
        """Stops it."""
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


async def measure(stack: Stack, seconds: float, rounds: int) -> Row:
    """The row; ``seconds`` of closed-loop load split over ``rounds`` alternating rounds."""
    azurite = Azurite.start(stack.workdir / "azurite")
    try:
        env = {"YA_STATE_BACKEND": "blob", "YA_BLOB_CONNECTION_STRING": azurite.connection_string,
               "YA_BLOB_CONTAINER": f"bench-{uuid.uuid4().hex[:12]}"}
        booked, lost, double = await _race(stack, env)
        notices, duplicates = await _notices(stack, env, booked)
        one, two = await _throughput(stack, env, seconds, rounds)
    finally:
        azurite.stop()
    ratio = two.throughput / one.throughput
    passed = ratio >= 1.0 and lost == 0 and double == 0 and duplicates == 0 and bool(booked) and notices > 0
    return Row(f"Two instances on one Azurite store, {USERS} users",
               f"{one.throughput:.0f}/s (one instance on the store)",
               f"{two.throughput:.0f}/s; {len(booked)} of {USERS} racing bookings acknowledged, {lost} lost, "
               f"{double} double-booked; {notices} notices, {duplicates} sent twice", f"{ratio:.2f} ×",
               "≥ 1.0 × one instance, 0 lost, 0 twice", passed)


async def _pair(stack: Stack, env: dict[str, str], tag: str,
                extra: dict[str, str] | None = None) -> list[tuple[Process, str]]:
    bots = []
    for name in ("a", "b"):
        bot, url, _ = await stack.start_bot(f"{tag}-{name}", extra_env={**env, **(extra or {})})
        bots.append((bot, url))
    return bots


def _start(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["start"]["dateTime"]).replace(tzinfo=ZoneInfo(event["start"]["timeZone"]))


def _end(event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(event["end"]["dateTime"]).replace(tzinfo=ZoneInfo(event["end"]["timeZone"]))


def _stop(stack: Stack, bots: list[tuple[Process, str]]) -> None:
    for bot, _ in bots:
        bot.stop()
        stack.processes.remove(bot)


async def _race(stack: Stack, env: dict[str, str]) -> tuple[dict[str, str], int, int]:
    """Every user books at once through A or B; (conversation → the convener's object id, of each acknowledged
    booking; lost bookings; members with two of our events at overlapping times)."""
    bots = await _pair(stack, env, "race")
    try:
        users = [stack.user(bots[n % 2][1], 100 + n, f"a:two-{n}") for n in range(USERS)]
        prepared = []
        for n, user in enumerate(users):
            convening_id, defaults = await open_form(user)
            latest = (date.fromisoformat(defaults["earliest"]) + timedelta(days=13)).isoformat()
            card = await search(user, convening_id, {**form_values(defaults, ROLE_KEYS[n % len(ROLE_KEYS)],
                                                                   "remote"), "latest": latest})
            prepared.append((user, convening_id, bookings(card)[:1]))

        async def book(user: User, convening_id: str, offers: list[dict[str, Any]]) -> str | None:
            for data in offers:
                if actions(await user.act("convening.book", data), "convening.cancel"):
                    return convening_id
            return None

        results = await asyncio.gather(*(book(*p) for p in prepared))
    finally:
        _stop(stack, bots)
    booked = {user.conversation: user.aad_object_id for (user, _, _), found in zip(prepared, results, strict=True)
              if found is not None}
    lost = 0
    for user, convening_id, _ in prepared:
        events = [e for e in await _events(stack, user.aad_object_id) if e.get("transactionId") ==
                  f"{_OURS}{convening_id}" and not e.get("isCancelled")]
        lost += (len(events) != 1) if user.conversation in booked else 0
    return booked, lost, await _double_booked(stack)


async def _events(stack: Stack, user: str) -> list[dict[str, Any]]:
    assert stack.session is not None
    async with stack.session.get(f"{stack.sandbox_url}/users/{user}/events?$top=500") as response:
        if response.status != 200:
            return []  # a member of another organisation (or none): not a calendar of this tenant
        found: list[dict[str, Any]] = (await response.json())["value"]
        return found


async def _double_booked(stack: Stack) -> int:
    """Members with two of our events at overlapping times."""
    overlapping = 0
    for member in stack.tenant.members:
        spans = sorted((_start(e), _end(e)) for e in await _events(stack, member)
                       if str(e.get("transactionId", "")).startswith(_OURS) and not e.get("isCancelled"))
        overlapping += any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))
    return overlapping


async def _notices(stack: Stack, env: dict[str, str], booked: dict[str, str]) -> tuple[int, int]:
    """Both instances at a moment after every booked start; (notices the conveners got, sent more than once)."""
    latest = max([_start(e) for user in booked.values() for e in await _events(stack, user)
                  if str(e.get("transactionId", "")).startswith(_OURS)])
    at = latest + timedelta(minutes=2)
    before = Counter(stack.connector.posted)
    await stack.admin("PUT", "/clock", {"now": at.astimezone(UTC).isoformat()})
    bots = await _pair(stack, env, "notices", {"YA_DEV_NOW": at.isoformat(), "YA_SCHEDULER_SECONDS": "1"})
    try:
        await asyncio.sleep(6)  # several ticks of both schedulers
    finally:
        _stop(stack, bots)
        await stack.admin("PUT", "/clock", {"reset": True})
    sent = Counter({key: count for key, count in (stack.connector.posted - before).items() if key[0] in booked})
    return len(sent), sum(count - 1 for count in sent.values())


async def _throughput(stack: Stack, env: dict[str, str], seconds: float, rounds: int) -> tuple[Load, Load]:
    """Show-more clicks: one instance on the store, then both in turn, in alternating rounds."""
    bots = await _pair(stack, env, "load")
    try:
        clicks_one: list[Click] = []
        clicks_two: list[Click] = []
        for n in range(USERS):
            user = stack.user(bots[0][1], 100 + n, f"a:load-{n}")
            convening_id, defaults = await open_form(user)
            latest = (date.fromisoformat(defaults["earliest"]) + timedelta(days=6)).isoformat()
            await search(user, convening_id, {**form_values(defaults, ROLE_KEYS[n % len(ROLE_KEYS)], "remote"),
                                              "latest": latest})
            other = stack.user(bots[1][1], 100 + n, f"a:load-{n}")
            clicks_one.append(_more(user, convening_id))
            clicks_two.append(_alternating(user, other, convening_id))
        one, two = Load(), Load()
        for _ in range(rounds):
            await closed_loop(clicks_one, bots[0][0], one, 0.5, seconds / rounds)
            await closed_loop(clicks_two, bots[0][0], two, 0.5, seconds / rounds)
        return one, two
    finally:
        _stop(stack, bots)


def _more(user: User, convening_id: str) -> Click:
    async def click() -> object:
        return await user.act("convening.more", {"conveningId": convening_id})
    return click


def _alternating(first: User, second: User, convening_id: str) -> Click:
    turn = [0]

    async def click() -> object:
        turn[0] += 1
        user = first if turn[0] % 2 else second
        return await user.act("convening.more", {"conveningId": convening_id})
    return click

