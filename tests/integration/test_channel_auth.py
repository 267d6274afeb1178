"""Identity and access on /api/messages, over real HTTP on loopback ports (no network).

The bot runs with credentials (YA_CLIENT_ID, YA_TENANT_ID) and YA_OPENID_METADATA_URL pointing at a
local OpenID configuration whose JWKS holds locally made RSA keys; the SDK's MSAL token acquisition
for the bot's replies is stubbed (it would call login.microsoftonline.com).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from microsoft_agents.authentication.msal import MsalAuth
from pydantic import ValidationError

from bot.bootstrap import Bot, bootstrap
from bot.settings import BotSettings
from bot.web import create_web_app
from sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import LIISA, ROOT, TENANT, Stack, _serve, free_port
from tests.support.connector import RecordingConnector
from tests.support.jwt_keys import LocalOpenIdServer, SigningKey, channel_claims

APP_ID = "0d6f3b1e-7c55-4d9e-9a51-2f1a4e6c8b11"
OTHER_APP_ID = "7a0c2d4e-1111-4a2b-8c3d-9e8f7a6b5c4d"
#: The municipality's tenant (the one tests/support/teams_client.py's activities come from).
HOME_TENANT = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"
OTHER_TENANT = "9d3c2b1a-8f7e-4d6c-b5a4-3e2f1d0c9b8a"
CLIENT_SECRET = "local-test-secret-value-42"  # a stand-in: MSAL is stubbed and never sees it
REFUSAL_TEXT = ("Traceback", "KeyError", "Signature", "Expired", "audience", "issuer", "Decode")


@dataclass
class Secured:
    """The bot with credentials, its connector and the local key server."""

    bot: Bot
    url: str
    connector: RecordingConnector
    connector_url: str
    key: SigningKey
    openid: LocalOpenIdServer
    state_db: Path
    outbound_tokens: list[str] = field(default_factory=list)

    def token(self, **overrides: Any) -> str:
        """A valid channel token, or one with some claims overridden."""
        return self.key.sign({**channel_claims(APP_ID, self.connector_url), **overrides})

    def activity(self, *, text: str = "ohje", tenant: str | None = HOME_TENANT,
                 channel_tenant: str | None = None, **extra: Any) -> dict[str, Any]:
        """A Teams personal-chat message from Liisa (tenant in conversation and channelData)."""
        conversation: dict[str, Any] = {"id": "a:personal-chat-1", "conversationType": "personal"}
        if tenant is not None:
            conversation["tenantId"] = tenant
        channel_data = {"tenant": {"id": channel_tenant or tenant}} if (channel_tenant or tenant) else {}
        return {"type": "message", "id": "in-1", "channelId": "msteams", "serviceUrl": self.connector_url,
                "from": {"id": f"29:{LIISA}", "name": "Liisa Lähinen", "aadObjectId": LIISA},
                "recipient": {"id": f"28:{APP_ID}", "name": "Yhdessä aika"}, "conversation": conversation,
                "channelData": channel_data, "locale": "fi-FI", "timestamp": "2026-11-22T09:00:00Z",
                "text": text, **extra}

    async def post(self, activity: dict[str, Any], authorization: str | None) -> tuple[int, str, str | None]:
        """Status, body text and WWW-Authenticate of one POST to /api/messages."""
        headers = {"Authorization": authorization} if authorization is not None else {}
        async with aiohttp.ClientSession() as session, session.post(self.url, json=activity, headers=headers) as r:
            return r.status, await r.text(), r.headers.get("WWW-Authenticate")

    def stored(self) -> int:
        """How many documents the bot has stored (conversation references, convenings, …)."""
        with sqlite3.connect(self.state_db) as db:
            count: int = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            return count


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No YA_ variables from the developer's shell leak into a settings test."""
    for name in list(os.environ):
        if name.startswith("YA_"):
            monkeypatch.delenv(name)
    yield


async def start_secured_bot(sandbox: RunningSandbox, state_db: Path, metadata_url: str,
                            allowed_tenants: tuple[str, ...]) -> tuple[Bot, web.AppRunner, str]:
    """The bot as in production, but with credentials, the local key server and an allow-list."""
    port = free_port()
    settings = BotSettings(graph_base_url=sandbox.base_url, state_db=state_db,
                           teams_file=ROOT / "config" / "teams.yaml", stars_dir=ROOT / "config" / "stars",
                           port=port, client_id=APP_ID, tenant_id=HOME_TENANT, client_secret=CLIENT_SECRET,
                           openid_metadata_url=metadata_url, allowed_tenants=allowed_tenants)
    bot = bootstrap(settings)
    runner = web.AppRunner(create_web_app(bot, run_scheduler=False), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return bot, runner, f"http://127.0.0.1:{port}/api/messages"


@pytest.fixture
async def secured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Secured]:
    outbound: list[str] = []

    async def local_token(_: MsalAuth, resource_url: str, scopes: list[str], force_refresh: bool = False) -> str:
        outbound.append(resource_url)
        return "local-outbound-token"

    # The bot's own token for its replies comes from Entra through MSAL: stubbed, never the network.
    monkeypatch.setattr(MsalAuth, "get_access_token", local_token)
    key = SigningKey.generate()
    openid = await LocalOpenIdServer([key]).start()
    sandbox = await start_sandbox(TENANT, tmp_path / "sandbox.db")
    connector = RecordingConnector()
    connector_runner, connector_url = await _serve(connector.app())
    bot, bot_runner, bot_url = await start_secured_bot(sandbox, tmp_path / "bot.db", openid.metadata_url,
                                                       (HOME_TENANT.upper(),))
    try:
        yield Secured(bot, bot_url, connector, connector_url, key, openid, tmp_path / "bot.db", outbound)
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await sandbox.close()
        await openid.close()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_public_key(s: Secured) -> str:
    """Algorithm confusion: HS256 'signed' with the RSA public key as the HMAC secret."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": s.key.kid}).encode())
    claims = {**channel_claims(APP_ID, s.connector_url), "nbf": 0, "iat": 0,
              "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp())}
    payload = _b64(json.dumps(claims).encode())
    secret = json.dumps(s.key.public_jwk()).encode()
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _unsigned(s: Secured) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": s.key.kid}).encode())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID,
              "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp())}
    return f"{header}.{_b64(json.dumps(claims).encode())}."


AUTHORIZATIONS: dict[str, Callable[[Secured], str | None]] = {
    "no token": lambda s: None,
    "empty header": lambda s: "",
    "not a bearer token": lambda s: "Basic bGlpc2E6c2FsYXNhbmE=",
    "bearer without token": lambda s: "Bearer",
    "not a JWT": lambda s: "Bearer not-a-jwt",
    "forged (another key, same kid)": lambda s: "Bearer " + SigningKey.generate(s.key.kid).sign(
        channel_claims(APP_ID, s.connector_url)),
    "unknown key id": lambda s: "Bearer " + SigningKey.generate().sign(channel_claims(APP_ID, s.connector_url)),
    "no key id (a 500 in the SDK's middleware)": lambda s: "Bearer " + s.key.sign(
        channel_claims(APP_ID, s.connector_url), kid=False),
    "expired": lambda s: "Bearer " + s.key.sign(channel_claims(
        APP_ID, s.connector_url, now=datetime.now(UTC) - timedelta(hours=2))),
    "wrong audience": lambda s: "Bearer " + s.token(aud=OTHER_APP_ID),
    "audience as a list": lambda s: "Bearer " + s.token(aud=[APP_ID, OTHER_APP_ID]),
    "wrong issuer": lambda s: "Bearer " + s.token(iss="https://login.example.com/bots"),
    "Entra issuer of our tenant, tid of another": lambda s: "Bearer " + s.token(
        iss=f"https://login.microsoftonline.com/{HOME_TENANT}/v2.0", tid=OTHER_TENANT),
    "another app's Entra token for our app id": lambda s: "Bearer " + s.token(
        iss=f"https://login.microsoftonline.com/{HOME_TENANT}/v2.0", tid=HOME_TENANT, ver="2.0", azp=OTHER_APP_ID),
    "HS256 with the public key": lambda s: "Bearer " + _hs256_with_public_key(s),
    "alg none": lambda s: "Bearer " + _unsigned(s),
}


@pytest.mark.parametrize("case", list(AUTHORIZATIONS))
async def test_invalid_tokens_get_401_and_nothing_runs(secured: Secured, case: str,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    authorization = AUTHORIZATIONS[case](secured)
    before = secured.stored()
    status, body, challenge = await secured.post(secured.activity(), authorization)
    assert status == 401, (case, status, body)
    assert challenge == "Bearer"
    assert json.loads(body) == {"error": "Invalid token or authentication failed."}
    assert not any(word.lower() in body.lower() for word in REFUSAL_TEXT)
    assert secured.connector.sent == []
    assert secured.stored() == before
    assert secured.outbound_tokens == []
    if authorization and " " in authorization:
        assert authorization.split(" ", 1)[1] not in caplog.text  # the token never reaches the log


async def test_valid_token_gets_through(secured: Secured) -> None:
    status, _, _ = await secured.post(secured.activity(text="ohje"), f"Bearer {secured.token()}")
    assert status == 202
    assert len(secured.connector.cards()) == 1  # the help card, sent with the bot's own (stubbed) token
    assert secured.outbound_tokens  # an authenticated turn: the reply asked MSAL, not the anonymous provider
    assert secured.stored() == 1  # the conversation reference
    assert secured.openid.requests[0].endswith("openidconfiguration")


async def test_valid_token_for_a_card_action_gets_the_card(secured: Secured) -> None:
    invoke = secured.activity(type="invoke", name="adaptiveCard/action", text=None,
                              value={"action": {"type": "Action.Execute", "verb": "help.show", "data": {}}})
    async with aiohttp.ClientSession() as session, session.post(
            secured.url, json=invoke, headers={"Authorization": f"Bearer {secured.token()}"}) as r:
        assert r.status == 200
        body = await r.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"


async def test_token_is_checked_before_the_tenant(secured: Secured) -> None:
    status, _, _ = await secured.post(secured.activity(tenant=OTHER_TENANT), None)
    assert status == 401


@pytest.mark.parametrize(("tenant", "channel_tenant"), [
    (OTHER_TENANT, None),                  # another tenant in both places
    (HOME_TENANT, OTHER_TENANT),           # conversation and channelData disagree
    (None, None),                          # no tenant at all
])
async def test_other_tenants_are_refused_before_any_handler(secured: Secured, caplog: pytest.LogCaptureFixture,
                                                            tenant: str | None, channel_tenant: str | None) -> None:
    caplog.set_level(logging.INFO)
    activity = secured.activity(text="uusi", tenant=tenant, channel_tenant=channel_tenant)
    status, body, _ = await secured.post(activity, f"Bearer {secured.token()}")
    assert status == 403, body
    assert json.loads(body) == {"error": "This tenant is not served by this bot."}
    assert secured.connector.sent == []
    assert secured.stored() == 0
    assert secured.outbound_tokens == []
    refusals = [r.getMessage() for r in caplog.records if r.name == "bot.tenant_guard"]
    assert len(refusals) == 1
    shown = OTHER_TENANT if tenant == OTHER_TENANT else "(missing, conflicting or malformed)"
    assert refusals[0] == f"Activity refused: tenant {shown} is not in YA_ALLOWED_TENANTS."
    for private in ("Liisa", LIISA, "uusi", "personal-chat"):
        assert private not in caplog.text


async def test_card_action_from_another_tenant_is_refused(secured: Secured) -> None:
    invoke = secured.activity(type="invoke", name="adaptiveCard/action", text=None, tenant=OTHER_TENANT,
                              value={"action": {"type": "Action.Execute", "verb": "convening.start", "data": {}}})
    status, _, _ = await secured.post(invoke, f"Bearer {secured.token()}")
    assert status == 403
    assert secured.stored() == 0


async def test_allowed_tenant_gets_through(secured: Secured) -> None:
    status, _, _ = await secured.post(secured.activity(text="ohje"), f"Bearer {secured.token()}")
    assert status == 202
    assert len(secured.connector.cards()) == 1


async def test_without_an_allow_list_any_tenant_is_served(stack: Stack) -> None:
    activity = stack.user._activity(type="message", text="ohje")
    activity["conversation"]["tenantId"] = OTHER_TENANT
    status, _ = await stack.user.post(activity)
    assert status == 202
    assert len(stack.connector.cards()) == 1


# --- configuration ---------------------------------------------------------------------------------

PRODUCTION = {"mode": "production", "client_id": APP_ID, "tenant_id": HOME_TENANT,
              "client_secret": CLIENT_SECRET, "graph_auth": "client_secret",
              "graph_base_url": "https://graph.microsoft.com/v1.0"}
REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "no client id": ({"client_id": None}, "production mode requires YA_CLIENT_ID"),
    "no tenant id": ({"tenant_id": None}, "production mode requires YA_TENANT_ID"),
    "no credentials at all": ({"client_id": None, "tenant_id": None, "client_secret": None, "graph_auth": "none"},
                              "production mode requires YA_CLIENT_ID, YA_TENANT_ID"),
    "no Graph credential": ({"graph_auth": "none"}, "production mode requires YA_GRAPH_AUTH"),
    "http Graph": ({"graph_base_url": "http://127.0.0.1:3979/v1.0"}, "production mode requires an https"),
    "local key server": ({"openid_metadata_url": "http://127.0.0.1:1/openid"},
                         "YA_OPENID_METADATA_URL is for local tests only"),
}


def _env(values: dict[str, Any]) -> dict[str, str]:
    return {f"YA_{name.upper()}": str(value) for name, value in values.items() if value is not None}


@pytest.mark.usefixtures("clean_env")
def test_production_settings_with_credentials_are_accepted() -> None:
    settings = BotSettings(**PRODUCTION)
    assert not settings.anonymous
    assert settings.openid_metadata_url is None  # Microsoft's keys


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("case", list(REFUSALS))
def test_production_settings_refuse_without_credentials(case: str) -> None:
    change, message = REFUSALS[case]
    with pytest.raises(ValidationError, match=message) as raised:
        BotSettings(**{**PRODUCTION, **change})
    assert CLIENT_SECRET not in str(raised.value)


@pytest.mark.parametrize("case", list(REFUSALS))
def test_python_m_bot_refuses_to_start_in_production_without_credentials(case: str, tmp_path: Path) -> None:
    change, message = REFUSALS[case]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **_env({**PRODUCTION, **change}),
           "YA_PORT": str(free_port()), "YA_STATE_DB": str(tmp_path / "bot.db")}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("yhdessa-aika: invalid settings:")
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert CLIENT_SECRET not in done.stderr + done.stdout
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.usefixtures("clean_env")
def test_allowed_tenants_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YA_ALLOWED_TENANTS", f"{HOME_TENANT.upper()}, {OTHER_TENANT}")
    assert BotSettings().allowed_tenants == (HOME_TENANT, OTHER_TENANT)
    monkeypatch.setenv("YA_ALLOWED_TENANTS", json.dumps([OTHER_TENANT]))
    assert BotSettings().allowed_tenants == (OTHER_TENANT,)
    monkeypatch.setenv("YA_ALLOWED_TENANTS", "esimerkkila.onmicrosoft.com")
    with pytest.raises(ValidationError, match="is not an Entra tenant id"):
        BotSettings()


@pytest.mark.usefixtures("clean_env")
def test_openid_metadata_url_must_be_http() -> None:
    with pytest.raises(ValidationError, match="must be an http"):
        BotSettings(openid_metadata_url="file:///etc/passwd")
