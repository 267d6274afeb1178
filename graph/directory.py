"""The Directory port over Graph users."""

from __future__ import annotations

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.models.user import User
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_service_client import GraphServiceClient

from domain.convening import Person
from graph.errors import GraphUnavailableError, call

_SELECT = ["id", "displayName", "mail", "userPrincipalName"]


def _person(user: User) -> Person | None:
    email = user.mail or user.user_principal_name
    if not email:
        return None
    return Person(email=email, display_name=user.display_name or email)


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
        try:
            user = await call(lambda: self._client.users.by_user_id(user_id).get(request_configuration=config))
        except GraphUnavailableError as err:
            if err.status == 404:
                return None
            raise
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
        result = await call(lambda: self._client.users.get(request_configuration=config))
        people = [_person(u) for u in (result.value or [])] if result else []
        return [p for p in people if p is not None]
