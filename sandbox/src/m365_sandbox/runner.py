"""Running the sandbox in-process on a free port, for tests and tools."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

from aiohttp import log as web_log
from aiohttp import web

from m365_sandbox.app import create_app
from m365_sandbox.core.clock import SandboxClock
from m365_sandbox.core.context import CLOCK, ResponseObserver
from m365_sandbox.core.faults import FaultConfig
from m365_sandbox.subscriptions.notifications import DeliveryConfig


@dataclass
class RunningSandbox:
    """A started sandbox: ``base_url`` ends in ``/v1.0``; ``root_url`` is where /_admin lives."""

    app: web.Application
    runner: web.AppRunner
    root_url: str
    closed: bool = False

    @property
    def base_url(self) -> str:
        """The Graph base URL to give msgraph-sdk (``http://127.0.0.1:PORT/v1.0``)."""
        return f"{self.root_url}/v1.0"

    @property
    def clock(self) -> SandboxClock:
        """The sandbox's clock (its base plus what ``PUT /_admin/clock`` moved): give its ``now`` to the bot."""
        return self.app[CLOCK]

    @property
    def admin_url(self) -> str:
        """The admin base URL (``http://127.0.0.1:PORT/_admin``)."""
        return f"{self.root_url}/_admin"

    async def close(self) -> None:
        """Stop the server and close the database (again: no effect)."""
        if not self.closed:
            self.closed = True
            await self.runner.cleanup()

    async def __aenter__(self) -> RunningSandbox:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


async def serve(
    app: web.Application, host: str = "127.0.0.1", port: int = 0, access_log: bool = False
) -> RunningSandbox:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one) and return the running server."""
    runner = web.AppRunner(app, access_log=web_log.access_logger if access_log else None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    return RunningSandbox(app=app, runner=runner, root_url=f"http://{host}:{bound[1]}")


async def start_sandbox(
    tenant_path: str | Path,
    db_path: str | Path,
    faults: FaultConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    today: date | None = None,
    clock: Callable[[], datetime] | None = None,
    observers: Iterable[ResponseObserver] = (),
    delivery: DeliveryConfig | None = None,
    public_url: str | None = None,
    now: datetime | None = None,
) -> RunningSandbox:
    """Create and start a sandbox on an ephemeral port; use as ``async with await start_sandbox(…) as s``."""
    app = create_app(
        tenant_path, db_path, faults, today=today, clock=clock, observers=observers, delivery=delivery,
        public_url=public_url, now=now,
    )
    return await serve(app, host, port)
