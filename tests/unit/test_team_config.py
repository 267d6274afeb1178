"""The teams file is validated at start-up with errors that say where and what."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.team_config import ConfigError, load_teams, parse_teams

ROOT = Path(__file__).resolve().parents[2]


def demo_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "config" / "teams.yaml").read_text(encoding="utf-8"))
    return data


def test_demo_configuration_loads_every_role_and_room() -> None:
    teams, default = load_teams(ROOT / "config" / "teams.yaml")
    team = teams[default]
    assert len(team.roles) == 14
    assert all(team.members_with_role(r.key) for r in team.roles), "every role has someone"
    assert {r.capacity for r in team.rooms} == {6, 8, 10, 12}
    assert team.practice.deadline_weekday == 0 and team.practice.deadline_weeks_before == 1


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["teams"][0]["roster"].update({"astrologi": ["a@b.fi"]}), "unknown roles: astrologi"),
    (lambda d: d["teams"][0]["practice"]["windows"][0].update({"start": "25:00"}), "windows.0.start"),
    (lambda d: d["teams"][0]["practice"]["windows"][0].update({"start": "16:00", "end": "15:00"}),
     "ends before it starts"),
    (lambda d: d["teams"][0].update({"timezone": "Europe/Turku"}), "unknown time zone"),
    (lambda d: d.update({"default_team": "muu"}), "default_team 'muu'"),
    (lambda d: d["teams"][0]["rooms"][0].update({"email": "not-an-address"}), "rooms.0.email"),
    (lambda d: d["teams"][0].update({"colour": "blue"}), "colour"),
])
def test_invalid_configuration_fails_fast_with_a_clear_message(change: Any, message: str) -> None:
    data = deepcopy(demo_data())
    change(data)
    with pytest.raises(ConfigError, match=message):
        parse_teams(data, "teams.yaml")


def test_several_teams_are_supported() -> None:
    data = deepcopy(demo_data())
    second = deepcopy(data["teams"][0])
    second["key"] = "naapurila"
    second["name"] = "Naapurilan perhekeskustiimi"
    data["teams"].append(second)
    teams, default = parse_teams(data)
    assert set(teams) == {"esimerkkila", "naapurila"} and default == "esimerkkila"
