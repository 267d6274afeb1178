"""The teams file names the employers of the network's people and how the bot learns each one's
availability; a file that cannot work is refused at start-up with a message that says where and what."""

from __future__ import annotations

from typing import Any

import pytest

from bot.team_config import ConfigError, parse_team_config
from domain.organisations import CalendarAccess

HOME_TENANT = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"
COUNTY_TENANT = "7a2c1d3e-4b5f-4a6b-8c7d-9e0f1a2b3c4d"


def data() -> dict[str, Any]:
    """A small file: a municipality (home), a county sharing free/busy, an NGO with no calendar."""
    return {
        "default_team": "t",
        "organisations": [
            {"key": "hva", "name": "Hyvinvointialue", "access": "shared_free_busy", "tenant_id": COUNTY_TENANT,
             "domains": ["HVA.example"]},
            {"key": "kunta", "name": "Kunta", "access": "home", "tenant_id": HOME_TENANT,
             "domains": ["kunta.example"]},
            {"key": "ngo", "name": "Ensikoti", "access": "no_calendar", "domains": ["ensikoti.example"]},
        ],
        "teams": [{
            "key": "t", "name": "Tiimi",
            "practice": {"windows": [{"weekday": "tue", "start": "12:00", "end": "15:00"}]},
            "roster": {"neuvola": ["hanna@kunta.example", "satu@hva.example"],
                       "perhetyo": ["eeva@ensikoti.example", "paula@seurakunta.example"]},
            "members": {"satu@hva.example": "Satu Salminen",
                        "paula@seurakunta.example": {"name": "Paula Pesonen", "organisation": "ngo"}},
        }],
    }


def test_members_belong_to_the_organisation_named_or_owning_their_domain_else_the_home_one() -> None:
    config = parse_team_config(data())

    team = config.teams["t"]
    assert [o.key for o in config.organisations] == ["kunta", "hva", "ngo"], "the home organisation first"
    assert team.home.key == "kunta" and team.home.access is CalendarAccess.HOME
    by_email = {m.email: m.organisation for m in team.members}
    assert by_email == {"hanna@kunta.example": "kunta", "satu@hva.example": "hva",
                        "eeva@ensikoti.example": "ngo", "paula@seurakunta.example": "ngo"}
    assert team.member("satu@hva.example").display_name == "Satu Salminen"  # type: ignore[union-attr]
    org = team.organisation_of("someone.else@hva.example")
    assert org is not None and org.key == "hva", "an address at a known domain is that employer's"
    assert team.organisation_of("x@nowhere.example") is None
    assert team.employer("x@nowhere.example") == team.home, "found in our directory: ours"
    assert team.employer("x@nowhere.example", external=True) is None


def test_without_organisations_everyone_is_in_the_home_tenant() -> None:
    plain = data()
    del plain["organisations"]
    plain["teams"][0]["members"] = {}

    team = parse_team_config(plain).teams["t"]

    assert {m.organisation for m in team.members} == {team.home.key}
    assert team.employer("anyone@anywhere.example") == team.home


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["organisations"][0].update({"access": "home"}), "exactly one must have access: home (found 2)"),
    (lambda d: d["organisations"][0].pop("tenant_id"), "organisation hva: access shared_free_busy needs its tenant_id"),
    (lambda d: d["organisations"][2].update({"domains": ["hva.example"]}), "domain hva.example belongs to both"),
    (lambda d: d["organisations"][2].update({"domains": ["@ensikoti.example"]}), "is not an e-mail domain"),
    (lambda d: d["organisations"][1].update({"access": "everything"}), "organisations.1.access"),
    (lambda d: d["teams"][0]["members"].update({"satu@hva.example": {"name": "S", "organisation": "srk"}}),
     "member satu@hva.example: unknown organisation 'srk'"),
])
def test_an_organisation_setup_that_cannot_work_is_refused_naming_it(change: Any, message: str) -> None:
    broken = data()
    change(broken)

    with pytest.raises(ConfigError) as refused:
        parse_team_config(broken, "teams.yaml")

    assert message in str(refused.value)
