"""Contract checks of sandbox responses against Graph's v1.0 CSDL ($metadata).

Types come from ``shared/graph/graph-v1.0-csdl.xml``: EntityType/ComplexType (with BaseType
inheritance), their Property and NavigationProperty elements, and EnumType members. Every
property name a response uses must exist on the declared type (or on the type named by
``@odata.type``), and every value must be of the declared kind. Open types are checked strictly.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
CSDL_PATH = Path("/work/shared/graph/graph-v1.0-csdl.xml")

_INTEGERS = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"}
_NUMBERS = {"Edm.Double", "Edm.Single", "Edm.Decimal"}
_TIME_OF_DAY = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?$")
_DURATION = re.compile(r"^-?P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@dataclass
class TypeDef:
    """One EntityType, ComplexType or EnumType."""

    name: str
    kind: str
    base: str | None = None
    properties: dict[str, tuple[str, bool]] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)


class Schema:
    """The parsed CSDL with lookups that follow BaseType chains."""

    def __init__(self, types: dict[str, TypeDef], aliases: dict[str, str]) -> None:
        self.types = types
        self.aliases = aliases
        self._merged: dict[str, dict[str, tuple[str, bool]]] = {}

    @classmethod
    def load(cls, path: Path = CSDL_PATH) -> Schema:
        """Parse the CSDL file (a few hundred ms for Graph's 3.5 MB document)."""
        types: dict[str, TypeDef] = {}
        aliases: dict[str, str] = {}
        root = ET.parse(path).getroot()
        for schema in root.iter(f"{EDM}Schema"):
            namespace = schema.attrib["Namespace"]
            if "Alias" in schema.attrib:
                aliases[schema.attrib["Alias"]] = namespace
            for element in schema:
                tag = element.tag.removeprefix(EDM)
                if tag not in {"EntityType", "ComplexType", "EnumType"}:
                    continue
                full = f"{namespace}.{element.attrib['Name']}"
                typedef = TypeDef(full, tag, element.attrib.get("BaseType"))
                for child in element:
                    child_tag = child.tag.removeprefix(EDM)
                    if child_tag in {"Property", "NavigationProperty"}:
                        nullable = child.attrib.get("Nullable", "true") != "false"
                        typedef.properties[child.attrib["Name"]] = (child.attrib["Type"], nullable)
                    elif child_tag == "Member":
                        typedef.members.add(child.attrib["Name"])
                types[full] = typedef
        return cls(types, aliases)

    def resolve(self, name: str) -> str:
        """A full type name for ``graph.event``, ``#microsoft.graph.event`` or ``microsoft.graph.event``."""
        name = name.lstrip("#")
        if name in self.types:
            return name
        prefix, _, rest = name.partition(".")
        if prefix in self.aliases:
            return f"{self.aliases[prefix]}.{rest}"
        return name

    def properties(self, name: str) -> dict[str, tuple[str, bool]]:
        """All properties of a type, inherited ones included."""
        full = self.resolve(name)
        if full not in self._merged:
            typedef = self.types[full]
            merged = dict(self.properties(typedef.base)) if typedef.base else {}
            merged.update(typedef.properties)
            self._merged[full] = merged
        return self._merged[full]

    def derives_from(self, name: str, base: str) -> bool:
        """Whether ``name`` is ``base`` or inherits from it."""
        current: str | None = self.resolve(name)
        target = self.resolve(base)
        while current is not None:
            if current == target:
                return True
            base_name = self.types[current].base if current in self.types else None
            current = self.resolve(base_name) if base_name else None
        return False

    def check(self, value: Any, type_expr: str, path: str) -> list[str]:
        """Violations of ``value`` against a CSDL type expression (e.g. ``Collection(graph.event)``)."""
        if value is None:
            return []
        if type_expr.startswith("Collection(") and type_expr.endswith(")"):
            if not isinstance(value, list):
                return [f"{path}: expected a collection, got {type(value).__name__}"]
            inner = type_expr[len("Collection(") : -1]
            return [v for i, item in enumerate(value) for v in self.check(item, inner, f"{path}[{i}]")]
        if type_expr.startswith("Edm."):
            return _check_primitive(value, type_expr, path)
        full = self.resolve(type_expr)
        typedef = self.types.get(full)
        if typedef is None:
            return [f"{path}: unknown type {type_expr}"]
        if typedef.kind == "EnumType":
            if not isinstance(value, str):
                return [f"{path}: expected {full} member name, got {value!r}"]
            bad = [part for part in value.split(",") if part.strip() not in typedef.members]
            return [f"{path}: {value!r} is not a member of {full}"] if bad else []
        return self._check_structured(value, full, path)

    def _check_structured(self, value: Any, full: str, path: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{path}: expected a {full} object, got {type(value).__name__}"]
        actual = full
        declared = value.get("@odata.type")
        if isinstance(declared, str):
            actual = self.resolve(declared)
            if actual not in self.types or not self.derives_from(actual, full):
                return [f"{path}: @odata.type {declared} is not a {full}"]
        properties = self.properties(actual)
        problems: list[str] = []
        for key, item in value.items():
            if key.startswith("@") or "@odata." in key:
                continue
            if key not in properties:
                problems.append(f"{path}.{key}: no such property on {actual}")
                continue
            type_name, nullable = properties[key]
            if item is None and not nullable:
                problems.append(f"{path}.{key}: null for a non-nullable property of {actual}")
            problems.extend(self.check(item, type_name, f"{path}.{key}"))
        return problems


def _check_primitive(value: Any, type_name: str, path: str) -> list[str]:
    ok = True
    if type_name == "Edm.String":
        ok = isinstance(value, str)
    elif type_name == "Edm.Boolean":
        ok = isinstance(value, bool)
    elif type_name in _INTEGERS:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif type_name in _NUMBERS:
        ok = (isinstance(value, int | float) and not isinstance(value, bool)) or value in {"NaN", "INF", "-INF"}
    elif type_name == "Edm.DateTimeOffset":
        ok = isinstance(value, str) and _is_datetime(value)
    elif type_name == "Edm.Date":
        ok = isinstance(value, str) and _is_date(value)
    elif type_name == "Edm.TimeOfDay":
        ok = isinstance(value, str) and bool(_TIME_OF_DAY.match(value))
    elif type_name == "Edm.Guid":
        ok = isinstance(value, str) and _is_guid(value)
    elif type_name == "Edm.Duration":
        ok = isinstance(value, str) and bool(_DURATION.match(value))
    elif type_name == "Edm.Binary":
        ok = isinstance(value, str) and _is_base64(value)
    return [] if ok else [f"{path}: {value!r} is not a valid {type_name}"]


def _is_datetime(text: str) -> bool:
    cleaned = re.sub(r"(\.\d{1,6})\d*", r"\1", text).replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(cleaned).tzinfo is not None
    except ValueError:
        return False


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


# --- mapping recorded sandbox responses to Graph types -------------------------------------

_ENTITY_KEYS = {"@odata.context", "@odata.etag", "@odata.type"}
_COLLECTION_KEYS = {"@odata.context", "@odata.nextLink", "@odata.count", "value"}


_DRIVE_ITEM_ENDINGS = ("/root", "/root:/{path}", "/root:/{path}:", "/items/{item}", "/items/{item}:/{path}",
                       "/items/{item}:/{path}:")


def _action(route: str) -> str:
    """The last segment of a drive route, after '/' or ':/' (e.g. 'children', 'content', '{perm}')."""
    return re.split(r":?/", route)[-1]


def _drive_type(method: str, route: str) -> tuple[str, bool] | None:
    if route.endswith("/drive") or route == "/v1.0/drives/{drive}":
        return "microsoft.graph.drive", False
    if route.endswith(_DRIVE_ITEM_ENDINGS):
        return "microsoft.graph.driveItem", False
    action = _action(route)
    if route.endswith("/permissions/{perm}"):
        return "microsoft.graph.permission", False
    mapped = {
        ("GET", "children"): ("microsoft.graph.driveItem", True),
        ("POST", "children"): ("microsoft.graph.driveItem", False),
        ("PUT", "content"): ("microsoft.graph.driveItem", False),
        ("GET", "permissions"): ("microsoft.graph.permission", True),
        ("POST", "invite"): ("microsoft.graph.permission", True),
        ("POST", "createLink"): ("microsoft.graph.permission", False),
        ("POST", "createUploadSession"): ("microsoft.graph.uploadSession", False),
    }
    return mapped.get((method, action.removeprefix("microsoft.graph.")))


def _message_type(route: str) -> tuple[str, bool] | None:
    """Mailbox reads: a message collection, one message (derived types say so with @odata.type), its event."""
    if route.endswith("/messages"):
        return "microsoft.graph.message", True
    if route.endswith("/messages/{message}"):
        return "microsoft.graph.message", False
    if route.endswith(("/microsoft.graph.eventMessage/event", "/microsoft.graph.eventMessageResponse/event")):
        return "microsoft.graph.event", False
    return None


def expected_type(method: str, route: str, status: int = 200) -> tuple[str, bool] | None:
    """(type, is_collection) that Graph returns for a route template, or None if unmapped."""
    if route.startswith("/v1.0/places/"):
        return "microsoft.graph.room", True
    if route == "/v1.0/users" and method == "GET":
        return "microsoft.graph.user", True
    if route in {"/v1.0/users/{user}", "/v1.0/me"} and method == "GET":
        return "microsoft.graph.user", False
    if route.endswith("getSchedule") and method == "POST":
        return "microsoft.graph.scheduleInformation", True
    if route.endswith("/calendarView") and method == "GET":
        return "microsoft.graph.event", True
    if method == "GET" and "/messages" in route:
        return _message_type(route)
    if route.endswith("/events"):
        return ("microsoft.graph.event", True) if method == "GET" else ("microsoft.graph.event", False)
    if route.endswith("/events/{event}") and method in {"GET", "PATCH"}:
        return "microsoft.graph.event", False
    if route == "/v1.0/subscriptions":
        return "microsoft.graph.subscription", method == "GET"
    if route == "/v1.0/subscriptions/{id}" and method in {"GET", "PATCH"}:
        return "microsoft.graph.subscription", False
    if route == "/_upload/{session}":
        return ("microsoft.graph.driveItem", False) if status in {200, 201} and method == "PUT" else (
            "microsoft.graph.uploadSession", False)
    if route.startswith(("/v1.0/users/{user}/drive", "/v1.0/me/drive", "/v1.0/drives/{drive}")):
        return _drive_type(method, route)
    return None


def check_error_body(payload: Any, path: str) -> list[str]:
    """Graph's OData error shape: {"error": {"code", "message", "innerError": {date, request-id, …}}}."""
    problems: list[str] = []
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or set(payload) != {"error"}:
        return [f"{path}: error body must be {{'error': {{...}}}}"]
    for key in ("code", "message"):
        if not isinstance(error.get(key), str) or not error[key]:
            problems.append(f"{path}.error.{key}: missing")
    inner = error.get("innerError")
    if not isinstance(inner, dict):
        problems.append(f"{path}.error.innerError: missing")
    else:
        for key in ("date", "request-id", "client-request-id"):
            if not isinstance(inner.get(key), str):
                problems.append(f"{path}.error.innerError.{key}: missing")
    return problems


def check_response(schema: Schema, method: str, route: str, status: int, body: bytes) -> list[str]:
    """Violations in one recorded /v1.0 response."""
    where = f"{method} {route} -> {status}"
    if 300 <= status < 400 or (route == "/_download/{item}" and status == 200):
        return []  # redirects to, and the bytes of, pre-authenticated download URLs
    if status in {202, 204} and route != "/_upload/{session}":
        return [] if not body else [f"{where}: expected no body"]
    try:
        payload = json.loads(body)
    except ValueError:
        return [f"{where}: body is not JSON"]
    if status >= 400:
        return check_error_body(payload, where)
    mapped = expected_type(method, route, status)
    if mapped is None:
        return [f"{where}: no Graph type is mapped for this route"]
    type_name, is_collection = mapped
    # The upload URL belongs to OneDrive itself: its session answers carry no OData context.
    needs_context = not (route == "/_upload/{session}" and type_name.endswith("uploadSession"))
    if not isinstance(payload, dict) or (needs_context and not isinstance(payload.get("@odata.context"), str)):
        return [f"{where}: missing @odata.context"]
    if is_collection:
        extra = set(payload) - _COLLECTION_KEYS
        problems = [f"{where}: unexpected collection keys {sorted(extra)}"] if extra else []
        if not isinstance(payload.get("value"), list):
            return [*problems, f"{where}: 'value' must be an array"]
        return problems + schema.check(payload["value"], f"Collection({type_name})", f"{where} value")
    return schema.check(payload, type_name, where)


_RESOURCE_DATA_KEYS = frozenset({"@odata.type", "@odata.id", "@odata.etag", "id"})


def check_notification_payload(schema: Schema, payload: Any) -> list[str]:
    """Violations in a POST the sandbox sent to a notification URL (a changeNotificationCollection).

    ``resourceData`` is an open type; for Outlook resources Graph documents exactly the keys
    ``@odata.type``, ``@odata.id``, ``@odata.etag`` and ``id``, so those are checked instead.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
        return ["notification: expected {'value': [...]}"]
    problems: list[str] = []
    stripped = []
    for index, original in enumerate(payload["value"]):
        entry = dict(original)
        data = entry.pop("resourceData", None)
        if data is not None and (not isinstance(data, dict) or set(data) != _RESOURCE_DATA_KEYS):
            problems.append(f"notification value[{index}].resourceData: keys {sorted(data or {})}")
        if ("changeType" in entry) == ("lifecycleEvent" in entry):
            problems.append(f"notification value[{index}]: needs exactly one of changeType and lifecycleEvent")
        stripped.append(entry)
    return problems + schema.check({**payload, "value": stripped}, "graph.changeNotificationCollection", "notification")
