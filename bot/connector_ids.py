"""Percent-encoding conversation and activity ids in the Bot Connector's URLs.

The Agents SDK 1.9 puts ids into the REST paths as they are (``v3/conversations/{id}/activities/{id}``).
Teams ids are ``19:…@thread.tacv2;messageid=…`` or ``a:…``: an id with ``/``, ``#`` or ``?`` would end
the path segment (another resource, a fragment, a query) and the reply would go astray or fail. Every
path segment is encoded here, as the Bot Framework's other SDKs do; the connector decodes it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from microsoft_agents.activity import Activity, ResourceResponse
from microsoft_agents.hosting.core import RestChannelServiceClientFactory
from microsoft_agents.hosting.core.connector.client.connector_client import ConnectorClient, ConversationsOperations


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


class EncodedIdsClientFactory(RestChannelServiceClientFactory):
    """The SDK's client factory, whose connector clients encode ids in their URLs."""

    async def create_connector_client(self, *args: Any, **kwargs: Any) -> Any:
        """The SDK's connector client with :class:`EncodedConversations`."""
        client = await super().create_connector_client(*args, **kwargs)
        if isinstance(client, ConnectorClient):
            # The SDK keeps the operations in a private attribute and offers no hook to replace them.
            client._conversations = EncodedConversations(client.client)
        return client
