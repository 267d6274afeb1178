"""Which credential settings go together: checked when the settings are read, before anything starts.

Two connections need a credential: the Bot Framework channel (the bot's own token for replies, built by the
Agents SDK's MSAL provider) and Microsoft Graph (azure-identity). Each takes a client secret, a certificate or
a managed identity; a combination that cannot work, or a secret nothing uses, is refused with a message that
names the variables (never their values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.settings import BotSettings

ChannelAuth = Literal["none", "client_secret", "certificate", "user_managed_identity", "system_managed_identity"]

#: MSAL reads the channel's certificate as PKCS#12 only (``private_key_pfx_path``).
PKCS12_SUFFIXES = (".pfx", ".p12")


def credential_problem(settings: BotSettings) -> str | None:
    """What is wrong with the credential settings, or None when they fit together."""
    for check in (_channel_problem, _graph_problem, _unused_problem):
        problem = check(settings)
        if problem:
            return problem
    return None


def _channel_problem(s: BotSettings) -> str | None:
    if s.channel_auth is None:
        return None  # the earlier behaviour: a client secret with YA_CLIENT_ID, anonymous without
    name = f"YA_CHANNEL_AUTH={s.channel_auth}"
    if not s.client_id:
        return f"{name} requires YA_CLIENT_ID (the bot's app id)"
    if s.channel_auth in ("client_secret", "certificate") and not s.tenant_id:
        return f"{name} requires YA_TENANT_ID (the app registration's tenant)"
    if s.channel_auth == "client_secret" and s.client_secret is None:
        return f"{name} requires YA_CLIENT_SECRET"
    if s.channel_auth == "certificate":
        if s.certificate_path is None:
            return f"{name} requires YA_CERTIFICATE_PATH"
        if s.certificate_path.suffix.lower() not in PKCS12_SUFFIXES:
            return f"{name} requires a PKCS#12 file (.pfx or .p12) in YA_CERTIFICATE_PATH"
        if s.certificate_password is not None:
            return (f"{name}: the channel reads the certificate without a password; use a .pfx without one "
                    "(mounted as a secret file) or a managed identity, and unset YA_CERTIFICATE_PASSWORD")
    if (s.channel_auth == "user_managed_identity" and s.managed_identity_client_id
            and s.managed_identity_client_id != s.client_id):
        return (f"{name}: the bot's app id is the identity's client id, so YA_MANAGED_IDENTITY_CLIENT_ID "
                "must equal YA_CLIENT_ID (or be left unset)")
    return None


def _graph_problem(s: BotSettings) -> str | None:
    name = f"YA_GRAPH_AUTH={s.graph_auth}"
    if s.graph_auth in ("client_secret", "certificate"):
        missing = [var for var, value in (("YA_CLIENT_ID", s.graph_app_id), ("YA_TENANT_ID", s.graph_home_tenant))
                   if not value]
        if missing:
            return f"{name} requires {', '.join(missing)}"
    if s.graph_auth == "client_secret" and s.graph_secret is None:
        return f"{name} requires YA_CLIENT_SECRET"
    if s.graph_auth == "certificate" and s.certificate_path is None:
        return f"{name} requires YA_CERTIFICATE_PATH"
    if s.graph_auth == "user_managed_identity" and not s.user_identity_client_id:
        return (f"{name} requires YA_MANAGED_IDENTITY_CLIENT_ID (the identity's client id; YA_CLIENT_ID "
                "stands for it only with YA_CHANNEL_AUTH=user_managed_identity)")
    return _partner_problem(s)


def _partner_problem(s: BotSettings) -> str | None:
    """Partner tenants are reached with the Graph app registration (multi-tenant), never the bot's channel id."""
    name = f"YA_PARTNER_AUTH={s.partner_auth}"
    if s.partner_auth == "none":
        return None
    if not s.graph_app_id:
        return f"{name} requires YA_GRAPH_CLIENT_ID (the multi-tenant Graph app consented by the partners)"
    if s.partner_auth == "federated" and s.graph_auth not in ("user_managed_identity", "system_managed_identity"):
        return f"{name} requires a managed identity (YA_GRAPH_AUTH) whose token is the Graph app's assertion"
    if s.partner_auth == "client_secret" and s.graph_secret is None:
        return f"{name} requires YA_GRAPH_CLIENT_SECRET"
    if s.partner_auth == "certificate" and s.certificate_path is None:
        return f"{name} requires YA_CERTIFICATE_PATH"
    return None


def _unused_problem(s: BotSettings) -> str | None:
    """A credential nothing uses is a configuration mistake (and a secret lying around for nothing)."""
    uses = {s.channel_credential, s.graph_auth, s.partner_auth}
    if s.client_secret is not None and "client_secret" not in uses:
        return "YA_CLIENT_SECRET is set but neither YA_CHANNEL_AUTH nor YA_GRAPH_AUTH is client_secret"
    if s.graph_client_secret is not None and "client_secret" not in (s.graph_auth, s.partner_auth):
        return "YA_GRAPH_CLIENT_SECRET is set but neither YA_GRAPH_AUTH nor YA_PARTNER_AUTH is client_secret"
    if s.certificate_path is not None:
        if "certificate" not in uses:
            return "YA_CERTIFICATE_PATH is set but neither YA_CHANNEL_AUTH nor YA_GRAPH_AUTH is certificate"
        if not s.certificate_path.is_file():
            return "YA_CERTIFICATE_PATH: no such file"
    if s.certificate_password is not None and s.certificate_path is None:
        return "YA_CERTIFICATE_PASSWORD is set without YA_CERTIFICATE_PATH"
    blob_identity = s.state_backend == "blob" and s.blob_account_url and not s.blob_connection_string
    if s.managed_identity_client_id and "user_managed_identity" not in uses and not blob_identity:
        return ("YA_MANAGED_IDENTITY_CLIENT_ID is set but nothing uses a user-assigned identity "
                "(YA_CHANNEL_AUTH, YA_GRAPH_AUTH or Blob state with YA_BLOB_ACCOUNT_URL)")
    return None
