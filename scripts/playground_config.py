"""Generate the Agents Playground's ``.m365agentsplayground.yml`` from a sandbox tenant file.

The Microsoft 365 Agents Playground (npm ``@microsoft/m365agentsplayground``) mocks Teams:
who the current user is, the other users, the personal chat, one group chat and one team.
It reads that from ``.m365agentsplayground.yml`` in its working directory (or from the
file named by ``M365_AGENTS_PLAYGROUND_CONFIG_PATH``).  The file's JSON schema is bundled
in the package (``teams-app-test-tool-config/0.1.1``): ``version``, ``tenantId``,
``bot {id, name<=42}``, ``currentUser``, ``users`` (**exactly five**), ``personalChat {id}``,
``groupChat {id, name}``, ``team {id, name, aadGroupId, channels (at most one)}``; a user is
``{id, name, userPrincipleName (sic), aadObjectId, givenName, surname, email}``, nothing else.

The bot maps a Teams user to a Graph user by ``from.aadObjectId``, so every Playground user
gets the Graph ``id`` of a tenant user as ``aadObjectId``.  The current user is the first
user marked ``playground: true`` in the tenant file; the other five users are the other
``playground: true`` users first, then the rest in file order.

Command line: ``python scripts/playground_config.py [--tenant FILE] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from m365_sandbox.core.tenant import default_tenant_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TENANT_FILE = default_tenant_path()
CONFIG_FILE_NAME = ".m365agentsplayground.yml"
CONFIG_VERSION = "0.1.1"
PLAYGROUND_USER_COUNT = 5
BOT_NAME_MAX_LENGTH = 42
DEFAULT_BOT_NAME = "Yhdessä aika"
_NAMESPACE = uuid.UUID("0b6a5c1e-4e0f-4d35-9d51-6a7d3c2f1e10")


class TenantFileError(ValueError):
    """The tenant file does not have the shape the generator needs."""


@dataclass(frozen=True)
class TenantUser:
    """The fields of a tenant user that the Playground needs."""

    id: str
    display_name: str
    given_name: str
    surname: str
    mail: str
    user_principal_name: str
    playground: bool


@dataclass(frozen=True)
class Tenant:
    """A tenant file reduced to what the Playground needs."""

    tenant_id: str
    users: tuple[TenantUser, ...]

    @property
    def current_user(self) -> TenantUser:
        """The Playground's current user: the first ``playground: true`` user."""
        for user in self.users:
            if user.playground:
                return user
        raise TenantFileError("the tenant file marks no user with 'playground: true'")

    def other_users(self) -> list[TenantUser]:
        """The other users, ``playground: true`` ones first, then the rest in file order."""
        current = self.current_user
        others = [user for user in self.users if user.id != current.id]
        return [user for user in others if user.playground] + [user for user in others if not user.playground]


def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise TenantFileError(f"{where}: '{key}' is missing or not a string")
    return value.strip()


def parse_tenant(data: Mapping[str, Any]) -> Tenant:
    """Read the tenant id and users from a parsed tenant YAML document.

    Accepts the tenant id as top-level ``tenantId`` or as ``tenant.id``; a user's
    ``userPrincipalName`` defaults to its ``mail`` (as in the sandbox).
    """
    tenant_id = data.get("tenantId")
    tenant_block = data.get("tenant")
    if tenant_id is None and isinstance(tenant_block, Mapping):
        tenant_id = tenant_block.get("id")
    if not isinstance(tenant_id, str) or not tenant_id:
        raise TenantFileError("the tenant file has neither 'tenantId' nor 'tenant.id'")
    raw_users = data.get("users")
    if not isinstance(raw_users, list) or not raw_users:
        raise TenantFileError("the tenant file has no 'users' list")
    users: list[TenantUser] = []
    for index, item in enumerate(raw_users):
        if not isinstance(item, Mapping):
            raise TenantFileError(f"users[{index}] is not a mapping")
        where = f"users[{index}]"
        user_id = _text(item, "id", where)
        display_name = _text(item, "displayName", where)
        mail = _text(item, "mail", where)
        given = item.get("givenName")
        surname = item.get("surname")
        upn = item.get("userPrincipalName")
        users.append(
            TenantUser(
                id=user_id,
                display_name=display_name,
                given_name=given if isinstance(given, str) and given else display_name.split(" ")[0],
                surname=surname if isinstance(surname, str) and surname else display_name.split(" ")[-1],
                mail=mail,
                user_principal_name=upn if isinstance(upn, str) and upn else mail,
                playground=item.get("playground") is True,
            )
        )
    return Tenant(tenant_id=tenant_id, users=tuple(users))


def load_tenant(path: Path) -> Tenant:
    """Load and parse a tenant YAML file."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, Mapping):
        raise TenantFileError(f"{path}: not a YAML mapping")
    return parse_tenant(data)


def teams_user_id(user_id: str) -> str:
    """The Teams channel account id (``29:...``) used for a Graph user in the Playground."""
    return f"29:{user_id}"


def _stable_id(tenant_id: str, name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{tenant_id}/{name}")


def _playground_user(user: TenantUser) -> dict[str, str]:
    return {
        "id": teams_user_id(user.id),
        "name": user.display_name,
        "userPrincipleName": user.user_principal_name,  # sic: the Playground's schema spells it so
        "aadObjectId": user.id,
        "givenName": user.given_name,
        "surname": user.surname,
        "email": user.mail,
    }


def _filler_user(tenant_id: str, number: int) -> dict[str, str]:
    object_id = str(_stable_id(tenant_id, f"filler-user-{number}"))
    return {
        "id": teams_user_id(object_id),
        "name": f"Testikäyttäjä {number}",
        "userPrincipleName": f"testikayttaja{number}@example.invalid",
        "aadObjectId": object_id,
        "givenName": "Testikäyttäjä",
        "surname": str(number),
        "email": f"testikayttaja{number}@example.invalid",
    }


def build_playground_config(
    tenant: Tenant,
    *,
    bot_name: str = DEFAULT_BOT_NAME,
    bot_id: str | None = None,
    run_id: str = "",
) -> dict[str, Any]:
    """Build the Playground config document (a dict ready for YAML) for ``tenant``.

    ``run_id`` salts the conversation ids (personal chat, group chat, team) so that
    separate test runs do not share conversation state; the default gives stable ids.
    If the tenant has fewer than six users, synthetic users (not in Graph) fill the
    Playground's fixed list of five.
    """
    if len(bot_name) > BOT_NAME_MAX_LENGTH:
        raise ValueError(f"the Playground allows at most {BOT_NAME_MAX_LENGTH} characters in the bot name")
    current = tenant.current_user
    users = [_playground_user(user) for user in tenant.other_users()[:PLAYGROUND_USER_COUNT]]
    number = 1
    while len(users) < PLAYGROUND_USER_COUNT:
        users.append(_filler_user(tenant.tenant_id, number))
        number += 1
    salt = f"{run_id}/" if run_id else ""
    personal = _stable_id(tenant.tenant_id, f"{salt}personal-chat")
    group = _stable_id(tenant.tenant_id, f"{salt}group-chat")
    team = _stable_id(tenant.tenant_id, f"{salt}team")
    channel = _stable_id(tenant.tenant_id, f"{salt}channel")
    return {
        "version": CONFIG_VERSION,
        "tenantId": tenant.tenant_id,
        "bot": {
            "id": bot_id or f"28:{_stable_id(tenant.tenant_id, 'bot')}",
            "name": bot_name,
        },
        "currentUser": _playground_user(current),
        "users": users,
        "personalChat": {"id": f"a:{personal.hex}"},
        "groupChat": {"id": f"19:{group.hex}@thread.v2", "name": "Yhdessä aika -ryhmächat"},
        "team": {
            "id": f"19:{team.hex}@thread.tacv2",
            "name": "Perhekeskustiimi",
            "aadGroupId": str(_stable_id(tenant.tenant_id, f"{salt}team-group")),
            "channels": [{"id": f"19:{channel.hex}@thread.tacv2", "name": "Yhdessä aika"}],
        },
    }


def render_playground_config(config: Mapping[str, Any]) -> str:
    """Render the config document as the YAML text the Playground reads."""
    header = (
        "# Generated by scripts/playground_config.py from the sandbox tenant file: do not edit.\n"
        "# yaml-language-server: $schema=https://aka.ms/teams-app-test-tool-config/0.1.1/config.schema.json\n"
    )
    return header + yaml.safe_dump(dict(config), allow_unicode=True, sort_keys=False)


def write_playground_config(
    tenant_file: Path,
    out: Path,
    *,
    bot_name: str = DEFAULT_BOT_NAME,
    run_id: str = "",
) -> dict[str, Any]:
    """Generate the config for ``tenant_file``, write it to ``out`` and return it."""
    config = build_playground_config(load_tenant(tenant_file), bot_name=bot_name, run_id=run_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_playground_config(config), encoding="utf-8")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: write the Playground config and say who the current user is."""
    parser = argparse.ArgumentParser(description="Generate .m365agentsplayground.yml from a tenant file")
    parser.add_argument("--tenant", type=Path, default=DEFAULT_TENANT_FILE, help="tenant YAML file")
    parser.add_argument("--out", type=Path, default=ROOT / CONFIG_FILE_NAME, help="config file to write")
    parser.add_argument("--bot-name", default=DEFAULT_BOT_NAME)
    args = parser.parse_args(argv)
    config = write_playground_config(args.tenant, args.out, bot_name=args.bot_name)
    user = config["currentUser"]
    print(f"wrote {args.out}: current user {user['name']} (aadObjectId {user['aadObjectId']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
