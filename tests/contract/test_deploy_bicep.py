"""The infrastructure as code cannot drift from the code: every YA_ setting deploy/main.bicep passes exists.

A misspelt name would be ignored silently (the settings ignore unknown variables) and the bot would start
with a default, e.g. SQLite inside a container instead of the shared Blob state.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.settings import BotSettings

ROOT = Path(__file__).resolve().parents[2]
BICEP = ROOT / "deploy" / "main.bicep"
ENTRY = re.compile(r"\{\s*name:\s*'(YA_[A-Z0-9_]+)'\s*,\s*value:\s*(.+?)\s*\}\s*$", re.MULTILINE)
SETTING_NAMES = {f"YA_{name.upper()}" for name in BotSettings.model_fields}

#: Stand-ins for the values Bicep computes at deployment (identity, tenant, storage endpoint, URL, parameters).
DEPLOYED = {
    "YA_PUBLIC_URL": "https://yhdessa-aika-bot.example.azurecontainerapps.io",
    "YA_CLIENT_ID": "44444444-4444-4444-8444-444444444444",
    "YA_TENANT_ID": "55555555-5555-4555-8555-555555555555",
    "YA_ALLOWED_TENANTS": "55555555-5555-4555-8555-555555555555",
    "YA_BLOB_ACCOUNT_URL": "https://yhdessaaika.blob.core.windows.net/",
    "YA_BLOB_CONTAINER": "yhdessa-aika-state",
    "YA_BLOB_INDEX": "tags",
    "YA_RETENTION_DAYS": "365",
    "YA_GRAPH_CLIENT_ID": "66666666-6666-4666-8666-666666666666",
}


def _entries() -> dict[str, str]:
    """Setting name → its Bicep value expression, from the container's env list."""
    found = ENTRY.findall(BICEP.read_text(encoding="utf-8"))
    names = [name for name, _ in found]
    assert len(names) == len(set(names)), "a setting is passed twice"
    return dict(found)


def test_the_bicep_passes_settings_that_exist() -> None:
    entries = _entries()
    assert len(entries) >= 10, "the env entries were not found: did their form change?"
    unknown = sorted(set(entries) - SETTING_NAMES)
    assert not unknown, f"deploy/main.bicep passes settings the bot does not read: {unknown}"


def test_every_ya_name_in_the_bicep_is_a_setting() -> None:
    """Also names outside the env list (comments, outputs) must not mislead an operator."""
    mentioned = set(re.findall(r"\bYA_[A-Z0-9_]*[A-Z0-9]", BICEP.read_text(encoding="utf-8")))
    assert mentioned - SETTING_NAMES == set()


@pytest.fixture
def deployed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The container's environment as the Bicep sets it, with computed values stood in."""
    for name in [n for n in os.environ if n.startswith("YA_")]:
        monkeypatch.delenv(name)
    for name, expression in _entries().items():
        literal = re.fullmatch(r"'([^']*)'", expression)
        if literal:
            monkeypatch.setenv(name, literal.group(1))
        else:
            assert name in DEPLOYED, f"{name} is computed in the Bicep ({expression}): add a stand-in"
            monkeypatch.setenv(name, DEPLOYED[name])


@pytest.mark.usefixtures("deployed_environment")
def test_the_deployed_settings_are_accepted_as_production_with_blob_state_and_one_identity() -> None:
    settings = BotSettings()
    assert settings.mode == "production" and settings.state_backend == "blob"
    assert settings.channel_credential == "user_managed_identity" and settings.graph_auth == "user_managed_identity"
    assert settings.user_identity_client_id == settings.client_id  # the same identity for Blob state
    assert settings.client_secret is None and settings.certificate_path is None  # no secret anywhere
    assert settings.public_base_url.startswith("https://")


@pytest.mark.usefixtures("deployed_environment")
def test_partner_tenants_are_reached_with_the_graph_app_federated_on_the_identity_without_a_secret() -> None:
    settings = BotSettings()
    assert settings.partner_auth == "federated"
    assert settings.graph_client_id == DEPLOYED["YA_GRAPH_CLIENT_ID"] != settings.client_id, "its own app"
    assert settings.graph_client_secret is None and settings.graph_tenant_id is None


def test_the_partner_settings_are_passed_only_with_a_graph_app() -> None:
    bicep = BICEP.read_text(encoding="utf-8")
    assert "param graphAppClientId string = ''" in bicep
    assert re.search(r"empty\(graphAppClientId\) \? \[\] : \[\s*//[^\n]*\n\s*\{ name: 'YA_GRAPH_CLIENT_ID'", bicep)


def test_the_graph_app_is_multi_tenant_and_trusts_the_identity_through_a_federated_credential() -> None:
    app = (ROOT / "deploy" / "graph-app.bicep").read_text(encoding="utf-8")
    assert "extension 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0:" in app
    assert "signInAudience: 'AzureADMultipleOrgs'" in app
    assert "'federatedIdentityCredentials@v1.0'" in app
    assert "issuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'" in app
    assert "subject: identityPrincipalId" in app and "audiences: ['api://AzureADTokenExchange']" in app
    assert "passwordCredentials" not in app and "keyCredentials" not in app, "no secret, no certificate"
    assert "ef54d2bf-783f-4e0f-bca1-3210c0444d99" in app, "Calendars.ReadWrite (application)"
    assert set(re.findall(r"\bYA_[A-Z0-9_]*[A-Z0-9]", app)) - SETTING_NAMES == set()


def test_the_readme_configuration_reference_names_every_setting() -> None:
    """The county's IT reads the README, not bot/settings.py: a new setting needs its line there."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Configuration reference")
    section = readme[start:readme.index("\n## ", start + 1)]
    documented = set(re.findall(r"\bYA_[A-Z0-9_]*[A-Z0-9]", section))
    assert SETTING_NAMES - documented == set(), "add these to the README's configuration reference"
    assert documented - SETTING_NAMES == set(), "the README documents settings the bot does not read"
