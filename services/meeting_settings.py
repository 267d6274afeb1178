"""The meeting practice a deployment configures (settings: YA_WARN_MINUTES, YA_RETENTION_DAYS, …)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MeetingSettings:
    """Team-wide meeting practice (from configuration)."""

    warn_minutes: int = 20
    retention_days: int = 365
    reminder_hours: int = 24
    drive_folder: str = "Yhdessä aika"
    default_star: str = "lape-pohjois-savo"

