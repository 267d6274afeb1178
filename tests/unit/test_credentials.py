"""The bot's credentials: which settings are refused at start-up, and what bootstrap builds from the rest.

Two connections need a credential: the Bot Framework channel (the Agents SDK's MSAL provider) and Graph
(azure-identity). Each combination a county may use is accepted and builds the right credential type; a
combination that cannot work is refused before anything starts, naming the variables but never a secret.
Nothing here reaches the internet: managed identities are served by a local stand-in for the Container Apps
identity endpoint, and MSAL's tenant discovery is answered locally.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msal.authority  # type: ignore[import-untyped]
import pytest
from aiohttp import web
from azure.identity.aio import CertificateCredential, ClientSecretCredential, ManagedIdentityCredential
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from microsoft_agents.authentication.msal import MsalAuth
from msal import ConfidentialClientApplication, ManagedIdentityClient
from pydantic import ValidationError

from bot.bootstrap import Bot, bootstrap
from bot.credentials import channel_auth_configuration, partner_credential
from bot.settings import BotSettings
from tests.support.clock import machine_now

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "11111111-1111-4111-8111-111111111111"
TENANT = "22222222-2222-4222-8222-222222222222"
IDENTITY = "33333333-3333-4333-8333-333333333333"  # a user-assigned identity other than the app
SECRET = "unit-test-secret-value-7"
PASSWORD = "unit-test-certificate-password"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No YA_ or managed-identity variables from the developer's shell leak into a test."""
    for name in list(os.environ):
        if name.startswith("YA_") or name in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT",
                                              "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_CLIENT_ID"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A self-signed certificate as a password-less .pfx (channel and Graph) and an encrypted .pem (Graph)."""
    folder = tmp_path_factory.mktemp("certificates")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "yhdessa-aika-test")])
    now = machine_now()  # certificate validity is checked against the machine's time
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    pfx = folder / "bot.pfx"
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"bot", key, cert, None, serialization.NoEncryption()))
    pem = folder / "bot.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.BestAvailableEncryption(PASSWORD.encode()))
                    + cert.public_bytes(serialization.Encoding.PEM))
    return {"pfx": pfx, "pem": pem}


def _settings(tmp_path: Path, **values: Any) -> BotSettings:
    return BotSettings(state_db=tmp_path / "bot.db", teams_file=ROOT / "config" / "teams.yaml",
                       stars_dir=ROOT / "config" / "stars", **values)


# --- accepted combinations: what bootstrap builds -----------------------------------------------------

# name → (settings, the channel's MSAL client (None: anonymous), the Graph credential type (None: anonymous))
ACCEPTED: dict[str, tuple[dict[str, Any], type | None, type | None]] = {
    "sandbox (anonymous)": ({}, None, None),
    "client secret for the channel (as before)": (
        {"client_id": APP_ID, "tenant_id": TENANT, "client_secret": SECRET}, ConfidentialClientApplication, None),
    "client secret for both": (
        {"client_id": APP_ID, "tenant_id": TENANT, "client_secret": SECRET, "channel_auth": "client_secret",
         "graph_auth": "client_secret"}, ConfidentialClientApplication, ClientSecretCredential),
    "certificate for both": (
        {"client_id": APP_ID, "tenant_id": TENANT, "certificate_path": "pfx", "channel_auth": "certificate",
         "graph_auth": "certificate"}, ConfidentialClientApplication, CertificateCredential),
    "client secret for the channel, encrypted PEM certificate for Graph": (
        {"client_id": APP_ID, "tenant_id": TENANT, "client_secret": SECRET, "certificate_path": "pem",
         "certificate_password": PASSWORD, "graph_auth": "certificate"},
        ConfidentialClientApplication, CertificateCredential),
    "user-assigned identity for both (Azure Bot UserAssignedMSI)": (
        {"client_id": IDENTITY, "tenant_id": TENANT, "channel_auth": "user_managed_identity",
         "graph_auth": "user_managed_identity"}, ManagedIdentityClient, ManagedIdentityCredential),
    "system-assigned identity for both": (
        {"client_id": APP_ID, "tenant_id": TENANT, "channel_auth": "system_managed_identity",
         "graph_auth": "system_managed_identity"}, ManagedIdentityClient, ManagedIdentityCredential),
    "app secret for the channel, user-assigned identity for Graph": (
        {"client_id": APP_ID, "tenant_id": TENANT, "client_secret": SECRET, "graph_auth": "user_managed_identity",
         "managed_identity_client_id": IDENTITY}, ConfidentialClientApplication, ManagedIdentityCredential),
    "production with a user-assigned identity": (
        {"mode": "production", "client_id": IDENTITY, "tenant_id": TENANT, "channel_auth": "user_managed_identity",
         "graph_auth": "user_managed_identity", "graph_base_url": "https://graph.microsoft.com/v1.0",
         "public_url": "https://yhdessa-aika.example.fi"},
        ManagedIdentityClient, ManagedIdentityCredential),
}


def _resolve(values: dict[str, Any], certificates: dict[str, Path]) -> dict[str, Any]:
    files = {key: certificates[values[key]] for key in ("certificate_path", "graph_ca_file")
             if isinstance(values.get(key), str)}
    return {**values, **files}


@pytest.fixture
def local_tenant_discovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """MSAL's confidential client reads the tenant's OpenID configuration when built: answered locally."""
    def discovery(endpoint: str, http_client: object, **_: object) -> dict[str, str]:
        base = endpoint.split("/v2.0/", maxsplit=1)[0]
        return {"authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token", "issuer": f"{base}/v2.0"}

    monkeypatch.setattr(msal.authority, "tenant_discovery", discovery)


async def _built(settings: BotSettings) -> AsyncIterator[Bot]:
    bot = bootstrap(settings)
    try:
        yield bot
    finally:
        await bot.close()


@pytest.mark.usefixtures("local_tenant_discovery")
@pytest.mark.parametrize("case", list(ACCEPTED))
async def test_bootstrap_builds_the_credentials_the_settings_name(
        case: str, tmp_path: Path, certificates: dict[str, Path]) -> None:
    values, channel_client, graph_type = ACCEPTED[case]
    settings = _settings(tmp_path, **_resolve(values, certificates))
    async for bot in _built(settings):
        if channel_client is None:
            assert bot.auth_config.ANONYMOUS_ALLOWED and bot.auth_config.CLIENT_ID is None
        else:
            assert not bot.auth_config.ANONYMOUS_ALLOWED
            assert settings.client_id == bot.auth_config.CLIENT_ID
            client = MsalAuth(bot.auth_config)._create_client_application()
            assert type(client) is channel_client
        if graph_type is None:
            assert bot.graph_credential is None
        else:
            assert type(bot.graph_credential) is graph_type


@pytest.mark.usefixtures("local_tenant_discovery")
async def test_the_channel_certificate_is_read_from_the_pfx(tmp_path: Path, certificates: dict[str, Path]) -> None:
    settings = _settings(tmp_path, **_resolve(ACCEPTED["certificate for both"][0], certificates))
    config = channel_auth_configuration(settings)
    assert str(certificates["pfx"]) == config.CERT_PFX_FILE and config.CLIENT_SECRET is None
    client = MsalAuth(config)._create_client_application()
    assert isinstance(client, ConfidentialClientApplication)
    assert client.client_credential == {"private_key_pfx_path": str(certificates["pfx"])}


# --- managed identities ask the identity endpoint, with the right client id ----------------------------

class IdentityEndpoint:
    """A stand-in for the Container Apps / App Service identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []

    async def token(self, request: web.Request) -> web.Response:
        if request.headers.get("X-IDENTITY-HEADER") != "local-identity-header":
            return web.json_response({"error": "no header"}, status=401)
        self.requests.append(dict(request.query))
        return web.json_response({"access_token": f"token-{len(self.requests)}", "token_type": "Bearer",
                                  "expires_on": str(int(time.time()) + 3600),
                                  "resource": request.query.get("resource", "")})


@pytest.fixture
async def identity_endpoint(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[IdentityEndpoint]:
    endpoint = IdentityEndpoint()
    app = web.Application()
    app.router.add_get("/msi/token", endpoint.token)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"http://127.0.0.1:{port}/msi/token")
    monkeypatch.setenv("IDENTITY_HEADER", "local-identity-header")
    yield endpoint
    await runner.cleanup()


@pytest.mark.parametrize(("case", "client_id"), [
    ("user-assigned identity for both (Azure Bot UserAssignedMSI)", IDENTITY),
    ("system-assigned identity for both", None),
])
async def test_managed_identities_fetch_tokens_for_the_channel_and_graph(
        case: str, client_id: str | None, tmp_path: Path, identity_endpoint: IdentityEndpoint) -> None:
    settings = _settings(tmp_path, **ACCEPTED[case][0])
    async for bot in _built(settings):
        channel = MsalAuth(bot.auth_config)
        assert await channel.get_access_token("https://api.botframework.com", []) == "token-1"
        assert bot.graph_credential is not None
        graph_token = await bot.graph_credential.get_token("https://graph.microsoft.com/.default")
        assert graph_token.token == "token-2"
    channel_request, graph_request = identity_endpoint.requests
    assert channel_request["resource"] == "https://api.botframework.com"
    assert graph_request["resource"] == "https://graph.microsoft.com"
    assert channel_request.get("client_id") == client_id
    assert graph_request.get("client_id") == client_id


async def test_graph_uses_its_own_user_assigned_identity(tmp_path: Path, identity_endpoint: IdentityEndpoint) -> None:
    settings = _settings(tmp_path, **ACCEPTED["app secret for the channel, user-assigned identity for Graph"][0])
    async for bot in _built(settings):
        assert bot.graph_credential is not None
        await bot.graph_credential.get_token("https://graph.microsoft.com/.default")
    assert identity_endpoint.requests[0]["client_id"] == IDENTITY


# --- refused combinations ------------------------------------------------------------------------------

BASE: dict[str, Any] = {"client_id": APP_ID, "tenant_id": TENANT}
REFUSED: dict[str, tuple[dict[str, Any], str]] = {
    "channel credential without an app id": (
        {"channel_auth": "user_managed_identity", "client_id": None},
        "YA_CHANNEL_AUTH=user_managed_identity requires YA_CLIENT_ID"),
    "channel client secret without the secret": (
        {"channel_auth": "client_secret"}, "YA_CHANNEL_AUTH=client_secret requires YA_CLIENT_SECRET"),
    "channel client secret without a tenant": (
        {"channel_auth": "client_secret", "client_secret": SECRET, "tenant_id": None},
        "YA_CHANNEL_AUTH=client_secret requires YA_TENANT_ID"),
    "channel certificate without a path": (
        {"channel_auth": "certificate"}, "YA_CHANNEL_AUTH=certificate requires YA_CERTIFICATE_PATH"),
    "channel certificate as PEM": (
        {"channel_auth": "certificate", "certificate_path": "pem"}, "requires a PKCS#12 file"),
    "channel certificate with a password": (
        {"channel_auth": "certificate", "certificate_path": "pfx", "certificate_password": PASSWORD},
        "the channel reads the certificate without a password"),
    "certificate file missing": (
        {"graph_auth": "certificate", "client_secret": SECRET, "certificate_path": "missing"},
        "YA_CERTIFICATE_PATH: no such file"),
    "user-assigned channel identity with another identity's id": (
        {"channel_auth": "user_managed_identity", "managed_identity_client_id": IDENTITY},
        "must equal YA_CLIENT_ID"),
    "Graph client secret without the secret": (
        {"graph_auth": "client_secret", "channel_auth": "system_managed_identity"},
        "YA_GRAPH_AUTH=client_secret requires YA_CLIENT_SECRET"),
    "Graph certificate without a tenant": (
        {"graph_auth": "certificate", "certificate_path": "pfx", "tenant_id": None, "client_secret": SECRET},
        "YA_GRAPH_AUTH=certificate requires YA_TENANT_ID"),
    "Graph certificate without a path": (
        {"graph_auth": "certificate", "client_secret": SECRET},
        "YA_GRAPH_AUTH=certificate requires YA_CERTIFICATE_PATH"),
    "Graph user-assigned identity without its id": (
        {"graph_auth": "user_managed_identity", "client_secret": SECRET},
        "YA_GRAPH_AUTH=user_managed_identity requires YA_MANAGED_IDENTITY_CLIENT_ID"),
    "a client secret nothing uses": (
        {"channel_auth": "system_managed_identity", "graph_auth": "system_managed_identity",
         "client_secret": SECRET}, "YA_CLIENT_SECRET is set but"),
    "a certificate nothing uses": (
        {"client_secret": SECRET, "certificate_path": "pfx"}, "YA_CERTIFICATE_PATH is set but"),
    "a certificate password without a certificate": (
        {"client_secret": SECRET, "certificate_password": PASSWORD}, "YA_CERTIFICATE_PASSWORD is set without"),
    "an identity id nothing uses": (
        {"client_secret": SECRET, "managed_identity_client_id": IDENTITY},
        "YA_MANAGED_IDENTITY_CLIENT_ID is set but nothing uses"),
    "production without a channel credential": (
        {"mode": "production", "graph_auth": "system_managed_identity",
         "graph_base_url": "https://graph.microsoft.com/v1.0"}, "production mode requires a channel credential"),
    "the old managed_identity value": (
        {"graph_auth": "managed_identity", "client_secret": SECRET}, "graph_auth"),
    "federated partner tokens without a managed identity": (
        {"client_secret": SECRET, "partner_auth": "federated"},
        "YA_PARTNER_AUTH=federated requires a managed identity"),
    "partner client secret without a secret": (
        {"channel_auth": "system_managed_identity", "graph_auth": "system_managed_identity",
         "partner_auth": "client_secret"}, "YA_PARTNER_AUTH=client_secret requires YA_GRAPH_CLIENT_SECRET"),
    "a Graph secret nothing uses": (
        {"client_secret": SECRET, "graph_client_secret": "graph-secret-9"},
        "YA_GRAPH_CLIENT_SECRET is set but"),
    "a Graph authority over plain http": (
        {"client_secret": SECRET, "graph_authority": "http://login.example"}, "graph_authority"),
    "the sandbox's CA in production": (
        {"mode": "production", "client_secret": SECRET, "graph_auth": "client_secret",
         "graph_base_url": "https://graph.microsoft.com/v1.0", "public_url": "https://bot.example",
         "graph_ca_file": "pem"}, "YA_GRAPH_CA_FILE is for development only"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_inconsistent_credentials_are_refused(case: str, tmp_path: Path, certificates: dict[str, Path]) -> None:
    change, message = REFUSED[case]
    values = {**BASE, **change}
    if values.get("certificate_path") == "missing":
        values["certificate_path"] = tmp_path / "missing.pfx"
    with pytest.raises(ValidationError, match=message) as refused:
        _settings(tmp_path, **_resolve(values, certificates))
    assert SECRET not in str(refused.value) and PASSWORD not in str(refused.value)


def test_the_environment_names_the_same_settings(monkeypatch: pytest.MonkeyPatch,
                                                 certificates: dict[str, Path]) -> None:
    for name, value in {"YA_CLIENT_ID": APP_ID, "YA_TENANT_ID": TENANT, "YA_CHANNEL_AUTH": "certificate",
                        "YA_GRAPH_AUTH": "certificate", "YA_CERTIFICATE_PATH": str(certificates["pfx"])}.items():
        monkeypatch.setenv(name, value)
    settings = BotSettings()
    assert settings.channel_credential == "certificate" and settings.certificate_path == certificates["pfx"]


def test_settings_carry_no_secret_in_their_text(tmp_path: Path) -> None:
    settings = _settings(tmp_path, **BASE, client_secret=SECRET, graph_auth="client_secret")
    assert SECRET not in repr(settings) and SECRET not in json.dumps(settings.model_dump(mode="json"))


async def test_partner_tenants_get_the_graph_apps_own_credential_in_their_tenant(tmp_path: Path) -> None:
    partner = "44444444-4444-4444-8444-444444444444"
    graph_app = "55555555-5555-4555-8555-555555555555"
    settings = _settings(tmp_path, **{**BASE, "channel_auth": "system_managed_identity",
                                      "graph_auth": "system_managed_identity", "client_secret": None,
                                      "graph_client_id": graph_app, "graph_client_secret": "graph-secret-9",
                                      "partner_auth": "client_secret",
                                      "graph_authority": "https://127.0.0.1:9"})

    credential = partner_credential(settings, partner)

    assert isinstance(credential, ClientSecretCredential)
    client = credential._client  # the tenant, app and authority the token request goes to
    assert (client._tenant_id, client._client_id, client._authority) == (partner, graph_app, "https://127.0.0.1:9")
    await credential.close()
    assert partner_credential(_settings(tmp_path, **BASE), partner) is None, "YA_PARTNER_AUTH=none: no partner"
