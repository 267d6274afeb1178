"""Directory lookups through msgraph-sdk: by id, by UPN, $filter, $select, paging, errors."""

from __future__ import annotations

import httpx
import pytest
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from sandbox_support import MIKKO_ID, mail


async def test_user_by_id_and_by_upn(graph: GraphServiceClient) -> None:
    by_id = await graph.users.by_user_id(MIKKO_ID).get()
    by_upn = await graph.users.by_user_id(mail("mikko.miettinen")).get()
    assert by_id is not None and by_upn is not None
    assert by_id.id == by_upn.id == MIKKO_ID
    assert by_id.display_name == "Mikko Miettinen"
    assert by_id.job_title == "Koulukuraattori"
    assert by_id.user_principal_name == by_id.mail == mail("mikko.miettinen")
    assert by_id.preferred_language == "fi-FI"
    assert by_id.given_name == "Mikko" and by_id.surname == "Miettinen"


async def test_filter_by_mail_and_startswith(graph: GraphServiceClient) -> None:
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter=f"mail eq '{mail('hanna.heikkinen').upper()}'"
    )
    found = await graph.users.get(RequestConfiguration(query_parameters=query))
    assert found is not None and found.value is not None
    assert [u.display_name for u in found.value] == ["Hanna Heikkinen"]

    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
        filter="startswith(displayName,'pi') or startswith(mail,'kaste@') or userPrincipalName eq "
        f"'{mail('liisa.lahinen')}'",
        select=["id", "displayName", "mail"],
        top=10,
    )
    found = await graph.users.get(RequestConfiguration(query_parameters=query))
    assert found is not None and found.value is not None
    names = sorted(u.display_name or "" for u in found.value)
    assert names == ["Liisa Lähinen", "Perhekeskus – Neuvotteluhuone Kaste", "Pirjo Partanen"]
    assert all(u.job_title is None for u in found.value)


async def test_select_on_single_user(graph: GraphServiceClient) -> None:
    query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["displayName", "department"])
    user = await graph.users.by_user_id(mail("anna.airaksinen")).get(RequestConfiguration(query_parameters=query))
    assert user is not None
    assert user.display_name == "Anna Airaksinen"
    assert user.department == "Kasvatus- ja perheneuvonta"
    assert user.mail is None


async def test_top_pages_with_next_link(graph: GraphServiceClient) -> None:
    query = UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(top=5)
    first = await graph.users.get(RequestConfiguration(query_parameters=query))
    assert first is not None and first.value is not None and len(first.value) == 5
    assert first.odata_next_link
    rest = await graph.users.with_url(first.odata_next_link).get()
    assert rest is not None and rest.value is not None and len(rest.value) == 5
    assert {u.id for u in first.value}.isdisjoint({u.id for u in rest.value})


async def test_unknown_user_is_request_resource_not_found(graph: GraphServiceClient) -> None:
    with pytest.raises(ODataError) as caught:
        await graph.users.by_user_id(mail("ei.ketaan")).get()
    assert caught.value.response_status_code == 404
    assert caught.value.error is not None
    assert caught.value.error.code == "Request_ResourceNotFound"
    assert caught.value.error.inner_error is not None


async def test_room_mailbox_resolves_as_user(graph: GraphServiceClient) -> None:
    room = await graph.users.by_user_id(mail("kaste")).get()
    assert room is not None
    assert room.display_name == "Perhekeskus – Neuvotteluhuone Kaste"


async def test_me_is_first_playground_user(graph: GraphServiceClient) -> None:
    me = await graph.me.get()
    assert me is not None and me.mail == mail("liisa.lahinen")


async def test_bad_filter_and_select_are_400(http: httpx.AsyncClient) -> None:
    response = await http.get("/v1.0/users", params={"$filter": "mail eq"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadRequest"
    response = await http.get(f"/v1.0/users/{MIKKO_ID}", params={"$select": "shoeSize"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "Request_BadRequest"
