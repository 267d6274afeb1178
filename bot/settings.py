"""Typed settings from the environment (prefix ``YA_``), failing fast on bad values."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BotSettings(BaseSettings):
    """Everything the bot reads from its environment. Nothing else reads the environment."""

    # hide_input_in_errors: a refusal must not echo the environment (YA_CLIENT_SECRET) into the message.
    model_config = SettingsConfigDict(env_prefix="YA_", extra="ignore", frozen=True, hide_input_in_errors=True)

    mode: Literal["development", "production"] = "development"
    host: str = "127.0.0.1"
    port: int = Field(3978, ge=0, le=65535)
    teams_file: Path = Path("config/teams.yaml")
    state_db: Path = Path("var/bot.db")
    # Where state lives: embedded SQLite (one instance), or Azure Blob Storage (several instances).
    state_backend: Literal["sqlite", "blob"] = "sqlite"
    blob_connection_string: SecretStr | None = None  # Azurite or development
    blob_account_url: str | None = None  # production: https://<account>.blob.core.windows.net
    blob_container: str = "yhdessa-aika-state"
    blob_index: Literal["tags", "listing"] = "tags"
    graph_base_url: str = "http://127.0.0.1:3979/v1.0"
    graph_timeout_seconds: float = Field(10.0, gt=0, le=120)
    # How the bot authenticates to Graph: none (sandbox only), managed identity,
    # client secret or certificate of the Entra app registration.
    graph_auth: Literal["none", "managed_identity", "client_secret", "certificate"] = "none"
    # The bot's Entra app registration (Bot Framework channel authentication).
    client_id: str | None = None
    tenant_id: str | None = None
    client_secret: SecretStr | None = None
    certificate_path: Path | None = None
    # Entra tenant ids whose activities the bot serves (comma-separated); empty: any tenant the channel admits.
    allowed_tenants: Annotated[tuple[str, ...], NoDecode] = ()
    # Local tests only: the OpenID configuration whose jwks_uri signs channel tokens, in place of the
    # Bot Framework's and Entra's fixed key URLs. Refused in production.
    openid_metadata_url: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where Teams clients fetch card images (the star picture) from; the bot's own address by default.
    public_url: str | None = None
    stars_dir: Path = Path("config/stars")
    default_star: str = "lape-pohjois-savo"
    # When the near worker is told to move on to the summary and the joint plan.
    warn_minutes: int = Field(20, ge=1, le=120)
    # How long anything of a finalized meeting is kept (reference, dates, ids).
    retention_days: int = Field(365, ge=1, le=3650)
    reminder_hours: int = Field(24, ge=1, le=168)
    scheduler_seconds: float = Field(30.0, gt=0, le=3600)

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
                raise ValueError("production mode requires YA_GRAPH_AUTH (managed_identity, client_secret "
                                 "or certificate)")
            if not self.graph_base_url.startswith("https://"):
                raise ValueError("production mode requires an https YA_GRAPH_BASE_URL")
            if self.openid_metadata_url is not None:
                raise ValueError("YA_OPENID_METADATA_URL is for local tests only: production validates channel "
                                 "tokens with Microsoft's keys")
        if self.state_backend == "blob" and not (self.blob_connection_string or self.blob_account_url):
            raise ValueError("YA_STATE_BACKEND=blob requires YA_BLOB_ACCOUNT_URL (or YA_BLOB_CONNECTION_STRING)")
        if self.graph_auth == "client_secret" and self.client_secret is None:
            raise ValueError("YA_GRAPH_AUTH=client_secret requires YA_CLIENT_SECRET")
        if self.graph_auth == "certificate" and self.certificate_path is None:
            raise ValueError("YA_GRAPH_AUTH=certificate requires YA_CERTIFICATE_PATH")
        return self

    @property
    def public_base_url(self) -> str:
        """The bot's public address for card images."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def anonymous(self) -> bool:
        """Whether the channel endpoint accepts unauthenticated requests (development without an app id)."""
        return self.client_id is None
