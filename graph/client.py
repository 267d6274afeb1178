"""Building the msgraph-sdk client from settings (base URL and credential)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
from kiota_abstractions.authentication import AnonymousAuthenticationProvider, AuthenticationProvider
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory
from msgraph_core.middleware import GraphTelemetryHandler

from graph.mailbox_limit import MailboxLimitedTransport

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


@dataclass(frozen=True)
class GraphSettings:
    """Where Graph is and how to authenticate. ``credential`` None means anonymous (sandbox only)."""

    base_url: str
    timeout_seconds: float = 10.0
    max_retry_after_seconds: float = 5.0


class BoundedRetryHandler(RetryHandler):
    """Kiota's retry middleware, honouring Retry-After only up to ``max_retry_after`` seconds.

    Kiota waits any Retry-After below 180 s; a card action cannot. A longer Retry-After is not
    waited: the throttled response is returned at once and the caller reports it politely.
    """

    def __init__(self, options: RetryHandlerOption, max_retry_after: float) -> None:
        super().__init__(options)
        self.max_retry_after = max_retry_after

    def get_delay_time(self, retry_count: int, response: httpx.Response | None = None,
                       delay: float = RetryHandlerOption.DEFAULT_DELAY) -> float:
        """The wait before the next attempt; ``MAX_DELAY`` (no retry) when Retry-After is beyond the cap."""
        retry_after = self._get_retry_after(response)
        if retry_after is not None and retry_after > self.max_retry_after:
            return RetryHandlerOption.MAX_DELAY
        return float(super().get_delay_time(retry_count, response, delay))

    def _is_request_payload_buffered(self, request: httpx.Request) -> bool:
        """Whether the body can be sent again. Kiota says never for ``application/octet-stream`` (it may be a
        one-shot stream), which left every throttled file upload unretried; the bot's uploads are bytes in
        memory (``httpx.ByteStream``), which can."""
        return isinstance(request.stream, httpx.ByteStream) or bool(super()._is_request_payload_buffered(request))


class GraphClientHolder:
    """Owns the HTTP client (and the credential) behind a GraphServiceClient so both close on shutdown.

    The transport is the port to the network: everything above it (auth, the bounded retries, telemetry
    and the adapters' error mapping) is the same whichever transport is given.
    """

    def __init__(self, settings: GraphSettings, credential: AsyncTokenCredential | None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        """``transport`` is where requests finally go, under the auth, retry and telemetry middleware:
        by default real HTTP (``httpx.AsyncHTTPTransport``); tests pass an ``httpx.MockTransport``. The
        holder closes it."""
        #: The azure-identity credential (None: anonymous, the sandbox); the holder closes it.
        self.credential = credential
        # msgraph-core wraps the client's transport and never closes it: keep our own handle to close. Under
        # everything, at most 4 requests at once per mailbox (Outlook's limit, graph/mailbox_limit.py).
        self._transport = MailboxLimitedTransport(transport if transport is not None else httpx.AsyncHTTPTransport())
        self._http = httpx.AsyncClient(transport=self._transport, timeout=settings.timeout_seconds)
        auth: AuthenticationProvider
        if credential is None:
            auth = AnonymousAuthenticationProvider()
        else:
            from kiota_authentication_azure.azure_identity_authentication_provider import (  # noqa: PLC0415
                AzureIdentityAuthenticationProvider,
            )

            auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE])
        # Throttling (429) and 503 are retried by the middleware, honouring Retry-After as Graph asks, but
        # only up to settings.max_retry_after_seconds (BoundedRetryHandler); the base delay added to every
        # attempt is kept short so a card action still answers in time.
        retry = RetryHandlerOption(delay=0.2, max_retries=3)
        middleware = [BoundedRetryHandler(retry, settings.max_retry_after_seconds) if isinstance(m, RetryHandler)
                      else m for m in KiotaClientFactory.get_default_middleware({retry.get_key(): retry})]
        middleware.append(GraphTelemetryHandler())
        self._graph_http = GraphClientFactory.create_with_custom_middleware(middleware, client=self._http)
        adapter = GraphRequestAdapter(auth, client=self._graph_http)
        adapter.base_url = settings.base_url.rstrip("/")
        self.client = GraphServiceClient(request_adapter=adapter)

    @property
    def http(self) -> httpx.AsyncClient:
        """A plain client for pre-authenticated URLs (upload-session ranges): no auth header, no Graph base."""
        return self._http

    async def close(self) -> None:
        """Closes the underlying HTTP connections and the credential's own."""
        await self._graph_http.aclose()
        await self._http.aclose()
        await self._transport.aclose()
        if self.credential is not None:
            await self.credential.close()
