"""Several tenants in one sandbox: Entra-style tokens through azure-identity, the caller's tenant, getSchedule.

The demo data file has the municipality (home), the wellbeing services county (shares free/busy with the
home tenant, has not consented to the bot's app), the parish (consented, shares nothing) and an NGO worker
with no tenant. Clocks are injected: nothing depends on today's date.
"""

from __future__ import annotations

import base64
import json
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.identity.aio import ClientAssertionCredential, ClientSecretCredential
from sandbox_support import LIISA_ID, StartSandbox, local, mail, week_day

from m365_sandbox.core.directory import load_directory, parse_directory
from m365_sandbox.core.tenant import TenantError, default_tenant_path
from m365_sandbox.identity.context import TOKENS
from m365_sandbox.runner import RunningSandbox

APP = "7e5a0b17-0c1a-4a5e-9a11-00000000a001"
SECRET = "sandbox-secret"
HOME = "5f1b6f0e-3c1d-4f8e-9a4e-6b6d1c0a7e21"
COUNTY = "8d2f3a6c-41b7-4e0a-b5d9-2c7e9f1a4b63"
PARISH = "c3a9e1d4-6f28-4b7e-8a15-9e0d7b2c5f84"
SATU = "satu.salminen@esimerkkilanhva.onmicrosoft.com"
PAULA = "paula.pesonen@esimerkkilanseurakunta.onmicrosoft.com"
PAULA_ID = "4e1a7c92-b3d8-45f6-9c20-8a5f1e3d6b04"
EEVA = "eeva.ensio@ensikoti.example"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
NOW = datetime(2031, 3, 3, 6, 0, tzinfo=UTC)  # Monday 8.00 in Helsinki, TODAY of the seeded database


def fixed(moment: datetime = NOW) -> Any:
    """A base clock that stands still at ``moment``."""
    return lambda: moment


async def token_for(sandbox: RunningSandbox, tenant_id: str, scope: str = GRAPH_SCOPE) -> str:
    """An app-only token of the bot's app in ``tenant_id``, through azure-identity as the bot gets it."""
    async with ClientSecretCredential(
        tenant_id, APP, SECRET, authority=sandbox.authority, connection_verify=sandbox.ca_file
    ) as credential:
        return (await credential.get_token(scope)).token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


async def test_azure_identity_gets_a_token_that_graph_accepts(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    async with ClientSecretCredential(
        HOME, APP, SECRET, authority=sandbox.authority, connection_verify=sandbox.ca_file
    ) as credential:
        token = await credential.get_token(GRAPH_SCOPE)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["tid"] == HOME and claims["aud"] == "https://graph.microsoft.com"
    assert claims["iss"] == f"https://sts.windows.net/{HOME}/"
    assert claims["appid"] == claims["azp"] == APP
    assert {"Calendars.ReadWrite", "Mail.Send", "Files.ReadWrite.All", "User.Read.All"} <= set(claims["roles"])
    assert claims["iat"] == claims["nbf"] == int(NOW.timestamp())  # the sandbox clock, not the machine's
    assert claims["exp"] - claims["iat"] == 3600
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        user = await http.get(f"/v1.0/users/{LIISA_ID}", headers=bearer(token.token))
    assert user.status_code == 200 and user.json()["displayName"] == "Liisa Lähinen"
    # The https address really is verified with the CA file: without it the machine's CAs refuse it.
    async with ClientSecretCredential(HOME, APP, SECRET, authority=sandbox.authority) as untrusted:
        with pytest.raises((ServiceRequestError, ClientAuthenticationError)):
            await untrusted.get_token(GRAPH_SCOPE)


async def test_client_assertion_from_the_home_tenant_gets_a_partner_token(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    exchange = await token_for(sandbox, HOME, "api://AzureADTokenExchange/.default")
    assert jwt.decode(exchange, options={"verify_signature": False})["aud"] == "api://AzureADTokenExchange"
    async with ClientAssertionCredential(
        PARISH, APP, lambda: exchange, authority=sandbox.authority, connection_verify=sandbox.ca_file
    ) as credential:
        parish = (await credential.get_token(GRAPH_SCOPE)).token
    assert jwt.decode(parish, options={"verify_signature": False})["tid"] == PARISH
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        users = await http.get("/v1.0/users", headers=bearer(parish))
        assert [u["mail"] for u in users.json()["value"]] == [PAULA]
        # A token for the exchange audience is not a Graph token.
        refused = await http.get("/v1.0/users", headers=bearer(exchange))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "InvalidAuthenticationToken"


@pytest.mark.parametrize(
    ("tenant", "form", "status", "error", "code"),
    [
        ("00000000-0000-0000-0000-000000000bad", {}, 400, "invalid_request", 90002),
        (HOME, {"client_secret": "wrong"}, 401, "invalid_client", 7000215),
        (COUNTY, {}, 400, "unauthorized_client", 700016),  # no admin consent in the county
        (HOME, {"client_id": "0f0f0f0f-0000-0000-0000-000000000000"}, 400, "unauthorized_client", 700016),
        (PARISH, {"client_secret": "", "client_assertion": "x.y.z",
                  "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
         401, "invalid_client", 700027),
    ],
)
async def test_token_refusals_are_entras(
    start: StartSandbox, tenant: str, form: dict[str, str], status: int, error: str, code: int
) -> None:
    sandbox = await start(clock=fixed())
    body = {"grant_type": "client_credentials", "client_id": APP, "client_secret": SECRET, "scope": GRAPH_SCOPE,
            **form}
    async with httpx.AsyncClient(verify=ssl.create_default_context(cafile=sandbox.ca_file)) as http:
        answer = await http.post(f"{sandbox.authority}/{tenant}/oauth2/v2.0/token", data=body)
    assert answer.status_code == status
    payload = answer.json()
    assert payload["error"] == error and payload["error_codes"] == [code]
    assert payload["error_description"].startswith(f"AADSTS{code}: ")


async def test_requests_run_in_the_callers_tenant(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    parish = await token_for(sandbox, PARISH)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        drive = (await http.get(f"/v1.0/users/{LIISA_ID}/drive")).json()  # no token: the home tenant
        for path in (f"/v1.0/users/{LIISA_ID}", f"/v1.0/users/{mail('liisa.lahinen')}/events",
                     f"/v1.0/users/{LIISA_ID}/calendarView?startDateTime=2031-03-03T00:00:00Z"
                     "&endDateTime=2031-03-04T00:00:00Z", f"/v1.0/drives/{drive['id']}"):
            denied = await http.get(path, headers=bearer(parish))
            assert denied.status_code == 403, path
            assert denied.json()["error"]["code"] == "ErrorAccessDenied"
            assert denied.json()["error"]["message"] == "Access is denied. Check credentials and try again."
        unknown = await http.get("/v1.0/users/ei.ole@esimerkkilanseurakunta.onmicrosoft.com", headers=bearer(parish))
        assert unknown.status_code == 404
        own = await http.get(f"/v1.0/users/{PAULA_ID}/events", headers=bearer(parish))
        assert own.status_code == 200 and {e["subject"] for e in own.json()["value"]} >= {"Perhekerho"}
        # Without a token the home tenant is used, as before: the parish's people are out of reach.
        home = await http.get(f"/v1.0/users/{PAULA}")
        assert home.status_code == 403
        assert (await http.get(f"/v1.0/users/{LIISA_ID}")).status_code == 200


async def test_forged_and_expired_tokens_are_refused(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    token = await token_for(sandbox, HOME)
    head, payload, _signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["tid"] = PARISH
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        forged = await http.get("/v1.0/users", headers=bearer(f"{head}.{forged_payload}.{_signature}"))
        assert forged.status_code == 401 and forged.json()["error"]["code"] == "InvalidAuthenticationToken"
        other_key = jwt.encode(claims, b"k" * 32, algorithm="HS256")
        assert (await http.get("/v1.0/users", headers=bearer(other_key))).status_code == 401
        assert (await http.get("/v1.0/users", headers=bearer(token))).status_code == 200
        moved = await http.put("/_admin/clock", json={"advanceMinutes": 61})
        assert moved.status_code == 200
        expired = await http.get("/v1.0/users", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json()["error"]["message"] == "Access token has expired or is not yet valid."


async def test_require_tokens(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed(), require_tokens=True)
    legacy = jwt.encode({"oid": LIISA_ID}, key="", algorithm="none")  # the unsigned test tokens of old
    token = await token_for(sandbox, HOME)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        for headers in ({}, bearer(legacy)):
            refused = await http.get(f"/v1.0/users/{LIISA_ID}", headers=headers)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert (await http.get(f"/v1.0/users/{LIISA_ID}", headers=bearer(token))).status_code == 200
        me = await http.get("/v1.0/me", headers=bearer(token))
        assert me.status_code == 400
        assert me.json()["error"]["message"] == "/me request is only valid with delegated authentication flow."
        assert (await http.get("/_admin/health")).status_code == 200  # the admin API needs no token


async def test_get_schedule_across_tenants(start: StartSandbox) -> None:
    sandbox = await start(clock=fixed())
    monday = week_day(1, 0)
    wednesday = week_day(1, 2)
    body = {
        "schedules": [SATU, PAULA, EEVA, "ei.ole@example.org", mail("mikko.miettinen")],
        "startTime": {"dateTime": local(monday, 8), "timeZone": "Europe/Helsinki"},
        "endTime": {"dateTime": local(wednesday, 16), "timeZone": "Europe/Helsinki"},
        "availabilityViewInterval": 60,
    }
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        answer = await http.post(f"/v1.0/users/{LIISA_ID}/calendar/getSchedule", json=body)
        assert answer.status_code == 200
        satu, paula, eeva, unknown, mikko = answer.json()["value"]
        # The county shares free/busy with the municipality: status and times, no subjects, no places.
        assert satu["scheduleId"] == SATU and "error" not in satu
        assert satu["availabilityView"][:4] == "2222"  # her Monday clinic 8–12
        assert satu["scheduleItems"] and all(set(i) == {"status", "start", "end"} for i in satu["scheduleItems"])
        assert "Poliklinikan" not in answer.text and "Työnohjaus" not in answer.text
        assert satu["workingHours"]["daysOfWeek"][0] == "monday"
        # The parish shares nothing; outside and unknown addresses resolve to nothing: Graph's 5009 entries.
        for entry, address in ((paula, PAULA), (eeva, EEVA), (unknown, "ei.ole@example.org")):
            assert entry == {
                "scheduleId": address,
                "error": {
                    "message": f"Unable to resolve e-mail address {address} to an Active Directory object.",
                    "responseCode": "5009",
                },
            }
        assert any(i.get("subject") for i in mikko["scheduleItems"])  # the caller's own tenant: in full
        # Seen from the parish, the municipality does not share: 5009 for Mikko; Paula herself in full.
        parish = await token_for(sandbox, PARISH)
        body["schedules"] = [mail("mikko.miettinen"), PAULA]
        seen = await http.post(f"/v1.0/users/{PAULA_ID}/calendar/getSchedule", json=body, headers=bearer(parish))
        home_entry, own = seen.json()["value"]
        assert home_entry["error"]["responseCode"] == "5009"
        assert "Perhekerho" in {i.get("subject") for i in own["scheduleItems"]}


def test_data_file_validation_names_the_file_and_the_entry(tmp_path: Path) -> None:
    directory = load_directory(default_tenant_path())
    assert [t.tenant_id for t in directory.tenants] == [HOME, COUNTY, PARISH]
    assert directory.find(SATU) is not None and directory.tenant_of(directory.find(SATU)).tenant_id == COUNTY
    assert directory.outside_person(EEVA) is not None and directory.find(EEVA) is None
    raw = {
        "tenant": {"id": "a", "domain": "a.example"},
        "users": [{"id": "u1", "displayName": "A", "mail": "a@a.example"}],
        "other_tenants": [{"tenant": {"id": "b", "domain": "b.example"},
                           "users": [{"id": "u1", "displayName": "B", "mail": "b@b.example"}]}],
    }
    with pytest.raises(TenantError, match=r"other_tenants\[0\].*'u1'"):
        parse_directory(raw)
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps({**raw, "other_tenants": [], "apps": [{"client_id": "c", "secret": "s",
                                                                      "home_tenant": "nowhere"}]}))
    with pytest.raises(TenantError, match=r"bad\.yaml: apps\[0\]\.home_tenant"):
        load_directory(path)
    # A file with one tenant and no multi-tenant keys is one tenant, as before.
    single = parse_directory({k: v for k, v in raw.items() if k != "other_tenants"})
    assert single.others == () and single.apps == () and single.transport.synchronous


async def test_tokens_of_a_tenant_without_consent_can_be_made_for_tests(start: StartSandbox) -> None:
    """The county has not consented: tests read its mailboxes with a token the sandbox issues directly."""
    sandbox = await start(clock=fixed())
    county = sandbox.app[TOKENS].directory.tenant(COUNTY)
    app = sandbox.app[TOKENS].directory.app(APP)
    assert county is not None and app is not None
    token = sandbox.app[TOKENS].issue(county, app)
    async with httpx.AsyncClient(base_url=sandbox.root_url) as http:
        users = await http.get("/v1.0/users", headers=bearer(token))
    assert {u["displayName"] for u in users.json()["value"]} == {"Satu Salminen", "Ville Vartiainen"}
    assert timedelta(seconds=jwt.decode(token, options={"verify_signature": False})["exp"] - NOW.timestamp()) \
        == timedelta(hours=1)
