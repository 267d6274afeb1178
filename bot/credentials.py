"""The bot's credentials from its settings: the channel connection (Agents SDK, MSAL) and Graph (azure-identity).

Nothing here talks to the network: MSAL and azure-identity fetch tokens on first use. The combinations are
checked when the settings are read (``bot/credential_rules.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization.auth_types import AuthTypes

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

    from bot.settings import BotSettings

#: The Agents SDK's name for each channel credential.
CHANNEL_AUTH_TYPES = {
    "client_secret": AuthTypes.client_secret,
    "certificate": AuthTypes.certificate,
    "user_managed_identity": AuthTypes.user_managed_identity,
    "system_managed_identity": AuthTypes.system_managed_identity,
}


def channel_auth_configuration(settings: BotSettings) -> AgentAuthConfiguration:
    """The SERVICE_CONNECTION for MsalConnectionManager: how the bot proves itself to the channel.

    Without YA_CLIENT_ID the channel endpoint is anonymous (the Playground) and no token is ever fetched.
    For a managed identity the SDK asks the identity endpoint for a token; for a user-assigned one, the
    identity's client id is the bot's app id (YA_CLIENT_ID), as in an Azure Bot of type UserAssignedMSI.
    """
    credential = settings.channel_credential
    if credential == "none":
        return AgentAuthConfiguration(client_id=None, tenant_id=settings.tenant_id, anonymous_allowed=True)
    secret = settings.client_secret.get_secret_value() if settings.client_secret else None
    certificate = str(settings.certificate_path) if settings.certificate_path else None
    return AgentAuthConfiguration(
        auth_type=CHANNEL_AUTH_TYPES[credential], client_id=settings.client_id, tenant_id=settings.tenant_id,
        client_secret=secret if credential == "client_secret" else None,
        cert_pfx_file=certificate if credential == "certificate" else None,
        anonymous_allowed=False,
    )


def graph_credential(settings: BotSettings) -> AsyncTokenCredential | None:
    """The azure-identity credential for Graph (None: anonymous, the local sandbox only)."""
    if settings.graph_auth == "none":
        return None
    # Imported only when used: the sandbox setup never pays azure-identity's start-up cost.
    from azure.identity.aio import (  # noqa: PLC0415
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

    if settings.graph_auth == "user_managed_identity":
        return ManagedIdentityCredential(client_id=settings.user_identity_client_id)
    if settings.graph_auth == "system_managed_identity":
        return ManagedIdentityCredential()
    tenant_id, client_id = settings.tenant_id or "", settings.client_id or ""
    if settings.graph_auth == "client_secret":
        secret = settings.client_secret.get_secret_value() if settings.client_secret else ""
        return ClientSecretCredential(tenant_id, client_id, secret)
    password = settings.certificate_password.get_secret_value() if settings.certificate_password else None
    return CertificateCredential(tenant_id, client_id, str(settings.certificate_path), password=password)


def blob_identity_client_id(settings: BotSettings) -> str | None:
    """The user-assigned identity for Blob state (None: DefaultAzureCredential, e.g. a system-assigned one)."""
    return settings.user_identity_client_id
