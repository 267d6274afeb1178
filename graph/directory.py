"""The Directory port over Graph users."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from domain.convening import Person
from graph.errors import GraphUnavailableError, call
from graph.json_requests import json_object, send_bytes

_SELECT = ["id", "displayName", "mail", "userPrincipalName"]


def _person(user: Mapping[str, object]) -> Person | None:
    email = user.get("mail") or user.get("userPrincipalName")
    if not email:
        return None
    return Person(email=str(email), display_name=str(user.get("displayName") or email))


def _quote(text: str) -> str:
    """OData string literal content: single quotes doubled."""
    return text.replace("'", "''")


class GraphDirectory:
    """Looks people up with ``GET /users``."""

    def __init__(self, client: GraphServiceClient) -> None:
        self._client = client

    async def person_by_id(self, user_id: str) -> Person | None:
        """The user with this object id or UPN; None when Graph says 404."""
        config = RequestConfiguration(
            query_parameters=UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=_SELECT))
        builder = self._client.users.by_user_id(user_id)
        request = builder.to_get_request_information(config)
        try:
            # The answer read as JSON, not through kiota's User model: deserializing it imported ~1,200
            # msgraph model modules (+34 MB RSS and ~1.5 s CPU at the first lookup, make bench).
            raw = await call(partial(send_bytes, builder.request_adapter, request))
        except GraphUnavailableError as err:
            if err.status == 404:
                return None
            raise
        user = json_object(raw)
        return _person(user) if user else None

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        """Exact e-mail match, or users whose display name or e-mail starts with ``text``."""
        value = _quote(text.strip())
        if "@" in value:
            flt = f"mail eq '{value}' or userPrincipalName eq '{value}'"
        else:
            flt = f"startswith(displayName,'{value}') or startswith(mail,'{value}')"
        params = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(filter=flt, select=_SELECT, top=limit)
        config = RequestConfiguration(query_parameters=params)
        users = self._client.users
        request = users.to_get_request_information(config)
        raw = await call(partial(send_bytes, users.request_adapter, request))
        found = json_object(raw).get("value")
        people: list[Person | None] = ([_person(u) for u in found if isinstance(u, dict)]
                                       if isinstance(found, list) else [])
        return [p for p in people if p is not None]
