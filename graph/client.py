"""Building the msgraph-sdk client from settings (base URL and credential)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from kiota_abstractions.authentication import AnonymousAuthenticationProvider, AuthenticationProvider
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass(frozen=True)
class GraphSettings:
    """Where Graph is and how to authenticate. ``credential`` None means anonymous (sandbox only)."""

    base_url: str
    timeout_seconds: float = 10.0


class GraphClientHolder:
    """Owns the HTTP client behind a GraphServiceClient so it can be closed on shutdown."""

    def __init__(self, settings: GraphSettings, credential: AsyncTokenCredential | None) -> None:
        # msgraph-core wraps the client's transport and never closes it: keep our own handle to close.
        self._transport = httpx.AsyncHTTPTransport()
        self._http = httpx.AsyncClient(transport=self._transport, timeout=settings.timeout_seconds)
        auth: AuthenticationProvider
        if credential is None:
            auth = AnonymousAuthenticationProvider()
        else:
            from kiota_authentication_azure.azure_identity_authentication_provider import (  # noqa: PLC0415
                AzureIdentityAuthenticationProvider,
            )

            auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE])
        # The default middleware retries 429/503 honouring Retry-After, as Graph asks clients to.
        # Throttling (429) and 503 are retried by the middleware, honouring Retry-After; the base delay
        # added to every attempt is kept short so a card action still answers in time.
        options = {RetryHandlerOption.get_key(): RetryHandlerOption(delay=0.2, max_retries=3)}
        self._graph_http = GraphClientFactory.create_with_default_middleware(client=self._http, options=options)
        adapter = GraphRequestAdapter(auth, client=self._graph_http)
        adapter.base_url = settings.base_url.rstrip("/")
        self.client = GraphServiceClient(request_adapter=adapter)

    @property
    def http(self) -> httpx.AsyncClient:
        """A plain client for pre-authenticated URLs (upload-session ranges): no auth header, no Graph base."""
        return self._http

    async def close(self) -> None:
        """Closes the underlying HTTP connections."""
        await self._graph_http.aclose()
        await self._http.aclose()
        await self._transport.aclose()
