"""The bot as a real subprocess (``python -m bot``), for tests that kill it (SIGKILL) and start it again."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BotProcess:
    """``python -m bot`` on a fixed port with a fixed state file; start, kill -9 and start again."""

    port: int
    graph_base_url: str
    state_db: Path
    log_path: Path
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT  # where the process starts (the image starts it outside the application's folders)
    shipped_config: bool = False  # True: no YA_TEAMS_FILE/YA_STARS_DIR, the configuration shipped in config/
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        """The messaging endpoint (``/api/messages``)."""
        return f"http://{self.host}:{self.port}/api/messages"

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key in [k for k in env if k.startswith("YA_")]:
            del env[key]
        env.update({
            "YA_MODE": "development", "YA_HOST": self.host, "YA_PORT": str(self.port),
            "YA_GRAPH_BASE_URL": self.graph_base_url, "YA_STATE_DB": str(self.state_db),
            "YA_PUBLIC_URL": f"http://{self.host}:{self.port}",
            "PYTHONUNBUFFERED": "1", **self.extra_env,
        })
        if not self.shipped_config:
            env.update({"YA_TEAMS_FILE": str(ROOT / "config" / "teams.yaml"),
                        "YA_STARS_DIR": str(ROOT / "config" / "stars")})
        return env

    async def start(self, startup_seconds: float = 30.0) -> None:
        """Starts the bot (own process group, output appended to ``log_path``) and waits for its port."""
        assert self.process is None or self.process.poll() is not None, "already running"
        self.starts += 1
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n--- start {self.starts} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(  # noqa: ASYNC220 - starting is quick; waiting is async
                [sys.executable, "-m", "bot"], cwd=self.cwd, env=self._env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited while starting ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection(self.host, self.port)
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
                return
            await asyncio.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the bot's port {self.port} did not open in {startup_seconds:.0f} s:\n{self.log_tail()}")

    def kill9(self) -> None:
        """SIGKILL the bot's process group: no cleanup, no flush, as a crashed host would."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, self.process.returncode

    def stop(self) -> None:
        """Stops the bot if it runs (SIGTERM, then SIGKILL)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the bot's log (for failure messages)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])
