"""App-only access tokens as Microsoft Entra issues them (client credentials), signed with the sandbox's own key.

``POST /{tenant}/oauth2/v2.0/token`` takes ``grant_type=client_credentials``, ``client_id``, ``scope`` and
either ``client_secret`` or a ``client_assertion`` (type ``urn:ietf:params:oauth:client-assertion-type:
jwt-bearer``). A client assertion is accepted when it is a token the sandbox itself issued to the same app
(e.g. one for ``api://AzureADTokenExchange/.default`` from the app's home tenant: the federated-credential
path). Tokens are HS256 JWTs with Entra's claims (``aud``, ``iss``, ``tid``, ``appid``/``azp``, ``roles``,
``iat``/``nbf``/``exp`` from the sandbox clock, one hour). Refusals carry Entra's AADSTS codes.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from m365_sandbox.core.directory import AppRegistration, Directory
from m365_sandbox.core.tenant import Tenant

GRAPH_AUDIENCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
LIFETIME = timedelta(hours=1)
#: The application permissions every sandbox app has (admin-consented where the app may have a token).
ROLES = (
    "Calendars.ReadWrite", "Mail.Send", "Mail.Read", "Files.ReadWrite.All", "User.Read.All", "Place.Read.All",
)
_ALGORITHM = "HS256"


class TokenRefused(Exception):  # noqa: N818 - Entra's word: the request is refused, not an error of ours
    """An Entra-style refusal: HTTP status, OAuth ``error``, the AADSTS number and its description."""

    def __init__(self, status: int, error: str, code: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description

    def body(self, now: datetime) -> dict[str, Any]:
        """The JSON Entra answers with (``error_description`` starts with the AADSTS code)."""
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": f"AADSTS{self.code}: {self.description} Trace ID: {trace} "
            f"Correlation ID: {correlation} Timestamp: {stamp}",
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"https://login.microsoftonline.com/error?code={self.code}",
        }


class InvalidToken(Exception):  # noqa: N818 - Graph's code is InvalidAuthenticationToken
    """A bearer token Graph would refuse (expired, forged, for another audience); the message is Graph's."""


@dataclass(frozen=True)
class VerifiedToken:
    """The claims of a token the sandbox issued and verified."""

    tenant_id: str
    app_id: str
    audience: str
    claims: dict[str, Any]


def _invalid_request(code: int, description: str) -> TokenRefused:
    return TokenRefused(400, "invalid_request", code, description)


class TokenService:
    """Issues and verifies the sandbox's tokens; the signing key is made at start and never stored."""

    def __init__(self, directory: Directory, clock: Callable[[], datetime], key: bytes | None = None) -> None:
        self.directory = directory
        self.clock = clock
        self._key = key or secrets.token_bytes(32)

    # --- the token endpoint --------------------------------------------------------------

    def grant(self, tenant_id: str, form: Mapping[str, str]) -> dict[str, Any]:
        """Answer a token request for ``tenant_id`` (the JSON body), or raise :class:`TokenRefused`."""
        tenant = self.directory.tenant(tenant_id)
        if tenant is None:
            raise _invalid_request(
                90002,
                f"Tenant '{tenant_id}' not found. Check to make sure you have the correct tenant ID and are signing "
                "into the correct cloud. Check with your subscription administrator, this may happen if there are "
                "no active subscriptions for the tenant.",
            )
        for name in ("grant_type", "client_id", "scope"):
            if not form.get(name):
                raise _invalid_request(900144, f"The request body must contain the following parameter: '{name}'.")
        if form["grant_type"] != "client_credentials":
            raise TokenRefused(
                400, "unsupported_grant_type", 70003,
                f"The app requested an unsupported grant type '{form['grant_type']}'.",
            )
        app = self.directory.app(form["client_id"])
        if app is None or not self.directory.consented(tenant, app):
            client = form["client_id"]
            raise TokenRefused(
                400, "unauthorized_client", 700016,
                f"Application with identifier '{client}' was not found in the directory '{tenant.display_name}'. "
                "This can happen if the application has not been installed by the administrator of the tenant or "
                "consented to by any user in the tenant. You may have sent your authentication request to the "
                "wrong tenant.",
            )
        self._authenticate_client(app, form)
        audience = _audience(form["scope"], tenant)
        token = self.issue(tenant, app, audience)
        seconds = int(LIFETIME.total_seconds()) - 1
        return {"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": token}

    def _authenticate_client(self, app: AppRegistration, form: Mapping[str, str]) -> None:
        assertion = form.get("client_assertion")
        if assertion:
            if form.get("client_assertion_type") != ASSERTION_TYPE:
                raise _invalid_request(
                    700023, f"The client_assertion_type must be '{ASSERTION_TYPE}'."
                )
            try:
                verified = self.verify(assertion, audiences=(EXCHANGE_AUDIENCE, GRAPH_AUDIENCE))
            except InvalidToken as exc:
                raise TokenRefused(
                    401, "invalid_client", 700027, f"Client assertion failed signature validation. {exc}"
                ) from exc
            if verified.app_id.lower() != app.client_id.lower():
                raise TokenRefused(
                    400, "invalid_request", 70021, "No matching federated identity record found for presented "
                    "assertion. Assertion Issuer: 'https://sts.windows.net/"
                    f"{verified.tenant_id}/'. Assertion Subject: '{verified.app_id}'.",
                )
            return
        secret = form.get("client_secret")
        if not secret or not secrets.compare_digest(secret.encode(), app.secret.encode()):
            raise TokenRefused(
                401, "invalid_client", 7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
                f"value, not the client secret ID, for a secret added to app '{app.client_id}'.",
            )

    # --- tokens --------------------------------------------------------------------------

    def issue(self, tenant: Tenant, app: AppRegistration, audience: str = GRAPH_AUDIENCE) -> str:
        """An app-only access token for ``app`` in ``tenant`` (one hour from the sandbox clock's now)."""
        now = self.clock()
        issued = int(now.timestamp())
        claims: dict[str, Any] = {
            "aud": audience,
            "iss": f"https://sts.windows.net/{tenant.tenant_id}/",
            "iat": issued,
            "nbf": issued,
            "exp": int((now + LIFETIME).timestamp()),
            "aio": secrets.token_urlsafe(24),
            "app_displayname": f"Sandbox app {app.client_id[:8]}",
            "appid": app.client_id,
            "azp": app.client_id,
            "appidacr": "1",
            "idp": f"https://sts.windows.net/{tenant.tenant_id}/",
            "idtyp": "app",
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{tenant.tenant_id}/{app.client_id}")),
            "rh": "0.sandbox.",
            "roles": list(ROLES),
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sandbox:{tenant.tenant_id}/{app.client_id}")),
            "tid": tenant.tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": "1.0",
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM, headers={"typ": "JWT"})

    def verify(self, token: str, audiences: tuple[str, ...] = (GRAPH_AUDIENCE, GRAPH_APP_ID)) -> VerifiedToken:
        """Check a token's signature, lifetime (sandbox clock) and audience; :class:`InvalidToken` otherwise."""
        try:
            claims = jwt.decode(
                token, self._key, algorithms=[_ALGORITHM],
                options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
            )
        except jwt.InvalidTokenError as exc:
            raise InvalidToken("Access token validation failure.") from exc
        now = self.clock().timestamp()
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now or int(claims.get("nbf", 0)) > now + 300:
            raise InvalidToken("Access token has expired or is not yet valid.")
        if claims.get("aud") not in audiences:
            raise InvalidToken("Access token validation failure. Invalid audience.")
        return VerifiedToken(
            tenant_id=str(claims.get("tid", "")), app_id=str(claims.get("appid", "")),
            audience=str(claims["aud"]), claims=claims,
        )


def _audience(scope: str, tenant: Tenant) -> str:
    """The resource a client-credentials ``scope`` names (``https://graph.microsoft.com/.default`` …)."""
    scopes = scope.split()
    if len(scopes) != 1 or not scopes[0].endswith("/.default"):
        raise TokenRefused(
            400, "invalid_scope", 1002012,
            f"The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
            "with /.default suffixed to the resource identifier (application ID URI).",
        )
    resource = scopes[0].removesuffix("/.default")
    if resource in (GRAPH_AUDIENCE, GRAPH_APP_ID, "https://graph.microsoft.com/"):
        return GRAPH_AUDIENCE
    if resource == EXCHANGE_AUDIENCE:
        return EXCHANGE_AUDIENCE
    raise TokenRefused(
        400, "invalid_resource", 500011,
        f"The resource principal named {resource} was not found in the tenant named {tenant.display_name}. This "
        "can happen if the application has not been installed by the administrator of the tenant or consented to "
        "by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
    )
