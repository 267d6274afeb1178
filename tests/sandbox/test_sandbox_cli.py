"""``python -m m365_sandbox`` as a subprocess on an ephemeral port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_cli_starts_on_port_zero_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "m365_sandbox", "--db", str(tmp_path / "cli.db"), "--port", "0", "--fault-429", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("SANDBOX_BASE_URL=http://127.0.0.1:"), line
        base_url = line.split("=", 1)[1]
        response = httpx.get(f"{base_url}/users/liisa.lahinen@esimerkkila.onmicrosoft.com", timeout=10)
        assert response.status_code == 200
        assert response.json()["displayName"] == "Liisa Lähinen"
        assert httpx.get(base_url.replace("/v1.0", "/_admin/health"), timeout=10).json()["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
        if process.stderr:
            process.stderr.close()
    assert process.returncode == 0


def test_cli_rejects_bad_fault_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "m365_sandbox", "--db", str(tmp_path / "x.db"), "--fault-429", "3"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "p429" in result.stderr
