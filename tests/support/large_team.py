"""The large team of ``tests/data/large_team``: its tenant (the demo tenant plus its people and rooms) and
teams file, for tests that need more schedules than getSchedule takes in one request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from m365_sandbox.core.tenant import default_tenant_path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "large_team"
TEAMS_FILE = DATA / "teams.yaml"


def write_large_tenant(workdir: Path) -> Path:
    """Writes the demo tenant with the large team's extra users and rooms under ``workdir``; its path."""
    tenant: dict[str, Any] = yaml.safe_load(default_tenant_path().read_text("utf-8"))
    extra: dict[str, Any] = yaml.safe_load((DATA / "tenant-extra.yaml").read_text("utf-8"))
    tenant["users"] = [*tenant["users"], *extra["users"]]
    tenant["rooms"] = [*tenant["rooms"], *extra["rooms"]]
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "large-tenant.yaml"
    path.write_text(yaml.safe_dump(tenant, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
