"""Which tenant a Graph request runs in: the ``tid`` of its bearer token, when the sandbox issued it.

- A token the sandbox issued (it carries ``tid``) is verified: a bad signature, another audience or an
  expired one (by the sandbox clock) is refused with 401 ``InvalidAuthenticationToken``, as Graph does.
- No token, or a legacy test token (an unsigned JWT with only ``oid``/``upn``, or any other text): the home
  tenant, as before multi-tenancy; unless the sandbox requires tokens (``--require-tokens``): then 401.
"""

from __future__ import annotations

from aiohttp import web

from m365_sandbox.core.context import APP_ONLY, DIRECTORY, REQUEST_TENANT, REQUIRE_TOKENS, token_claims
from m365_sandbox.core.errors import GraphError
from m365_sandbox.identity.context import TOKENS
from m365_sandbox.identity.tokens import InvalidToken


def _refused(message: str) -> GraphError:
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": 'Bearer realm=""'})


def authenticate(request: web.Request) -> None:
    """Set the request's tenant from its token (see the module); raise Graph's 401 for a refused token."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    required = request.app[REQUIRE_TOKENS]
    if not token or "tid" not in token_claims(request):
        if required:
            raise _refused("Access token is empty." if not token else "Access token validation failure.")
        return
    try:
        verified = request.app[TOKENS].verify(token)
    except InvalidToken as exc:
        raise _refused(str(exc)) from exc
    found = request.app[DIRECTORY].tenant(verified.tenant_id)
    if found is None:
        raise _refused("Access token validation failure. Invalid tenant.")
    request[REQUEST_TENANT] = found
    request[APP_ONLY] = verified.claims.get("idtyp") == "app"
