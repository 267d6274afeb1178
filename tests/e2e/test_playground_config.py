"""``scripts/playground_config.py`` writes a config the Agents Playground accepts (no browser needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from scripts.playground_config import (
    DEFAULT_TENANT_FILE,
    TenantFileError,
    build_playground_config,
    load_tenant,
    main,
    parse_tenant,
)

HERE = Path(__file__).resolve().parent
# Copied from the Playground 0.2.28 bundle (dist/index.js, "teams-app-test-tool-config/0.1.1").
SCHEMA = json.loads((HERE / "m365agentsplayground-config.schema.json").read_text(encoding="utf-8"))
SAMPLE_TENANT = HERE / "data" / "sample-tenant.yaml"


def _validate(config: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(SCHEMA).validate(config)
    ids = [config["currentUser"]["id"], *(user["id"] for user in config["users"])]
    assert len(set(ids)) == len(ids), "the Playground rejects duplicate user ids"
    chats = [config["personalChat"]["id"], config["groupChat"]["id"], config["team"]["id"]]
    chats += [channel["id"] for channel in config["team"]["channels"]]
    assert len(set(chats)) == len(chats), "the Playground rejects duplicate conversation ids"


def test_demo_tenant_current_user_is_the_first_playground_user() -> None:
    tenant = load_tenant(DEFAULT_TENANT_FILE)
    config = build_playground_config(tenant)
    _validate(config)
    first = next(user for user in tenant.users if user.playground)
    assert config["currentUser"]["aadObjectId"] == first.id
    assert config["currentUser"]["name"] == first.display_name
    assert config["tenantId"] == tenant.tenant_id
    others = [user["aadObjectId"] for user in config["users"]]
    graph_ids = {user.id for user in tenant.users}
    assert set(others) <= graph_ids and first.id not in others
    # Other near workers come first, so that a group chat has one.
    second = [user for user in tenant.users if user.playground][1:]
    assert others[: len(second)] == [user.id for user in second]


def test_small_tenant_is_filled_up_and_accepts_top_level_tenant_id() -> None:
    config = build_playground_config(load_tenant(SAMPLE_TENANT))
    _validate(config)
    assert config["tenantId"] == "11111111-2222-4333-8444-555555555555"
    assert config["currentUser"]["name"] == "Leena Lähityö"
    assert config["currentUser"]["userPrincipleName"] == "leena@pieni.example"
    names = [user["name"] for user in config["users"]]
    assert names[:2] == ["Olli Opettaja", "Pekka Perhetyö"]
    assert names[2:] == ["Testikäyttäjä 1", "Testikäyttäjä 2", "Testikäyttäjä 3"]


def test_ids_are_stable_and_run_id_changes_conversations() -> None:
    tenant = load_tenant(SAMPLE_TENANT)
    assert build_playground_config(tenant) == build_playground_config(tenant)
    other = build_playground_config(tenant, run_id="run-2")
    assert other["personalChat"] != build_playground_config(tenant)["personalChat"]
    assert other["currentUser"] == build_playground_config(tenant)["currentUser"]


def test_errors_are_clear() -> None:
    with pytest.raises(TenantFileError, match="playground: true"):
        _ = parse_tenant({"tenantId": "t", "users": [{"id": "u", "displayName": "A B", "mail": "a@b"}]}).current_user
    with pytest.raises(TenantFileError, match="tenantId"):
        parse_tenant({"users": []})
    with pytest.raises(TenantFileError, match="'mail'"):
        parse_tenant({"tenantId": "t", "users": [{"id": "u", "displayName": "A B"}]})
    with pytest.raises(ValueError, match="42"):
        build_playground_config(load_tenant(SAMPLE_TENANT), bot_name="x" * 43)


def test_command_line_writes_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / ".m365agentsplayground.yml"
    assert main(["--tenant", str(SAMPLE_TENANT), "--out", str(out)]) == 0
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    _validate(written)
    assert written["version"] == "0.1.1"
    assert "Leena Lähityö" in capsys.readouterr().out
