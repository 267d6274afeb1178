"""Two guarantees for every test here: it opens no network connection (the recorded Graph is an
``httpx.MockTransport``), and it never sleeps (the waits the retry policies ask for are recorded instead,
see ``recorded.Waits``)."""

from __future__ import annotations

import asyncio
import socket
from typing import NoReturn

import pytest

from tests.graph.recorded import REAL_SLEEP, Waits


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    """The retry waits of this test, in seconds, none of them slept."""
    recorded = Waits(REAL_SLEEP)
    monkeypatch.setattr(asyncio, "sleep", recorded.sleep)
    return recorded


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to connect a socket fails the test."""

    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError(f"tests/graph must not use the network: connect{args[1:]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
