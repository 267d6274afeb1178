"""Azurite (the Azure Storage emulator, an npm dev dependency) as a pytest fixture.

``azurite`` starts ``node_modules/.bin/azurite-blob`` once per test session on a free loopback port with its
data in a temporary folder, waits until it answers HTTP, and stops it at the end. Without Azurite in
node_modules the tests that use it skip, saying how to install it. Use it in a test module with
``from tests.support.azurite import azurite_fixture  # noqa: F401`` and a parameter named ``azurite``.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AZURITE_BLOB = ROOT / "node_modules" / ".bin" / "azurite-blob"
#: Azurite's well-known development account (public, documented; not a secret).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Azurite:
    """A running Azurite blob service."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def account_url(self) -> str:
        """The blob endpoint of the development account."""
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        """A connection string for the development account on this instance."""
        return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
                f"BlobEndpoint={self.account_url};")

    @staticmethod
    def new_container() -> str:
        """A container name no other test uses."""
        return f"test-{uuid.uuid4().hex[:20]}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    """Whether something answers HTTP at ``url`` (any status: Azurite refuses the anonymous request)."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def start_azurite(location: Path) -> Azurite:
    """Starts Azurite's blob service with its data under ``location``; skips the test if it is not installed."""
    if not AZURITE_BLOB.exists():
        pytest.skip("Azurite is not installed in node_modules: run `npm ci` (or `make install`)")
    location.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    log = (location / "azurite.log").open("wb")
    process = subprocess.Popen(
        [str(AZURITE_BLOB), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(location),
         "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    azurite = Azurite(port, process)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers(f"{azurite.account_url}?comp=list"):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_azurite(azurite)
            output = (location / "azurite.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Azurite did not start on port {port}:\n{output}")
        time.sleep(0.1)
    return azurite


def stop_azurite(azurite: Azurite) -> None:
    """Stops the process (SIGTERM, then SIGKILL after 10 s)."""
    if azurite.process.poll() is None:
        azurite.process.terminate()
        try:
            azurite.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            azurite.process.kill()
            azurite.process.wait(timeout=10)


@pytest.fixture(name="azurite", scope="session")
def azurite_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """One Azurite blob service for the session; each test uses its own container."""
    azurite = start_azurite(tmp_path_factory.mktemp("azurite"))
    try:
        yield azurite
    finally:
        stop_azurite(azurite)
