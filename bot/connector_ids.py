"""The Bot Connector's clients: ids percent-encoded in their URLs, and kept from turn to turn.

The Agents SDK 1.9 puts ids into the REST paths as they are (``v3/conversations/{id}/activities/{id}``).
Teams ids are ``19:…@thread.tacv2;messageid=…`` or ``a:…``: an id with ``/``, ``#`` or ``?`` would end
the path segment (another resource, a fragment, a query) and the reply would go astray or fail. Every
path segment is encoded here, as the Bot Framework's other SDKs do; the connector decodes it.

The SDK also makes two clients for every turn, each with a new HTTP session and a product-version lookup in
the installed packages' metadata, and closes them when the turn ends: ~0.4 ms of CPU a card click, a fifth of
the bot's (make bench, py-spy). The same endpoint and token give the same client, so one is kept for each and
the turn's close leaves it open; one not handed out for 15 minutes (the token has changed by then) is closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from microsoft_agents.activity import Activity, ResourceResponse, RoleTypes
from microsoft_agents.hosting.core import ClaimsIdentity, Connections, RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.connector.client import UserTokenClient
from microsoft_agents.hosting.core.connector.client.connector_client import ConnectorClient, ConversationsOperations
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

#: A kept client not handed out for this long is closed (tokens last an hour; a turn, seconds).
IDLE_SECONDS = 15 * 60
#: At most this many clients are kept (endpoints × tokens: a few in production); past it, a client is made for
#: the turn and closed with it, as the SDK does.
MAX_KEPT = 32


def encode_segment(value: str) -> str:
    """One URL path segment: every reserved character percent-encoded."""
    return quote(value, safe="")


class EncodedConversations(ConversationsOperations):
    """The SDK's conversation operations with ids encoded as path segments."""

    def _normalize_conversation_id(self, conversation_id: str, activity: Activity | None = None) -> str:
        return encode_segment(super()._normalize_conversation_id(conversation_id, activity))

    async def reply_to_activity(self, conversation_id: str, activity_id: str, body: Activity) -> ResourceResponse:
        """Replies in a thread; both ids encoded."""
        return await super().reply_to_activity(conversation_id, encode_segment(activity_id), body)

    async def update_activity(self, conversation_id: str, activity_id: str, body: Activity) -> ResourceResponse:
        """Replaces a message (a card updated in place); both ids encoded."""
        return await super().update_activity(conversation_id, encode_segment(activity_id), body)

    async def delete_activity(self, conversation_id: str, activity_id: str) -> None:
        """Deletes a message; both ids encoded."""
        await super().delete_activity(conversation_id, encode_segment(activity_id))


class _KeptConnectorClient(TeamsConnectorClient):
    """A connector client that outlives the turn: the adapter's close at the turn's end leaves it open."""

    def __init__(self, endpoint: str, token: str) -> None:
        super().__init__(endpoint=endpoint, token=token)
        # The SDK keeps the operations in a private attribute and offers no hook to replace them.
        self._conversations = EncodedConversations(self.client)

    async def close(self) -> None:
        """Left open: kept for the next turn."""

    async def release(self) -> None:
        """Closes the HTTP session."""
        await super().close()


class _KeptUserTokenClient(UserTokenClient):
    """A user token client that outlives the turn (the bot signs nobody in; the SDK makes one every turn)."""

    async def close(self) -> None:
        """Left open: kept for the next turn."""

    async def release(self) -> None:
        """Closes the HTTP session."""
        await super().close()


class EncodedIdsClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory, whose connector clients encode ids in their URLs and are kept per endpoint and
    token; ``close`` closes the kept ones. ``monotonic``: the clock for idle times."""

    def __init__(self, connections: Connections, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(connections)
        self._connections = connections
        self._monotonic = monotonic
        self._kept: dict[tuple[str, str, str | None, str], tuple[_KeptConnectorClient | _KeptUserTokenClient,
                                                                 float]] = {}

    async def create_connector_client(self, context: TurnContext | None, claims_identity: ClaimsIdentity,
                                      service_url: str, audience: str, scopes: list[str] | None = None,
                                      use_anonymous: bool = False) -> Any:
        """A kept connector client for the endpoint and token; made per turn, as the SDK makes it, for an agentic
        request or a Copilot Studio connector user."""
        activity = context.activity if context is not None else None
        if (not service_url or not audience or (activity is not None and (
                activity.is_agentic_request()
                or (activity.recipient is not None and activity.recipient.role == RoleTypes.connector_user)))):
            client = await super().create_connector_client(context, claims_identity, service_url, audience, scopes,
                                                           use_anonymous)
            if isinstance(client, ConnectorClient):
                client._conversations = EncodedConversations(client.client)
            return client
        provider = (self._ANONYMOUS_TOKEN_PROVIDER if use_anonymous
                    else self._connections.get_token_provider(claims_identity, service_url))
        token = await provider.get_access_token(audience, scopes or claims_identity.get_token_scope())
        key = ("connector", service_url, None, token)
        if not await self._room_for(key):
            client = TeamsConnectorClient(endpoint=service_url, token=token)
            client._conversations = EncodedConversations(client.client)
            return client
        return await self._keep(key, lambda: _KeptConnectorClient(service_url, token))

    async def create_user_token_client(self, context: TurnContext, claims_identity: ClaimsIdentity,
                                       use_anonymous: bool = False) -> Any:
        """A kept user token client for the app id and token (made per turn for an agentic request)."""
        if context.activity.is_agentic_request():
            return await super().create_user_token_client(context, claims_identity, use_anonymous)
        app_id = claims_identity.get_app_id()
        token = ""
        if not use_anonymous:
            provider = self._connections.get_token_provider(claims_identity, self._token_service_endpoint)
            token = await provider.get_access_token(self._token_service_audience, claims_identity.get_token_scope())
            if not token:
                raise ValueError("Failed to obtain token for user token client")
        key = ("user-token", self._token_service_endpoint, app_id, token)
        if not await self._room_for(key):
            return UserTokenClient(app_id=app_id, endpoint=self._token_service_endpoint, token=token)
        return await self._keep(key, lambda: _KeptUserTokenClient(app_id=app_id, endpoint=self._token_service_endpoint,
                                                                   token=token))

    async def _room_for(self, key: tuple[str, str, str | None, str]) -> bool:
        """Closes the clients idle too long; whether ``key``'s client is or may be kept."""
        now = self._monotonic()
        for stale in [k for k, (_, used) in self._kept.items() if now - used > IDLE_SECONDS and k != key]:
            client, _ = self._kept.pop(stale)
            await client.release()
        return key in self._kept or len(self._kept) < MAX_KEPT

    async def _keep(self, key: tuple[str, str, str | None, str],
                    make: Callable[[], _KeptConnectorClient | _KeptUserTokenClient]) -> Any:
        now = self._monotonic()
        kept = self._kept.get(key)
        client = kept[0] if kept is not None else make()
        self._kept[key] = (client, now)
        return client

    async def close(self) -> None:
        """Closes every kept client."""
        kept, self._kept = self._kept, {}
        for client, _ in kept.values():
            await client.release()
