"""The benchmark's tenant and team: the demo tenant plus enough people and rooms for 20 invitees + 3 rooms.

* 20 roles (``rooli_a`` … ``rooli_t``), one member each: the demo team's 17 members and 3 more; ``rooli_a``
  has a second, ``bench.varajasen``, who is not invited while the first is free and steps in when they decline;
* 3 rooms seating 30 (20 invitees + the convener + the family's 3 seats = 24 fit only these);
* 60 near workers of their own (``bench.worker…``), so simulated users do not contend for one calendar.
"""

from __future__ import annotations

import string
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.harness import ROOT
from m365_sandbox.core.tenant import default_tenant_path

DOMAIN = "esimerkkila.onmicrosoft.com"
ROLE_KEYS = tuple(f"rooli_{letter}" for letter in string.ascii_lowercase[:20])
_NS = uuid.UUID("6f4c6f2e-8a51-4b43-9d3e-0b9f7f1d2a10")


@dataclass(frozen=True)
class BenchTenant:
    """Files and identities the benchmarks use."""

    tenant_file: Path
    teams_file: Path
    workers: tuple[tuple[str, str], ...]  # (Entra object id, display name) of the bench's near workers
    members: tuple[str, ...] = ()  # the team's 20 role members' addresses
    substitute: str = f"bench.varajasen@{DOMAIN}"  # rooli_a's second member


def _id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


def write_bench_tenant(workdir: Path) -> BenchTenant:
    """Writes the tenant YAML (sandbox) and the teams YAML (bot) under ``workdir``."""
    tenant: dict[str, Any] = yaml.safe_load(default_tenant_path().read_text())
    teams: dict[str, Any] = yaml.safe_load((ROOT / "config" / "teams.yaml").read_text())
    team = teams["teams"][0]
    members: list[str] = list(dict.fromkeys(e.lower() for people in team["roster"].values() for e in people))
    extra = [f"bench.jasen{n}@{DOMAIN}" for n in range(1, 21 - len(members) + 1)]
    for email in extra:
        tenant["users"].append({"id": _id(email), "displayName": email.split("@")[0].title(), "mail": email})
    substitute = BenchTenant.substitute
    tenant["users"].append({"id": _id(substitute), "displayName": "Bench Varajasen", "mail": substitute})
    workers = tuple((_id(f"bench.worker{n}"), f"Bench Worker {n}") for n in range(1, 61))
    for object_id, name in workers:
        mail = f"{name.lower().replace(' ', '.')}@{DOMAIN}"
        tenant["users"].append({"id": object_id, "displayName": name, "mail": mail})
    halls = [f"bench.sali{n}@{DOMAIN}" for n in range(1, 4)]
    for n, email in enumerate(halls, 1):
        tenant["rooms"].append({"id": _id(email), "displayName": f"Valtuustosali {n}", "emailAddress": email,
                                "capacity": 30, "isWheelChairAccessible": True, "building": "Kunnantalo"})
    people = [*members, *extra][:20]
    team["roles"] = [{"key": key, "fi": f"Rooli {key[-1].upper()}", "sv": f"Roll {key[-1].upper()}",
                      "en": f"Role {key[-1].upper()}"} for key in ROLE_KEYS]
    team["roster"] = {key: [email] for key, email in zip(ROLE_KEYS, people, strict=True)}
    team["roster"][ROLE_KEYS[0]].append(substitute)
    team["members"] = {**team.get("members", {}), **{e: e.split("@")[0].title() for e in extra},
                       substitute: "Bench Varajasen"}
    team["rooms"] = [*team.get("rooms", []), *({"email": e, "name": f"Valtuustosali {n}", "capacity": 30,
                                                 "wheelchair_accessible": True} for n, e in enumerate(halls, 1))]
    team["contacts"] = {}
    teams["teams"] = [team]
    workdir.mkdir(parents=True, exist_ok=True)
    tenant_file, teams_file = workdir / "bench-tenant.yaml", workdir / "bench-teams.yaml"
    tenant_file.write_text(yaml.safe_dump(tenant, allow_unicode=True, sort_keys=False))
    teams_file.write_text(yaml.safe_dump(teams, allow_unicode=True, sort_keys=False))
    return BenchTenant(tenant_file, teams_file, workers, tuple(people))
