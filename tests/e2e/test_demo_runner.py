"""``scripts/demo.py`` supervises its services: process groups, failures, ports (no browser needed)."""

from __future__ import annotations

import io
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from scripts.demo import (
    DEFAULT_BOT_PORT,
    DEFAULT_PLAYGROUND_PORT,
    DEFAULT_SANDBOX_PORT,
    ROOT,
    DemoConfig,
    ServiceError,
    banner,
    describe_exit,
    free_port,
    spawn,
    start_sandbox,
    supervise,
    wait_for_tcp,
)

SLEEPER = [
    sys.executable,
    "-c",
    "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
    "'import time; time.sleep(60)']); print('child started', flush=True); time.sleep(60)",
]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until(predicate: object, timeout: float = 10.0) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_dying_service_stops_the_others_and_is_named(tmp_path: Path) -> None:
    sleeper = spawn("sandbox", SLEEPER, cwd=tmp_path, log_path=tmp_path / "sandbox.log")
    dying = spawn(
        "bot",
        [sys.executable, "-c", "print('boom: bad settings'); raise SystemExit(3)"],
        cwd=tmp_path,
        log_path=tmp_path / "bot.log",
    )
    assert _wait_until(lambda: "child started" in (tmp_path / "sandbox.log").read_text())
    out = io.StringIO()

    assert supervise([sleeper, dying], out, poll_seconds=0.05) == 1

    text = out.getvalue()
    assert "bot stopped unexpectedly (exit code 3)" in text
    assert "boom: bad settings" in text
    # The whole process group of the survivor is gone, grandchildren included.
    assert _wait_until(lambda: not _group_alive(sleeper.process.pid))


def test_waiting_for_a_port_fails_fast_when_the_service_exits(tmp_path: Path) -> None:
    service = spawn("bot", [sys.executable, "-c", "raise SystemExit(2)"], cwd=tmp_path, log_path=tmp_path / "bot.log")
    started = time.monotonic()
    with pytest.raises(ServiceError, match=r"bot: exited while starting \(exit code 2\)"):
        wait_for_tcp(service, "127.0.0.1", free_port(), timeout=30)
    assert time.monotonic() - started < 10


def test_ports_come_from_the_environment() -> None:
    config = DemoConfig.from_env({"SANDBOX_PORT": "4001", "BOT_PORT": "4002"})
    assert (config.sandbox_port, config.bot_port, config.playground_port) == (4001, 4002, DEFAULT_PLAYGROUND_PORT)
    assert config.bot_endpoint == "http://127.0.0.1:4002/api/messages"
    assert config.graph_base_url == "http://127.0.0.1:4001/v1.0"
    with pytest.raises(SystemExit, match="BOT_PORT"):
        DemoConfig.from_env({"BOT_PORT": "http"})


def test_the_readme_quick_start_names_the_port_settings_and_their_defaults() -> None:
    """Someone with another demo (or anything) on 3978/3979 finds how to move it without reading the script."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for name, default in (("SANDBOX_PORT", DEFAULT_SANDBOX_PORT), ("BOT_PORT", DEFAULT_BOT_PORT),
                          ("PLAYGROUND_PORT", DEFAULT_PLAYGROUND_PORT)):
        assert f"`{name}` ({default}" in quick_start, name


def test_banner_shows_url_hint_and_events_command() -> None:
    text = banner(DemoConfig(), "http://127.0.0.1:56150")
    assert "http://127.0.0.1:56150" in text
    assert "Kirjoita 'uusi' aloittaaksesi" in text
    assert "curl http://127.0.0.1:3979/v1.0/users/" in text


def test_exit_descriptions() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-9) == "killed by SIGKILL"


def test_a_busy_port_is_reported(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        config = DemoConfig(state_dir=tmp_path, sandbox_port=port)
        with pytest.raises(ServiceError, match=f"port {port} .* already in use.*SANDBOX_PORT"):
            start_sandbox(config)
