"""Running the sandbox in-process on a free port, for tests and tools.

Besides plain HTTP (``root_url``), the same app is served over TLS (``https_url``) with a certificate made at
start, because azure-identity talks only to an https authority. The token endpoint is
``{authority}/{tenant}/oauth2/v2.0/token``; with azure-identity's async credentials::

    from azure.identity.aio import ClientSecretCredential
    credential = ClientSecretCredential(tenant_id, client_id, "sandbox-secret",
                                        authority=running.authority, connection_verify=running.ca_file)
    token = await credential.get_token("https://graph.microsoft.com/.default")

(``ClientAssertionCredential(tenant_id, client_id, func, authority=…, connection_verify=…)`` likewise.)
``connection_verify`` (a CA bundle path) reaches azure-core's aiohttp transport, which verifies the
sandbox's certificate with it; a ``transport=`` argument is not needed.
"""

from __future__ import annotations

import shutil
import tempfile
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
from m365_sandbox.identity.tls import make_certificate
from m365_sandbox.subscriptions.notifications import DeliveryConfig


@dataclass
class RunningSandbox:
    """A started sandbox: ``base_url`` ends in ``/v1.0``; ``root_url`` is where /_admin lives."""

    app: web.Application
    runner: web.AppRunner
    root_url: str
    https_url: str = ""
    ca_file: str = ""
    tls_dir: Path | None = None
    closed: bool = False

    @property
    def authority(self) -> str:
        """The Entra authority to give azure-identity (``https://127.0.0.1:PORT``; '' when TLS is off)."""
        return self.https_url

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
            if self.tls_dir is not None:
                shutil.rmtree(self.tls_dir, ignore_errors=True)

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
    app: web.Application, host: str = "127.0.0.1", port: int = 0, access_log: bool = False, *,
    tls_port: int | None = 0,
) -> RunningSandbox:
    """Serve ``app`` on ``host:port`` (port 0 picks a free one) and return the running server.

    ``tls_port`` (0: a free one; None: no TLS) serves the same app over https with a self-signed
    certificate written to a temporary directory (``RunningSandbox.ca_file``; removed on close).
    """
    runner = web.AppRunner(app, access_log=web_log.access_logger if access_log else None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    running = RunningSandbox(app=app, runner=runner, root_url=f"http://{host}:{bound[1]}")
    if tls_port is None:
        return running
    tls_dir = Path(tempfile.mkdtemp(prefix="m365-sandbox-tls-"))
    files = make_certificate(tls_dir)
    secure = web.TCPSite(runner, host, tls_port, ssl_context=files.server_context())
    try:
        await secure.start()
    except OSError:
        await runner.cleanup()
        shutil.rmtree(tls_dir, ignore_errors=True)
        raise
    tls_bound = runner.addresses[-1]
    local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104 - naming, not binding
    running.https_url = f"https://{local}:{tls_bound[1]}"
    running.ca_file = str(files.cert_file)
    running.tls_dir = tls_dir
    return running


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
    require_tokens: bool = False,
    delivery_delay: float | None = None,
    delivery_reorder: bool | None = None,
    delivery_duplicate: bool | None = None,
    delivery_seed: int | None = None,
    tls_port: int | None = 0,
) -> RunningSandbox:
    """Create and start a sandbox on an ephemeral port; use as ``async with await start_sandbox(…) as s``.

    ``require_tokens`` and ``delivery_*``: see :func:`m365_sandbox.app.create_app`; ``tls_port``: see
    :func:`serve` (the https address is ``RunningSandbox.authority``, its CA ``RunningSandbox.ca_file``).
    """
    app = create_app(
        tenant_path, db_path, faults, today=today, clock=clock, observers=observers, delivery=delivery,
        public_url=public_url, now=now, require_tokens=require_tokens, delivery_delay=delivery_delay,
        delivery_reorder=delivery_reorder, delivery_duplicate=delivery_duplicate, delivery_seed=delivery_seed,
    )
    return await serve(app, host, port, tls_port=tls_port)
