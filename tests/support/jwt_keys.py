"""Locally made RSA signing keys and a local OpenID configuration + JWKS server (no network).

Stands in for the Bot Framework's ``https://login.botframework.com/v1/.well-known/openidconfiguration``
and its key set: the bot is pointed at it with ``YA_OPENID_METADATA_URL``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.clock import machine_now

#: The issuer of the Bot Framework's channel → bot tokens (what Teams' requests carry).
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
METADATA_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"


@dataclass(frozen=True)
class SigningKey:
    """An RSA key pair with a key id; signs RS256 tokens."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        """A fresh 2048-bit key."""
        return cls(kid or uuid.uuid4().hex, rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK, as in a JWKS document."""
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return jwk

    def sign(self, claims: dict[str, Any], *, headers: dict[str, Any] | None = None, kid: bool = True) -> str:
        """An RS256 JWT; ``kid=False`` leaves the key id header out."""
        header = {"kid": self.kid} if kid else {}
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={**header, **(headers or {})})


def channel_claims(app_id: str, service_url: str, *, issuer: str = BOT_FRAMEWORK_ISSUER,
                   audience: str | None = None, expires_in: timedelta = timedelta(hours=1),
                   now: datetime | None = None) -> dict[str, Any]:
    """The claims of a Bot Framework channel → bot token (audience: the bot's app id).

    Token times follow the machine's time: the validator (PyJWT, inside the SDK) checks them against it."""
    issued = now or machine_now()
    return {"iss": issuer, "aud": audience if audience is not None else app_id,
            "serviceurl": service_url, "nbf": issued - timedelta(minutes=5), "iat": issued - timedelta(minutes=5),
            "exp": issued + expires_in}


@dataclass
class LocalOpenIdServer:
    """An OpenID configuration and its JWKS on 127.0.0.1:<ephemeral port>; counts requests per path."""

    keys: list[SigningKey]
    issuer: str = BOT_FRAMEWORK_ISSUER
    requests: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _base: str = ""

    @property
    def metadata_url(self) -> str:
        """The OpenID configuration's address (for YA_OPENID_METADATA_URL)."""
        return f"{self._base}{METADATA_PATH}"

    async def start(self) -> LocalOpenIdServer:
        """Serves on an ephemeral loopback port."""
        app = web.Application()
        app.router.add_get(METADATA_PATH, self._metadata)
        app.router.add_get(KEYS_PATH, self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._base = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        """Stops serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response({"issuer": self.issuer, "jwks_uri": f"{self._base}{KEYS_PATH}",
                                  "id_token_signing_alg_values_supported": ["RS256"],
                                  "token_endpoint_auth_methods_supported": ["private_key_jwt"]})

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        return web.json_response({"keys": [key.public_jwk() for key in self.keys]})
