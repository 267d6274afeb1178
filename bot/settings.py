"""Typed settings from the environment (prefix ``YA_``), failing fast on bad values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.card_actions import CardActions
from bot.credential_rules import ChannelAuth, credential_problem
from bot.loopback import is_loopback_host
from config import shipped_path

_TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BotSettings(BaseSettings):
    """Everything the bot reads from its environment. Nothing else reads the environment."""

    # hide_input_in_errors: a refusal must not echo the environment (YA_CLIENT_SECRET) into the message.
    model_config = SettingsConfigDict(env_prefix="YA_", extra="ignore", frozen=True, hide_input_in_errors=True)

    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(3978, ge=0, le=65535)
    # Shipped demo configuration by default (package data of config/, not relative to the working directory).
    teams_file: Path = Field(default_factory=lambda: shipped_path("teams.yaml"))
    state_db: Path = Path("var/bot.db")
    # Where state lives: embedded SQLite (one instance), or Azure Blob Storage (several instances).
    state_backend: Literal["sqlite", "blob"] = "sqlite"
    blob_connection_string: SecretStr | None = None  # Azurite or development
    blob_account_url: str | None = None  # production: https://<account>.blob.core.windows.net
    blob_container: str = "yhdessa-aika-state"
    blob_index: Literal["tags", "listing"] = "tags"
    graph_base_url: str = "http://127.0.0.1:3979/v1.0"
    graph_timeout_seconds: float = Field(10.0, gt=0, le=120)
    # A throttled Graph call is retried after its Retry-After only up to this many seconds; a longer wait
    # fails the call at once (the user is told to try again) instead of holding a card action.
    graph_max_retry_after_seconds: float = Field(5.0, ge=0, le=60)
    # How long a card action (booking, finalizing) may work before Teams gets an answer: past it the card
    # says the work goes on, and is updated in place when it is done. Teams waits about 15 s.
    action_budget_seconds: float = Field(8.0, gt=0, le=14)
    # How the bot authenticates to Graph: none (sandbox only), the Entra app registration's client secret or
    # certificate, or a managed identity (user-assigned: YA_MANAGED_IDENTITY_CLIENT_ID; system-assigned).
    graph_auth: Literal["none", "client_secret", "certificate", "user_managed_identity",
                        "system_managed_identity"] = "none"
    # How the bot gets its own token for the Bot Framework channel (replies, proactive messages). Unset: the
    # client secret when YA_CLIENT_ID is set (anonymous without it). See bot/credentials.py.
    channel_auth: Literal["client_secret", "certificate", "user_managed_identity",
                          "system_managed_identity"] | None = None
    # The bot's app id (the Entra app registration, or the user-assigned identity of an Azure Bot of type
    # UserAssignedMSI) and its tenant.
    client_id: str | None = None
    tenant_id: str | None = None
    client_secret: SecretStr | None = None
    # A PKCS#12 (.pfx) file with the private key; the channel (MSAL) reads it without a password, Graph
    # (azure-identity) also takes PEM and YA_CERTIFICATE_PASSWORD.
    certificate_path: Path | None = None
    certificate_password: SecretStr | None = None
    # Graph's own app registration when it is not the bot's (YA_CLIENT_ID): a multi-tenant Entra app that
    # partner organisations consent to (the Azure Bot itself stays single-tenant), its tenant and secret.
    graph_client_id: str | None = None
    graph_tenant_id: str | None = None
    graph_client_secret: SecretStr | None = None
    # Where azure-identity gets Graph tokens (default Entra's login.microsoftonline.com); an https URL.
    graph_authority: str | None = Field(None, pattern=r"^https://")
    # Development only: a CA certificate (PEM) to trust for the token endpoint (the sandbox's own TLS).
    graph_ca_file: Path | None = None
    # How the bot gets a token in a partner organisation's tenant (teams file: access: partner): federated
    # (the managed identity's token as the Graph app's client assertion; no secret), the Graph app's client
    # secret or certificate, or none (partners' calendars are then not read).
    partner_auth: Literal["none", "federated", "client_secret", "certificate"] = "none"
    # The client id of the user-assigned managed identity for Graph and Blob storage (default: YA_CLIENT_ID
    # when YA_CHANNEL_AUTH=user_managed_identity, where the bot's app id is the identity's client id).
    managed_identity_client_id: str | None = None
    # Entra tenant ids whose activities the bot serves (comma-separated); empty: any tenant the channel admits.
    allowed_tenants: Annotated[tuple[str, ...], NoDecode] = ()
    # Local tests only: the OpenID configuration whose jwks_uri signs channel tokens, in place of the
    # Bot Framework's and Entra's fixed key URLs. Refused in production.
    openid_metadata_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where Teams clients fetch card images (the star picture) from; the bot's own address by default.
    public_url: str | None = None
    stars_dir: Path = Field(default_factory=lambda: shipped_path("stars"))
    default_star: str = "lape-pohjois-savo"
    # When the near worker is told to move on to the summary and the joint plan.
    warn_minutes: int = Field(20, ge=1, le=120)
    # How long anything of a finalized meeting is kept (reference, dates, ids).
    retention_days: int = Field(365, ge=1, le=3650)
    reminder_hours: int = Field(24, ge=1, le=168)
    scheduler_seconds: float = Field(30.0, gt=0, le=3600)
    # How long proposed times are trusted at booking without asking Graph again (the bot's own bookings
    # meanwhile are caught by its reservation index).
    proposals_fresh_minutes: int = Field(10, ge=0, le=120)
    # Card buttons: Action.Submit on Teams phones and Action.Execute elsewhere (auto), or Action.Submit on every
    # reply (submit) — see bot/card_actions.py and README "On a phone".
    card_actions: CardActions = CardActions.AUTO
    # Development only (demos and trials at another date, in step with the sandbox clock): the bot's clock
    # reads this moment at start-up and runs on from it. Refused in production.
    dev_now: AwareDatetime | None = None

    @field_validator("allowed_tenants", mode="before")
    @classmethod
    def _tenant_list(cls, value: object) -> object:
        """Accepts "id1,id2" (or a JSON list) from the environment; ids are GUIDs, compared in lower case."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else [part for part in re.split(r"[\s,;]+", text) if part]
        if not isinstance(value, list | tuple):
            raise ValueError("YA_ALLOWED_TENANTS must be a comma-separated list of tenant ids")
        tenants = tuple(str(item).strip().lower() for item in value)
        for tenant in tenants:
            if not _TENANT_ID.match(tenant):
                raise ValueError(f"YA_ALLOWED_TENANTS: {tenant!r} is not an Entra tenant id (a GUID)")
        return tenants

    @field_validator("openid_metadata_url")
    @classmethod
    def _metadata_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("YA_OPENID_METADATA_URL must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _production_needs_credentials(self) -> BotSettings:
        if self.mode == "production":
            missing = [name for name, value in (("YA_CLIENT_ID", self.client_id), ("YA_TENANT_ID", self.tenant_id))
                       if not value]
            if missing:
                raise ValueError(f"production mode requires {', '.join(missing)}: refusing to run anonymously")
            if self.graph_auth == "none":
                raise ValueError("production mode requires YA_GRAPH_AUTH (user_managed_identity, "
                                 "system_managed_identity, client_secret or certificate)")
            if self.channel_credential == "client_secret" and self.client_secret is None:
                raise ValueError("production mode requires a channel credential: YA_CLIENT_SECRET, or "
                                 "YA_CHANNEL_AUTH (certificate, user_managed_identity, system_managed_identity)")
            if not self.graph_base_url.startswith("https://"):
                raise ValueError("production mode requires an https YA_GRAPH_BASE_URL")
            if self.openid_metadata_url is not None:
                raise ValueError("YA_OPENID_METADATA_URL is for local tests only: production validates channel "
                                 "tokens with Microsoft's keys")
            if self.dev_now is not None:
                raise ValueError("YA_DEV_NOW is for development only: production runs on the real time")
            if self.graph_ca_file is not None:
                raise ValueError("YA_GRAPH_CA_FILE is for development only: production trusts the system's CAs")
            if not self.public_base_url.startswith("https://"):
                # Graph delivers change notifications to https only, and Teams fetches card images over https.
                raise ValueError("production mode requires an https YA_PUBLIC_URL")
        if self.anonymous and not is_loopback_host(self.host):
            # Anonymous mode answers anyone who can reach the port: the local Playground only.
            raise ValueError("YA_HOST must be a loopback address (localhost, 127.x.x.x) when YA_CLIENT_ID is not "
                             "set: without an app id the bot accepts unauthenticated requests")
        if self.state_backend == "blob" and not (self.blob_connection_string or self.blob_account_url):
            raise ValueError("YA_STATE_BACKEND=blob requires YA_BLOB_ACCOUNT_URL (or YA_BLOB_CONNECTION_STRING)")
        problem = credential_problem(self)
        if problem:
            raise ValueError(problem)
        return self

    @property
    def channel_credential(self) -> ChannelAuth:
        """How the bot authenticates to the channel: YA_CHANNEL_AUTH, or the client secret, or none (anonymous)."""
        if self.channel_auth is not None:
            return self.channel_auth
        return "none" if self.client_id is None else "client_secret"

    @property
    def graph_app_id(self) -> str | None:
        """The Graph app registration's client id: YA_GRAPH_CLIENT_ID, else the bot's app id."""
        return self.graph_client_id or self.client_id

    @property
    def graph_home_tenant(self) -> str | None:
        """The bot's own tenant for Graph: YA_GRAPH_TENANT_ID, else YA_TENANT_ID."""
        return self.graph_tenant_id or self.tenant_id

    @property
    def graph_secret(self) -> SecretStr | None:
        """The Graph app's client secret: YA_GRAPH_CLIENT_SECRET, else YA_CLIENT_SECRET."""
        return self.graph_client_secret or self.client_secret

    @property
    def user_identity_client_id(self) -> str | None:
        """The user-assigned managed identity's client id, when one is configured."""
        if self.managed_identity_client_id:
            return self.managed_identity_client_id
        return self.client_id if self.channel_auth == "user_managed_identity" else None

    @property
    def public_base_url(self) -> str:
        """The bot's public address for card images."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def anonymous(self) -> bool:
        """Whether the channel endpoint accepts unauthenticated requests (development without an app id)."""
        return self.client_id is None
