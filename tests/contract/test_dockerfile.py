"""The container image (deploy/Dockerfile) runs in production mode: it never starts anonymous."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def image_environment() -> dict[str, str]:
    """The ``ENV`` instructions of the Dockerfile (``ENV A=1 B=2`` form, continuation lines joined)."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    env: dict[str, str] = {}
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0].upper() == "ENV":
            for word in words[1:]:
                name, _, value = word.partition("=")
                env[name] = value
    return env


@pytest.fixture
def image_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Only the image's own YA_ variables in the environment."""
    for name in [n for n in os.environ if n.startswith("YA_")]:
        monkeypatch.delenv(name)
    env = image_environment()
    for name, value in env.items():
        if name.startswith("YA_"):
            monkeypatch.setenv(name, value)
    return env


def test_the_image_sets_production_mode(image_env: dict[str, str]) -> None:
    assert image_env["YA_MODE"] == "production"


def test_the_image_without_credentials_refuses_to_start(image_env: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="production mode requires YA_CLIENT_ID"):
        BotSettings()


def test_the_image_with_credentials_and_an_https_address_starts(image_env: dict[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"YA_CLIENT_ID": "0d6f3b1e-7c55-4d9e-9a51-2f1a4e6c8b11",
                        "YA_TENANT_ID": "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21",
                        "YA_CHANNEL_AUTH": "user_managed_identity", "YA_GRAPH_AUTH": "user_managed_identity",
                        "YA_GRAPH_BASE_URL": "https://graph.microsoft.com/v1.0",
                        "YA_PUBLIC_URL": "https://yhdessa-aika.example.fi"}.items():
        monkeypatch.setenv(name, value)
    settings = BotSettings()
    assert settings.mode == "production" and not settings.anonymous
    assert settings.host == "0.0.0.0"
