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
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from microsoft_agents.authentication.msal import MsalAuth
from pydantic import ValidationError

from bot.bootstrap import Bot, bootstrap
from bot.settings import BotSettings
from bot.tenant_guard import tenant_guard_middleware
from bot.web import create_web_app
from cards.status import notice_card
from m365_sandbox.runner import RunningSandbox, start_sandbox
from tests.integration.conftest import LIISA, ROOT, TENANT, Stack, _serve, free_port
from tests.support.clock import machine_now
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


def _remembered_chats(state_db: Path) -> int:
    with sqlite3.connect(state_db) as db:
        count: int = db.execute("SELECT count(*) FROM documents WHERE collection IN ('conversation', 'chat')"
                                ).fetchone()[0]
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
    runner = web.AppRunner(create_web_app(bot.front), access_log=None)
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
              "exp": int((machine_now() + timedelta(hours=1)).timestamp())}
    payload = _b64(json.dumps(claims).encode())
    secret = json.dumps(s.key.public_jwk()).encode()
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def _without(claims: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in claims.items() if key != name}


def _unsigned(s: Secured) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": s.key.kid}).encode())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID,
              "exp": int((machine_now() + timedelta(hours=1)).timestamp())}
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
        APP_ID, s.connector_url, now=machine_now() - timedelta(hours=2))),
    "wrong audience": lambda s: "Bearer " + s.token(aud=OTHER_APP_ID),
    "audience as a list": lambda s: "Bearer " + s.token(aud=[APP_ID, OTHER_APP_ID]),
    "wrong issuer": lambda s: "Bearer " + s.token(iss="https://login.example.com/bots"),
    "Entra issuer of our tenant, tid of another": lambda s: "Bearer " + s.token(
        iss=f"https://login.microsoftonline.com/{HOME_TENANT}/v2.0", tid=OTHER_TENANT),
    "another app's Entra token for our app id": lambda s: "Bearer " + s.token(
        iss=f"https://login.microsoftonline.com/{HOME_TENANT}/v2.0", tid=HOME_TENANT, ver="2.0", azp=OTHER_APP_ID),
    "HS256 with the public key": lambda s: "Bearer " + _hs256_with_public_key(s),
    "alg none": lambda s: "Bearer " + _unsigned(s),
    # PyJWT checks exp only when it is there: a token without one would be good for ever.
    "no expiry": lambda s: "Bearer " + s.key.sign(_without(channel_claims(APP_ID, s.connector_url), "exp")),
    # Channel validation: the token names the connector the bot may answer; none named, none trusted.
    "no serviceurl claim": lambda s: "Bearer " + s.key.sign(_without(channel_claims(APP_ID, s.connector_url),
                                                                     "serviceurl")),
    "serviceurl claim of another connector": lambda s: "Bearer " + s.token(serviceurl="https://smba.example.net/"),
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


async def test_a_valid_token_for_another_connector_sends_nothing_there(secured: Secured) -> None:
    """A genuine token, an activity naming another serviceUrl: the bot would have sent its own outbound token
    and the reply card there. Now 401, and the other address hears nothing."""
    other = RecordingConnector()
    other_runner, other_url = await _serve(other.app())
    try:
        activity = secured.activity(text="ohje", serviceUrl=other_url)
        status, body, challenge = await secured.post(activity, f"Bearer {secured.token()}")
    finally:
        await other_runner.cleanup()
    assert status == 401, body
    assert challenge == "Bearer"
    assert other.sent == [] and secured.connector.sent == []
    assert secured.outbound_tokens == []
    assert secured.stored() == 0


@pytest.mark.parametrize("claim", ["{url}/", "{upper}", "{upper}/"])
async def test_serviceurl_claim_matches_ignoring_case_and_a_trailing_slash(secured: Secured, claim: str) -> None:
    url = secured.connector_url
    token = secured.token(serviceurl=claim.format(url=url, upper=url.upper()))
    status, body, _ = await secured.post(secured.activity(text="ohje"), f"Bearer {token}")
    assert status == 202, body
    assert len(secured.connector.cards()) == 1


@pytest.mark.parametrize("tail", ["?x=1", "/?", "#fragment", "/v3#", "?a=b#c"])
async def test_service_url_with_a_query_or_fragment_gets_400(secured: Secured, tail: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    service_url = secured.connector_url + tail
    activity = secured.activity(text="ohje", serviceUrl=service_url)
    status, body, _ = await secured.post(activity, f"Bearer {secured.token(serviceurl=service_url)}")
    assert status == 400, body
    assert secured.connector.sent == [] and secured.outbound_tokens == [] and secured.stored() == 0
    assert "Traceback" not in caplog.text


async def test_deeply_nested_body_with_a_valid_token_gets_400(secured: Secured,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    async with aiohttp.ClientSession() as session, session.post(
            secured.url, data=body, headers={"Authorization": f"Bearer {secured.token()}",
                                             "Content-Type": "application/json"}) as r:
        status = r.status
    assert status == 400
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert secured.connector.sent == [] and secured.stored() == 0


@pytest.mark.parametrize("length", [5_000, 8_100, 9_000, 70_000])
async def test_an_over_long_authorization_header_is_a_quiet_400(secured: Secured, length: int,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """Under aiohttp's 8190-byte field limit our middleware answers; over it aiohttp's parser does, and logs
    the refusal with a traceback and the header's first bytes unless bot.safe_logging quiets it."""
    caplog.set_level(logging.DEBUG)
    token = "SENTINELTOKEN" + secured.token() * (length // 600)
    token = token[:length]
    status, body, _ = await secured.post(secured.activity(text="ohje"), f"Bearer {token}")
    assert status == 400, (status, body[:200])
    assert "SENTINELTOKEN" not in caplog.text and token[-200:] not in caplog.text
    assert "Traceback" not in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert secured.connector.sent == [] and secured.stored() == 0


async def test_a_token_naming_a_new_connector_vouches_for_a_new_personal_chat(secured: Secured) -> None:
    """The kept personal chat moves only on the channel's word: here a token whose serviceurl names the new
    address (another host), for the same user, channel and tenant (bot/proactive.py's rule)."""
    status, _, _ = await secured.post(secured.activity(text="ohje"), f"Bearer {secured.token()}")
    assert status == 202
    moved = secured.connector_url.replace("127.0.0.1", "localhost")
    activity = secured.activity(text="ohje", serviceUrl=moved)
    activity["conversation"]["id"] = "a:personal-chat-2"
    status, _, _ = await secured.post(activity, f"Bearer {secured.token(serviceurl=moved)}")
    assert status == 202
    assert await secured.bot.messenger.send(LIISA, notice_card("Muistutus", "fi"))
    assert secured.connector.sent[-1]["_conversation"] == "a:personal-chat-2"


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


@pytest.mark.parametrize(("body", "content_type"), [
    (b"[" * 100_000 + b"]" * 100_000, "application/json"),   # RecursionError, not a ValueError
    (b'{"type": "message"}', "application/json; charset=no-such-charset"),  # LookupError
    (b"\xff\xfe{", "application/json"),                        # UnicodeDecodeError
    (b"[1, 2]", "application/json"),                           # JSON, but no activity
], ids=["100 000 deep", "unknown charset", "not UTF-8", "a list"])
async def test_the_tenant_guard_answers_400_for_any_body_it_cannot_parse(
        body: bytes, content_type: str, caplog: pytest.LogCaptureFixture) -> None:
    """The guard on its own (behind the token check it never sees these): a 400, never a 500 with a traceback."""
    reached: list[str] = []

    async def handler(_: web.Request) -> web.Response:
        reached.append("handler")
        return web.Response(status=202)

    app = web.Application(middlewares=[tenant_guard_middleware([HOME_TENANT])])
    app.router.add_post("/messages", handler)
    runner, base = await _serve(app)
    try:
        async with aiohttp.ClientSession() as session, session.post(
                f"{base}/messages", data=body, headers={"Content-Type": content_type}) as r:
            status = r.status
    finally:
        await runner.cleanup()
    assert status == 400
    assert reached == []
    assert "Traceback" not in caplog.text


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
              "graph_base_url": "https://graph.microsoft.com/v1.0", "public_url": "https://yhdessa-aika.example.fi"}
REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "no client id": ({"client_id": None}, "production mode requires YA_CLIENT_ID"),
    "no tenant id": ({"tenant_id": None}, "production mode requires YA_TENANT_ID"),
    "no credentials at all": ({"client_id": None, "tenant_id": None, "client_secret": None, "graph_auth": "none"},
                              "production mode requires YA_CLIENT_ID, YA_TENANT_ID"),
    "no Graph credential": ({"graph_auth": "none"}, "production mode requires YA_GRAPH_AUTH"),
    "http Graph": ({"graph_base_url": "http://127.0.0.1:3979/v1.0"}, "production mode requires an https"),
    "local key server": ({"openid_metadata_url": "http://127.0.0.1:1/openid"},
                         "YA_OPENID_METADATA_URL is for local tests only"),
    # Graph delivers change notifications to https only; card images on http are blocked in Teams.
    "http public URL": ({"public_url": "http://yhdessa-aika.example.fi"},
                        "production mode requires an https YA_PUBLIC_URL"),
    "no public URL": ({"public_url": None}, "production mode requires an https YA_PUBLIC_URL"),
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


# --- anonymous mode (no YA_CLIENT_ID): the local Playground only ---------------------------------------

@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "bot.example.fi", "localhost.example.fi"])
def test_anonymous_mode_refuses_a_non_loopback_host(host: str) -> None:
    with pytest.raises(ValidationError, match="YA_HOST") as raised:
        BotSettings(host=host)
    assert "YA_CLIENT_ID" in str(raised.value)
    assert host not in str(raised.value).replace("YA_HOST", "")  # the variable is named, not its value


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1"])
def test_anonymous_mode_starts_on_loopback(host: str) -> None:
    assert BotSettings(host=host).anonymous


@pytest.mark.usefixtures("clean_env")
def test_with_an_app_id_any_host_is_accepted() -> None:
    settings = BotSettings(host="0.0.0.0", client_id=APP_ID, tenant_id=HOME_TENANT, client_secret=CLIENT_SECRET)
    assert not settings.anonymous


def test_python_m_bot_refuses_anonymous_mode_on_all_interfaces(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "YA_HOST": "0.0.0.0",
           "YA_PORT": str(free_port()), "YA_STATE_DB": str(tmp_path / "bot.db")}
    done = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("yhdessa-aika: invalid settings:")
    assert "YA_HOST" in done.stderr and "YA_CLIENT_ID" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bot.db").exists()


@pytest.mark.parametrize("service_url", [
    "https://smba.trafficmanager.net/emea/",  # Teams' own connector: not for an anonymous bot
    "http://192.0.2.10:9/",                   # any other machine
    "http://{port}.example.fi:{port}/",       # a name, however it resolves
    "http://2130706433:{port}/",              # 127.0.0.1 as one number: resolves to loopback, is not a literal
])
async def test_anonymous_mode_answers_loopback_connectors_only(stack: Stack, service_url: str) -> None:
    port = stack.user.connector_url.rsplit(":", 1)[1]
    activity = stack.user._activity(type="message", text="ohje", serviceUrl=service_url.format(port=port))
    status, body = await stack.user.post(activity)
    assert status == 401, body
    assert stack.connector.sent == []
    assert _remembered_chats(stack.tmp / "bot.db") == 0  # nothing remembered either


@pytest.mark.parametrize("tail", ["?x=1", "#f", "/v3#"])
async def test_anonymous_mode_refuses_a_service_url_with_a_query_or_fragment(stack: Stack, tail: str) -> None:
    activity = stack.user._activity(type="message", text="ohje", serviceUrl=stack.user.connector_url + tail)
    status, body = await stack.user.post(activity)
    assert status == 400, body
    assert stack.connector.sent == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LocalHost"])
async def test_anonymous_mode_answers_a_loopback_connector(stack: Stack, host: str) -> None:
    port = stack.user.connector_url.rsplit(":", 1)[1]
    activity = stack.user._activity(type="message", text="ohje", serviceUrl=f"http://{host}:{port}")
    status, _ = await stack.user.post(activity)
    assert status == 202
    assert len(stack.connector.cards()) == 1
