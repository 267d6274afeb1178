"""What the benchmarks run against: the sandbox, the bot and the echo baseline as real processes, a fake
Bot Framework connector and simulated Teams users posting to ``/api/messages``."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
TENANT_ID = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Process:
    """A child process in its own process group, output to a log file."""

    name: str
    argv: list[str]
    log: Path
    env: Mapping[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None
    spawned_at: float = 0.0

    def spawn(self) -> None:
        """Starts the process (does not wait for it)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("YA_")}
        env.update({"PYTHONUNBUFFERED": "1", **self.env})
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.spawned_at = time.perf_counter()
            self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
                self.argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)

    @property
    def pid(self) -> int:
        """The process id."""
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        """Whether it still runs."""
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 5 s."""
        if not self.alive():
            return
        assert self.popen is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)

    def tail(self, lines: int = 30) -> str:
        """The end of its log."""
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def memory_kb(self) -> tuple[int, int]:
        """(current RSS, peak RSS) in kB from /proc."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
        return values["VmRSS"], values["VmHWM"]


async def wait_http(url: str, process: Process, *, method: str = "GET", json_body: Any = None,
                    deadline_s: float = 60.0, interval: float = 0.01) -> float:
    """Polls ``url`` until it answers 2xx/4xx; returns seconds since the process was spawned."""
    deadline = time.perf_counter() + deadline_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while time.perf_counter() < deadline:
            if not process.alive():
                raise RuntimeError(f"{process.name} exited while starting:\n{process.tail()}")
            with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                async with session.request(method, url, json=json_body) as resp:
                    await resp.read()
                    if resp.status < 500:
                        return time.perf_counter() - process.spawned_at
            await asyncio.sleep(interval)
    raise RuntimeError(f"{process.name} did not answer at {url} in {deadline_s:.0f} s:\n{process.tail()}")


def sandbox_process(workdir: Path, tenant: Path, port: int) -> Process:
    """``python -m m365_sandbox`` with a fresh database."""
    db = workdir / f"sandbox-{port}.db"
    return Process("sandbox", [sys.executable, "-m", "m365_sandbox", "--tenant", str(tenant), "--db", str(db),
                               "--port", str(port)], workdir / "sandbox.log")


def bot_process(workdir: Path, port: int, graph_url: str, teams_file: Path, tag: str = "bot", *,
                state_db: Path | None = None, extra_env: Mapping[str, str] | None = None,
                python: str = sys.executable) -> Process:
    """``python -m bot`` as in production (development mode, anonymous), state in a fresh file (or ``state_db``:
    a restart on the same state); ``extra_env`` e.g. ``YA_DEV_NOW``; ``python``: the interpreter (make bench
    gives one with the production dependencies only)."""
    env = {"YA_MODE": "development", "YA_HOST": "127.0.0.1", "YA_PORT": str(port), "YA_GRAPH_BASE_URL": graph_url,
           "YA_STATE_DB": str(state_db or workdir / f"{tag}-{port}.db"), "YA_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "YA_TEAMS_FILE": str(teams_file), "YA_STARS_DIR": str(ROOT / "config" / "stars"),
           "PYTHONPATH": str(ROOT), **(extra_env or {})}
    return Process(tag, [python, "-m", "bot"], workdir / f"{tag}.log", env)


def echo_process(workdir: Path, port: int, python: str = sys.executable) -> Process:
    """The bare Agents SDK echo bot."""
    return Process("echo", [python, "-m", "bench.echo_baseline", "--port", str(port)],
                   workdir / "echo.log", {"PYTHONPATH": str(ROOT)})


@dataclass
class Connector:
    """A fake Bot Framework connector: keeps the bot's last few messages per conversation, nothing more."""

    last: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Every message posted, by conversation and the first line of its card (a notice sent twice shows as 2).
    posted: collections.Counter[tuple[str, str]] = field(default_factory=collections.Counter)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        """Serves on a free loopback port."""
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._post)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._post)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._ok)
        app.router.add_post("/v3/conversations", self._ok)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        """Stops serving."""
        if self.runner is not None:
            await self.runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        body["id"] = f"activity-{next(self._ids)}"
        kept = self.last.setdefault(request.match_info["cid"], [])
        kept.append(body)
        del kept[:-3]
        first_line = next((str(n.get("text")) for a in body.get("attachments") or []
                           for n in walk(a.get("content")) if n.get("type") == "TextBlock"), "")
        self.posted[(request.match_info["cid"], first_line)] += 1
        return web.json_response({"id": body["id"]})

    async def _ok(self, request: web.Request) -> web.Response:
        return web.json_response({"id": f"activity-{next(self._ids)}"})

    def cards(self, conversation: str) -> list[dict[str, Any]]:
        """The Adaptive Cards of the conversation's last messages."""
        return [a["content"] for act in self.last.get(conversation, []) for a in act.get("attachments") or []]


@dataclass
class User:
    """A simulated Teams user in a personal chat with a bot."""

    session: aiohttp.ClientSession
    bot_url: str
    connector: Connector
    aad_object_id: str
    name: str
    conversation: str
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def activity(self, **extra: Any) -> dict[str, Any]:
        """A Teams-shaped activity from this user."""
        return {"id": f"in-{next(self._ids)}", "channelId": "msteams", "serviceUrl": self.connector.url,
                "from": {"id": f"29:{self.aad_object_id}", "name": self.name, "aadObjectId": self.aad_object_id},
                "recipient": {"id": "28:bot", "name": "bot"},
                "conversation": {"id": self.conversation, "conversationType": "personal", "tenantId": TENANT_ID},
                "locale": "fi-FI", **extra}

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        """Posts an activity; (status, parsed JSON body or None)."""
        async with self.session.post(self.bot_url, json=activity) as resp:
            body = await resp.json(content_type=None) if resp.content_length != 0 else None
            return resp.status, body

    async def say(self, text: str) -> list[dict[str, Any]]:
        """A chat message; the cards the bot sent back."""
        status, _ = await self.post(self.activity(type="message", text=text))
        if status >= 300:
            raise RuntimeError(f"message answered {status}")
        return self.connector.cards(self.conversation)

    async def act(self, verb: str, data: Mapping[str, Any]) -> dict[str, Any]:
        """An Action.Execute click; the card Teams shows in place."""
        status, body = await self.post(self.activity(
            type="invoke", name="adaptiveCard/action",
            value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}}}))
        if status != 200 or not isinstance(body, dict) or body.get("statusCode") != 200:
            raise RuntimeError(f"{verb} answered {status}: {str(body)[:200]}")
        card: dict[str, Any] = body["value"]
        return card


def walk(node: Any) -> list[dict[str, Any]]:
    """Every object in a card, in document order."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def actions(card: Mapping[str, Any], verb: str) -> list[dict[str, Any]]:
    """The card's Action.Execute with this verb."""
    return [n for n in walk(card) if n.get("type") == "Action.Execute" and n.get("verb") == verb]


def inputs(card: Mapping[str, Any]) -> dict[str, str]:
    """What Teams sends for the card's inputs when nobody changes them."""
    return {n["id"]: str(n["value"]) if n.get("value") is not None else ""
            for n in walk(card) if str(n.get("type", "")).startswith("Input.") and "id" in n}


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` in 0..1)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]
