"""Bot Framework channel authentication for ``/api/messages``.

The token checks are the Agents SDK's own (``JwtTokenValidator``): RS256 signature with a key from
the issuer's key set, expiry (the SDK allows five minutes of clock skew), audience = our app id,
issuer allow-list, and the Entra ``tid``/issuer binding. This module adds what the SDK's
``jwt_authorization_middleware`` lacks:

- every failure of an untrusted token is a 401, never a 500 (the SDK's middleware answers 500 for
  a token without a ``kid`` header, because the validator raises ``KeyError``);
- the issuer allow-list is switched on (``VALIDATE_ISSUER`` is off by default in SDK 1.9);
- agent-to-agent tokens (an Entra token another app got for our app id: ``appid``/``azp`` differs from
  ``aud``) are refused: this bot serves the Teams channel only, and the SDK keeps no allow-list of callers;
- a local-tests-only seam: the SDK picks its key URL from the token's (unverified) issuer among
  fixed Microsoft addresses and offers no setting for it, so with ``YA_OPENID_METADATA_URL`` set the
  keys come from that OpenID configuration's ``jwks_uri`` instead. Production refuses the setting;
- a token without ``exp`` is refused (PyJWT checks the expiry only when there is one);
- channel validation as the Bot Framework SDKs do it (``ChannelValidation``): the token's ``serviceurl``
  claim must be there and name the activity's ``serviceUrl`` (case-insensitive; a trailing slash is
  ignored). The bot posts its replies, with its own outbound token, to that address: without the check any
  validly signed token could point them elsewhere. The SDK 1.9 adapter compares hosts only, and only
  warns. Tokens without the claim are refused whoever issued them: Teams' channel tokens
  (``https://api.botframework.com``) always carry it; an Emulator or plain Entra token has none and is not
  a Teams channel (use the Playground, anonymous, locally);
- anonymous mode (no ``YA_CLIENT_ID``; the settings allow it on a loopback host only) answers loopback
  connectors only (``localhost``, 127.0.0.0/8, ``::1``): the Playground's;
- a body that is not an activity with a usable ``serviceUrl`` (absolute http(s), no query, fragment or user
  info) is a 400, and an ``Authorization`` header over ``MAX_AUTHORIZATION_CHARS`` a quiet 400.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import aiohttp
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from jwt import PyJWK
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import _JwkClientManager

from bot.activity_body import activity_json, not_an_activity, same_service_url, service_url
from bot.loopback import is_loopback_host
from bot.settings import BotSettings

log = logging.getLogger(__name__)

#: Where the SDK's adapter looks for the caller's identity (AiohttpRequestAdapter.get_claims_identity).
CLAIMS_KEY = "claims_identity"
_METADATA_TIMEOUT = aiohttp.ClientTimeout(total=10)
#: Channel tokens for a bot are 1–2 KB; a longer header is not one (aiohttp itself refuses over 8190 bytes).
MAX_AUTHORIZATION_CHARS = 4096
SERVICE_URL_CLAIM = "serviceurl"


def validation_config(settings: BotSettings) -> AgentAuthConfiguration:
    """What tokens are checked against: our app id and tenant, issuers validated; holds no secret."""
    return AgentAuthConfiguration(client_id=settings.client_id, tenant_id=settings.tenant_id,
                                  anonymous_allowed=settings.anonymous, validate_issuer=True)


class MetadataSigningKeys(_JwkClientManager):
    """Signing keys from one OpenID configuration's ``jwks_uri`` (local tests), whatever the token's issuer."""

    def __init__(self, metadata_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
        self._metadata_url = metadata_url
        self._jwks_uri: str | None = None

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        """The key the token's ``kid`` names; the SDK's own choice of key URL (``jwks_uri``) is ignored."""
        key: PyJWK = await super().get_signing_key(await self._keys_url(), header)
        return key

    async def _keys_url(self) -> str:
        if self._jwks_uri is None:
            async with (aiohttp.ClientSession(timeout=_METADATA_TIMEOUT) as session,
                        session.get(self._metadata_url) as response):
                response.raise_for_status()
                document = await response.json(content_type=None)
            uri = document.get("jwks_uri") if isinstance(document, dict) else None
            if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
                raise ValueError("OpenID configuration without an http(s) jwks_uri")
            self._jwks_uri = uri
        return self._jwks_uri


def channel_validator(settings: BotSettings) -> JwtTokenValidator:
    """The SDK's validator for our app; with ``YA_OPENID_METADATA_URL``, keys from that configuration."""
    validator = JwtTokenValidator(validation_config(settings))
    if settings.openid_metadata_url is not None:
        # An instance attribute: the SDK's shared class-level key cache stays untouched.
        validator._jwk_client_manager = MetadataSigningKeys(settings.openid_metadata_url)
    return validator


def _set_claims(request: web.Request, claims: ClaimsIdentity) -> None:
    with warnings.catch_warnings():
        # The SDK's adapter reads the identity by this plain string key.
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        request[CLAIMS_KEY] = claims


def _bearer(header: str) -> str | None:
    parts = header.split()
    return parts[1] if len(parts) == 2 and parts[0].lower() == "bearer" else None


def _unauthorized() -> web.Response:
    return web.json_response({"error": "Invalid token or authentication failed."}, status=401,
                             headers={hdrs.WWW_AUTHENTICATE: "Bearer"})


def channel_auth_middleware(settings: BotSettings) -> Middleware:
    """Admits a request with a valid Bot Framework token for the activity's ``serviceUrl`` (or with none when
    anonymous, for a loopback ``serviceUrl``); otherwise 401, or 400 for what is no activity at all.

    Anonymous is allowed only without ``YA_CLIENT_ID`` (the Playground), as in the SDK; a token sent
    anyway is still checked. The claims are left where the SDK's adapter reads them.
    """
    validator = channel_validator(settings)
    anonymous = settings.anonymous

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get(hdrs.AUTHORIZATION)
        if header is not None and len(header) > MAX_AUTHORIZATION_CHARS:
            log.warning("Channel request refused: Authorization header over %d characters.", MAX_AUTHORIZATION_CHARS)
            return web.json_response({"error": "Authorization header too long."}, status=400)
        if header is None:
            if not anonymous:
                log.warning("Channel request refused: no token.")
                return _unauthorized()
            claims = validator.get_anonymous_claims()
        else:
            found = await _token_claims(validator, header)
            if found is None:
                return _unauthorized()
            claims = found
        activity = await activity_json(request)
        url = service_url(activity)
        if activity is None or url is None:
            return not_an_activity()
        if anonymous and not is_loopback_host(url.host):
            # The Playground's connector is on this machine; anything else needs a Bot Framework token.
            log.warning("Channel request refused: anonymous mode answers loopback service URLs only.")
            return _unauthorized()
        if header is not None and not _names_service_url(claims, activity["serviceUrl"]):
            return _unauthorized()
        _set_claims(request, claims)
        return await handler(request)

    return authenticate


async def _token_claims(validator: JwtTokenValidator, header: str) -> ClaimsIdentity | None:
    """The claims of a valid, expiring Bot Framework channel token; None (logged without the token) otherwise."""
    token = _bearer(header)
    if token is None:
        log.warning("Channel request refused: malformed Authorization header.")
        return None
    try:
        claims = await validator.validate_token(token)
    except Exception as err:  # noqa: BLE001 - whatever an untrusted token makes the validator raise is a 401
        log.warning("Channel request refused: token not valid (%s).", type(err).__name__)
        return None
    if "exp" not in claims.claims:
        log.warning("Channel request refused: token without expiry.")
        return None
    if claims.is_agent_claim():
        # Another app's token for our app id (agent-to-agent); this bot has no agent callers, and the
        # SDK checks no allow-list of callers: any app of an accepted issuer's tenant could get one.
        log.warning("Channel request refused: agent-to-agent token.")
        return None
    return claims


def _names_service_url(claims: ClaimsIdentity, activity_service_url: str) -> bool:
    claim = claims.get_claim_value(SERVICE_URL_CLAIM)
    if not isinstance(claim, str) or not claim:
        log.warning("Channel request refused: token without a serviceurl claim.")
        return False
    if not same_service_url(claim, activity_service_url):
        # Neither address is logged: the activity's is the sender's choice.
        log.warning("Channel request refused: the token's serviceurl is not the activity's serviceUrl.")
        return False
    return True
