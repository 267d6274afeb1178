"""Fault injection for /v1.0 requests: latency, throttling (429), outages (503), dropped connections."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any, Literal

Fault = Literal["drop", "429", "503"]
_FIELDS = {
    "latencyMs": "latency_ms",
    "p429": "p429",
    "p503": "p503",
    "pDrop": "p_drop",
    "retryAfterSeconds": "retry_after_seconds",
    "seed": "seed",
    "pathContains": "path_contains",
    "method": "method",
}


class FaultConfigError(ValueError):
    """A fault setting is out of range or of the wrong type."""


@dataclass(frozen=True)
class FaultConfig:
    """Fault settings; probabilities are per request, drawn in the order drop, 429, 503."""

    latency_ms: int = 0
    p429: float = 0.0
    p503: float = 0.0
    p_drop: float = 0.0
    retry_after_seconds: int = 1
    seed: int | None = None
    # Targeting: latency and faults only for requests whose path contains this text (e.g. "/invite")
    # and, when set, with this HTTP method; None: every /v1.0 request.
    path_contains: str | None = None
    method: str | None = None

    def applies_to(self, method: str, path: str) -> bool:
        """Whether the settings target this request."""
        if self.path_contains is not None and self.path_contains not in path:
            return False
        return self.method is None or self.method.upper() == method.upper()

    def __post_init__(self) -> None:
        for name in ("p429", "p503", "p_drop"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise FaultConfigError(f"{name} must be between 0 and 1, got {value}")
        if self.latency_ms < 0 or self.retry_after_seconds < 0:
            raise FaultConfigError("latencyMs and retryAfterSeconds must not be negative")

    def to_json(self) -> dict[str, Any]:
        """The admin API's JSON form (camelCase keys)."""
        return {key: getattr(self, attr) for key, attr in _FIELDS.items()}

    def merged(self, changes: dict[str, Any]) -> FaultConfig:
        """A copy with the JSON ``changes`` applied; keys not given keep their values."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise FaultConfigError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for key, value in changes.items():
            attr = _FIELDS[key]
            if attr in {"path_contains", "method"}:
                if value is not None and (not isinstance(value, str) or not value):
                    raise FaultConfigError(f"{key} must be a non-empty string or null")
                values[attr] = value
            elif attr == "seed":
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise FaultConfigError("seed must be an integer or null")
                values[attr] = value
            elif attr in {"latency_ms", "retry_after_seconds"}:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise FaultConfigError(f"{key} must be an integer")
                values[attr] = value
            else:
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise FaultConfigError(f"{key} must be a number")
                values[attr] = float(value)
        return replace(self, **values)


class FaultInjector:
    """Decides, request by request, whether to inject a fault (seeded when ``seed`` is set)."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.config = config or FaultConfig()
        self._random = random.Random(self.config.seed)  # noqa: S311 - not crypto

    def configure(self, config: FaultConfig) -> None:
        """Replace the settings (and restart the random sequence from the seed)."""
        self.config = config
        self._random = random.Random(config.seed)  # noqa: S311 - not crypto

    def decide(self) -> Fault | None:
        """The fault for the next request, if any."""
        config = self.config
        if not (config.p_drop or config.p429 or config.p503):
            return None
        draw = self._random.random()
        if draw < config.p_drop:
            return "drop"
        if draw < config.p_drop + config.p429:
            return "429"
        if draw < config.p_drop + config.p429 + config.p503:
            return "503"
        return None
