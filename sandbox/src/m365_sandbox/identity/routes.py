"""The token endpoint: ``POST /{tenant}/oauth2/v2.0/token`` (and its OpenID configuration), as Entra serves them.

Served on the sandbox's https address too (``RunningSandbox.authority``): azure-identity only talks to
an https authority. With azure-identity's async credentials::

    ClientSecretCredential(tenant_id, client_id, secret, authority=running.authority,
                           connection_verify=running.ca_file)

``connection_verify`` reaches azure-core's aiohttp transport (a CA bundle path).
"""

from __future__ import annotations

import json

from aiohttp import web

from m365_sandbox.core.context import CLOCK, root_url
from m365_sandbox.identity.context import TOKENS
from m365_sandbox.identity.tokens import TokenRefused


def _json(payload: object, status: int = 200) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(payload).encode(), content_type="application/json",
        headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"},
    )


async def token(request: web.Request) -> web.Response:
    """POST /{tenant}/oauth2/v2.0/token: client credentials (secret or client assertion)."""
    form = await request.post()
    fields = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    try:
        answer = request.app[TOKENS].grant(request.match_info["tenant"], fields)
    except TokenRefused as refused:
        return _json(refused.body(request.app[CLOCK].now()), refused.status)
    return _json(answer)


async def openid_configuration(request: web.Request) -> web.Response:
    """GET /{tenant}/v2.0/.well-known/openid-configuration: where the token endpoint is (for MSAL)."""
    tenant_id = request.match_info["tenant"]
    if request.app[TOKENS].directory.tenant(tenant_id) is None:
        return _json({"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant_id}' not found."},
                     400)
    base = f"{root_url(request)}/{tenant_id}"
    return _json({
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "issuer": f"https://sts.windows.net/{tenant_id}/",
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "tenant_region_scope": "EU",
    })


def add_routes(app: web.Application) -> None:
    """Register the token endpoint and the OpenID configuration."""
    app.router.add_post("/{tenant}/oauth2/v2.0/token", token)
    app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration)
