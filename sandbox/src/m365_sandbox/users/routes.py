"""Directory users: GET /users, GET /users/{id | userPrincipalName}, GET /me."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from m365_sandbox.core.context import base_url, require_user, tenant
from m365_sandbox.core.errors import GraphError, json_response
from m365_sandbox.core.odata import apply_order, page, parse_query, select_properties
from m365_sandbox.core.tenant import Mailbox, Tenant

# What GET /users returns without $select (Graph's default user properties).
DEFAULT_PROPERTIES = (
    "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
    "preferredLanguage", "surname", "userPrincipalName", "id",
)


def user_record(box: Mailbox, owner: Tenant) -> dict[str, Any]:
    """Every user property the sandbox knows, as Graph names them."""
    local = box.mail.split("@", 1)[0]
    return {
        "businessPhones": list(box.business_phones),
        "displayName": box.display_name,
        "givenName": box.given_name,
        "jobTitle": box.job_title,
        "mail": box.mail,
        "mobilePhone": box.mobile_phone,
        "officeLocation": box.office_location,
        "preferredLanguage": box.preferred_language,
        "surname": box.surname,
        "userPrincipalName": box.user_principal_name,
        "id": box.id,
        "accountEnabled": not box.is_room,
        "department": box.department,
        "companyName": owner.display_name,
        "usageLocation": box.usage_location,
        "userType": "Member",
        "mailNickname": local,
        "otherMails": [],
        "proxyAddresses": [f"SMTP:{box.mail}"],
        "imAddresses": [] if box.is_room else [box.user_principal_name],
        "city": None,
        "country": None,
        "employeeId": None,
        "faxNumber": None,
        "postalCode": None,
        "state": None,
        "streetAddress": None,
    }


def render_user(box: Mailbox, owner: Tenant, select: tuple[str, ...] | None) -> dict[str, Any]:
    """A user as GET /users returns it, honouring $select."""
    record = user_record(box, owner)
    if not select:
        return {name: record[name] for name in DEFAULT_PROPERTIES}
    for name in select:
        if name not in record:
            raise GraphError(
                400,
                "Request_BadRequest",
                f"Could not find a property named '{name}' on type 'microsoft.graph.user'.",
            )
    return select_properties(record, select, ())


def _context(request: web.Request, select: tuple[str, ...] | None, entity: bool) -> str:
    suffix = f"({','.join(select)})" if select else ""
    return f"{base_url(request)}/$metadata#users{suffix}{'/$entity' if entity else ''}"


async def get_user(request: web.Request) -> web.Response:
    """GET /users/{id | userPrincipalName} and GET /me."""
    options = parse_query(request, "BadRequest")
    box = require_user(request)
    payload = {"@odata.context": _context(request, options.select, True)}
    payload.update(render_user(box, tenant(request), options.select))
    return json_response(payload)


async def list_users(request: web.Request) -> web.Response:
    """GET /users with $filter (eq, startswith, or/and), $select, $orderby, $top."""
    options = parse_query(request, "BadRequest")
    owner = tenant(request)
    records = [user_record(box, owner) for box in owner.mailboxes]
    if options.filter is not None:
        records = [r for r in records if options.filter(r)]
    records = apply_order(records, options.orderby)
    chunk, next_link = page(request, records, options, 100)
    boxes = [owner.find(str(r["id"])) for r in chunk]
    payload: dict[str, Any] = {"@odata.context": _context(request, options.select, False)}
    if next_link:
        payload["@odata.nextLink"] = next_link
    payload["value"] = [render_user(box, owner, options.select) for box in boxes if box is not None]
    return json_response(payload)


def add_routes(app: web.Application) -> None:
    """Register the directory routes."""
    app.router.add_get("/v1.0/users", list_users)
    app.router.add_get("/v1.0/users/{user}", get_user)
    app.router.add_get("/v1.0/me", get_user)
