"""The bot's credentials from its settings: the channel connection (Agents SDK, MSAL) and Graph (azure-identity).

Nothing here talks to the network: MSAL and azure-identity fetch tokens on first use. The combinations are
checked when the settings are read (``bot/credential_rules.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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


def _token_endpoint(settings: BotSettings) -> dict[str, Any]:
    """Where azure-identity asks for tokens: Entra by default; the authority and CA given in development."""
    options: dict[str, Any] = {}
    if settings.graph_authority:
        options["authority"] = settings.graph_authority
    if settings.graph_ca_file is not None:
        # azure-core's transport takes the CA bundle to verify the token endpoint's TLS certificate with.
        options["connection_verify"] = str(settings.graph_ca_file)
    return options


def graph_credential(settings: BotSettings) -> AsyncTokenCredential | None:
    """The azure-identity credential for Graph in the bot's own tenant (None: anonymous, the sandbox only)."""
    if settings.graph_auth == "none":
        return None
    # Imported only when used: the sandbox setup never pays azure-identity's start-up cost.
    from azure.identity.aio import (  # noqa: PLC0415
        ManagedIdentityCredential,
    )

    if settings.graph_auth == "user_managed_identity":
        return ManagedIdentityCredential(client_id=settings.user_identity_client_id)
    if settings.graph_auth == "system_managed_identity":
        return ManagedIdentityCredential()
    return _app_credential(settings, settings.graph_home_tenant or "", settings.graph_auth)


def partner_credential(settings: BotSettings, tenant_id: str) -> AsyncTokenCredential | None:
    """The Graph app's credential in a partner organisation's tenant (None: partners are not reached).

    The Azure Bot stays single-tenant in the home tenant; a separate multi-tenant app registration, consented
    by each partner's administrator, gets an app-only token in the partner's tenant. ``federated``: the
    managed identity's token for ``api://AzureADTokenExchange`` is the app's client assertion (a federated
    identity credential on the app trusts the identity), so no secret exists anywhere.
    """
    if settings.partner_auth == "none":
        return None
    if settings.partner_auth == "federated":
        from azure.identity import ManagedIdentityCredential  # noqa: PLC0415
        from azure.identity.aio import ClientAssertionCredential  # noqa: PLC0415

        identity = ManagedIdentityCredential(client_id=settings.user_identity_client_id)

        def assertion() -> str:
            # Called when the partner token is (re)fetched, about hourly; the identity endpoint is local
            # to the host, and the identity's own token is cached by the credential.
            return str(identity.get_token("api://AzureADTokenExchange/.default").token)

        return ClientAssertionCredential(tenant_id, settings.graph_app_id or "", assertion,
                                         **_token_endpoint(settings))
    return _app_credential(settings, tenant_id, settings.partner_auth)


def _app_credential(settings: BotSettings, tenant_id: str, kind: str) -> AsyncTokenCredential:
    """The Graph app registration's own credential (client secret or certificate) in ``tenant_id``."""
    from azure.identity.aio import CertificateCredential, ClientSecretCredential  # noqa: PLC0415

    client_id = settings.graph_app_id or ""
    if kind == "client_secret":
        secret = settings.graph_secret.get_secret_value() if settings.graph_secret else ""
        return ClientSecretCredential(tenant_id, client_id, secret, **_token_endpoint(settings))
    password = settings.certificate_password.get_secret_value() if settings.certificate_password else None
    return CertificateCredential(tenant_id, client_id, str(settings.certificate_path), password=password,
                                 **_token_endpoint(settings))


def blob_identity_client_id(settings: BotSettings) -> str | None:
    """The user-assigned identity for Blob state (None: DefaultAzureCredential, e.g. a system-assigned one)."""
    return settings.user_identity_client_id
