"""Field names and values of a recorded response checked against Graph's v1.0 CSDL (``$metadata``).

Every property a response uses must exist on its declared type, on a base type, or on the type its
``@odata.type`` names (which must derive from the declared one); enum values must be members; primitive
values must be of their Edm kind. Annotations (``@odata.*``, ``@microsoft.graph.*``, ``x@odata.context``) are
skipped. Open types (event, driveItem) are checked strictly too: a recorded field Graph does not declare is
more likely a typo than a dynamic property.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Final

CSDL: Final = Path(__file__).resolve().parents[3] / "shared" / "graph" / "graph-v1.0-csdl.xml"
_EDM: Final = "{http://docs.oasis-open.org/odata/ns/edm}"
_INTEGERS: Final = frozenset({"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"})
_TIME_OF_DAY: Final = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?\Z")


@dataclass
class _Type:
    kind: str
    base: str | None
    properties: dict[str, str] = field(default_factory=dict)
    members: set[str] = field(default_factory=set)


class Schema:
    """The types of ``microsoft.graph`` (alias ``graph``) with their properties, bases and enum members."""

    def __init__(self, types: dict[str, _Type]) -> None:
        self._types = types

    @staticmethod
    @cache
    def load() -> Schema:
        """Graph's v1.0 CSDL, parsed once per test session."""
        types: dict[str, _Type] = {}
        for schema in ET.parse(CSDL).getroot().iter(f"{_EDM}Schema"):
            namespace = schema.attrib["Namespace"]
            for element in schema:
                kind = element.tag.removeprefix(_EDM)
                if kind not in {"EntityType", "ComplexType", "EnumType"}:
                    continue
                typedef = _Type(kind, element.attrib.get("BaseType"))
                for child in element:
                    tag = child.tag.removeprefix(_EDM)
                    if tag in {"Property", "NavigationProperty"}:
                        typedef.properties[child.attrib["Name"]] = child.attrib["Type"]
                    elif tag == "Member":
                        typedef.members.add(child.attrib["Name"])
                types[f"{namespace}.{element.attrib['Name']}"] = typedef
        return Schema(types)

    def _full(self, name: str) -> str:
        name = name.lstrip("#")
        return "microsoft.graph." + name.removeprefix("graph.") if name.startswith("graph.") else name

    def _properties(self, name: str) -> dict[str, str]:
        typedef = self._types[name]
        inherited = self._properties(self._full(typedef.base)) if typedef.base else {}
        return {**inherited, **typedef.properties}

    def _derives(self, name: str, base: str) -> bool:
        current: str | None = name
        while current is not None:
            if current == base:
                return True
            parent = self._types[current].base if current in self._types else None
            current = self._full(parent) if parent else None
        return False

    def problems(self, value: Any, type_expr: str, path: str = "$") -> list[str]:
        """What in ``value`` does not fit ``type_expr`` (e.g. ``Collection(microsoft.graph.event)``)."""
        if value is None:
            return []
        if type_expr.startswith("Collection("):
            if not isinstance(value, list):
                return [f"{path}: expected a collection"]
            inner = type_expr.removeprefix("Collection(").removesuffix(")")
            return [p for i, item in enumerate(value) for p in self.problems(item, inner, f"{path}[{i}]")]
        if type_expr.startswith("Edm."):
            return [] if _primitive_ok(value, type_expr) else [f"{path}: {value!r} is not {type_expr}"]
        full = self._full(type_expr)
        typedef = self._types.get(full)
        if typedef is None:
            return [f"{path}: unknown type {type_expr}"]
        if typedef.kind == "EnumType":
            ok = isinstance(value, str) and all(part.strip() in typedef.members for part in value.split(","))
            return [] if ok else [f"{path}: {value!r} is not a member of {full}"]
        if not isinstance(value, dict):
            return [f"{path}: expected a {full} object"]
        declared = value.get("@odata.type")
        if isinstance(declared, str):
            actual = self._full(declared)
            if actual not in self._types or not self._derives(actual, full):
                return [f"{path}: @odata.type {declared} is not a {full}"]
            full = actual
        properties = self._properties(full)
        found: list[str] = []
        for key, item in value.items():
            if key.startswith("@") or "@odata." in key:
                continue
            if key not in properties:
                found.append(f"{path}.{key}: no such property on {full}")
            else:
                found += self.problems(item, properties[key], f"{path}.{key}")
        return found


def _primitive_ok(value: Any, type_name: str) -> bool:
    if type_name == "Edm.String":
        return isinstance(value, str)
    if type_name == "Edm.Boolean":
        return isinstance(value, bool)
    if type_name in _INTEGERS:
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Edm.DateTimeOffset":
        text = re.sub(r"(\.\d{1,6})\d*", r"\1", str(value)).replace("Z", "+00:00")
        try:
            return datetime.fromisoformat(text).tzinfo is not None
        except ValueError:
            return False
    if type_name == "Edm.TimeOfDay":
        return isinstance(value, str) and bool(_TIME_OF_DAY.match(value))
    return True


def error_body_problems(payload: Any) -> list[str]:
    """What in ``payload`` is not Graph's error shape: ``{"error": {"code", "message", "innerError": {…}}}``."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict) or set(payload) != {"error"}:
        return ["not {'error': {...}}"]
    found = [f"error.{key} missing" for key in ("code", "message") if not isinstance(error.get(key), str)]
    inner = error.get("innerError")
    if not isinstance(inner, dict) or not {"date", "request-id", "client-request-id"} <= set(inner):
        found.append("error.innerError needs date, request-id and client-request-id")
    return found
