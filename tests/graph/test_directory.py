"""The Directory adapter against recorded Graph answers: one user by id, people by e-mail or name."""

from __future__ import annotations

import pytest

from domain.convening import Person
from graph.directory import GraphDirectory
from tests.graph.recorded import RecordedGraph, Reply, connected, failure, ok, recorded, service_error, status_and_code

T = "esimerkkila.onmicrosoft.com"
HANNA_ID = "854654b9-400f-58a0-bba5-ed3132d5ee57"
USER = "GET /users/{user}"
USERS = "GET /users"


async def test_a_user_is_looked_up_with_only_the_fields_the_bot_needs() -> None:
    graph = RecordedGraph({USER: ok("user")})

    async with connected(graph) as holder:
        person = await GraphDirectory(holder.client).person_by_id(HANNA_ID)

    assert person == Person(f"hanna.heikkinen@{T}", "Hanna Heikkinen")
    [sent] = graph.seen
    assert sent.path == f"/users/{HANNA_ID}"
    assert sent.query == {"$select": "id,displayName,mail,userPrincipalName"}


async def test_a_user_without_a_mailbox_address_is_known_by_the_user_principal_name() -> None:
    graph = RecordedGraph({USER: Reply(200, {**recorded("user"), "mail": None})})

    async with connected(graph) as holder:
        person = await GraphDirectory(holder.client).person_by_id(HANNA_ID)

    assert person == Person(f"hanna.heikkinen@{T}", "Hanna Heikkinen")


async def test_an_unknown_user_is_none() -> None:
    graph = RecordedGraph({USER: failure(404, "error_user_not_found")})

    async with connected(graph) as holder:
        assert await GraphDirectory(holder.client).person_by_id(f"hanna.heikkine@{T}") is None


async def test_a_refused_lookup_is_a_graph_failure_that_carries_no_graph_message() -> None:
    graph = RecordedGraph({USER: failure(403, "error_mailbox_refused")})

    async with connected(graph) as holder:
        with pytest.raises(service_error()) as caught:
            await GraphDirectory(holder.client).person_by_id(HANNA_ID)

    assert status_and_code(caught.value) == (403, "ErrorAccessDenied")
    assert "OData" not in str(caught.value), "Graph's message may echo request data: only status and code"
    assert len(graph.seen) == 1, "a refusal is not retried"


async def test_an_email_address_is_matched_exactly() -> None:
    graph = RecordedGraph({USERS: ok("users_filtered")})

    async with connected(graph) as holder:
        people = await GraphDirectory(holder.client).find_people(f" hanna.heikkinen@{T} ")

    [sent] = graph.seen
    assert sent.query == {"$filter": f"mail eq 'hanna.heikkinen@{T}' or userPrincipalName eq 'hanna.heikkinen@{T}'",
                          "$select": "id,displayName,mail,userPrincipalName", "$top": "5"}
    assert people == [Person(f"hanna.heikkinen@{T}", "Hanna Heikkinen"),
                      Person(f"harri.hamalainen@{T}", "Harri Hämäläinen (sijainen)")]


async def test_a_name_is_searched_by_its_beginning_with_quotes_escaped() -> None:
    graph = RecordedGraph({USERS: Reply(200, {**recorded("users_filtered"), "value": []})})

    async with connected(graph) as holder:
        people = await GraphDirectory(holder.client).find_people("Hä'mä", limit=3)

    assert people == []
    assert graph.seen[0].query == {"$filter": "startswith(displayName,'Hä''mä') or startswith(mail,'Hä''mä')",
                                   "$select": "id,displayName,mail,userPrincipalName", "$top": "3"}
