"""The running processes for one benchmark run: sandbox, bot and echo baseline, and the fake connector."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.harness import Connector, Process, User, bot_process, echo_process, free_port, sandbox_process, wait_http
from bench.tenant import BenchTenant, write_bench_tenant

#: What both bots are probed with while starting: an activity needing no reply (typing).
PROBE = {"type": "typing", "id": "probe", "channelId": "msteams", "serviceUrl": "http://127.0.0.1:9/",
         "from": {"id": "29:probe", "name": "probe"}, "recipient": {"id": "28:bot"},
         "conversation": {"id": "a:probe", "conversationType": "personal"}}


@dataclass
class Stack:
    """Sandbox, bot, echo bot and connector; ``close`` stops what was started."""

    workdir: Path
    tenant: BenchTenant
    python: str = sys.executable  # the bots' interpreter
    connector: Connector = field(default_factory=Connector)
    processes: list[Process] = field(default_factory=list)
    sandbox_url: str = ""
    admin_url: str = ""
    session: aiohttp.ClientSession | None = None

    @classmethod
    async def start(cls, workdir: Path, python: str = sys.executable) -> Stack:
        """Starts the sandbox (bench tenant) and the connector; bots are started by the benchmarks with
        ``python``."""
        stack = cls(workdir, write_bench_tenant(workdir), python)
        port = free_port()
        sandbox = sandbox_process(workdir, stack.tenant.tenant_file, port)
        sandbox.spawn()
        stack.processes.append(sandbox)
        stack.sandbox_url, stack.admin_url = f"http://127.0.0.1:{port}/v1.0", f"http://127.0.0.1:{port}/_admin"
        await wait_http(f"{stack.admin_url}/health", sandbox)
        await stack.connector.start()
        stack.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200),
                                              timeout=aiohttp.ClientTimeout(total=60))
        return stack

    async def close(self) -> None:
        """Stops every process and the connector."""
        for process in reversed(self.processes):
            process.stop()
        if self.session is not None:
            await self.session.close()
        await self.connector.close()

    async def start_bot(self, tag: str = "bot", *, state_db: Path | None = None,
                        extra_env: dict[str, str] | None = None) -> tuple[Process, str, float]:
        """``python -m bot``; (process, /api/messages URL, seconds to the first answer)."""
        port = free_port()
        bot = bot_process(self.workdir, port, self.sandbox_url, self.tenant.teams_file, tag, state_db=state_db,
                          extra_env=extra_env, python=self.python)
        return await self._start(bot, port)

    async def start_echo(self) -> tuple[Process, str, float]:
        """The echo baseline; (process, /api/messages URL, seconds to the first answer)."""
        port = free_port()
        return await self._start(echo_process(self.workdir, port, self.python), port)

    async def _start(self, process: Process, port: int) -> tuple[Process, str, float]:
        url = f"http://127.0.0.1:{port}/api/messages"
        process.spawn()
        self.processes.append(process)
        seconds = await wait_http(url, process, method="POST", json_body=PROBE)
        return process, url, seconds

    def user(self, bot_url: str, n: int, conversation: str) -> User:
        """Simulated user number ``n`` (one of the bench's near workers) in its own chat."""
        assert self.session is not None
        object_id, name = self.tenant.workers[n % len(self.tenant.workers)]
        return User(self.session, bot_url, self.connector, object_id, name, conversation)

    async def admin(self, method: str, path: str, json_body: object = None) -> dict[str, object]:
        """The sandbox's admin API."""
        assert self.session is not None
        async with self.session.request(method, f"{self.admin_url}{path}", json=json_body) as resp:
            data: dict[str, object] = await resp.json(content_type=None) if resp.content_length != 0 else {}
            return data
