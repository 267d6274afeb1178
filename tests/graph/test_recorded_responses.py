"""The recorded responses are Graph's: every field name and enum value exists in the v1.0 CSDL, every error
has Graph's error shape, and every file in responses/ is accounted for with the page it was shaped after."""

from __future__ import annotations

import pytest

from tests.graph.csdl import Schema, error_body_problems
from tests.graph.recorded import RESPONSES, SOURCES, recorded


def test_every_recorded_response_names_its_source() -> None:
    assert sorted(p.stem for p in RESPONSES.glob("*.json")) == sorted(SOURCES)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_recorded_response_fits_graphs_metadata(name: str) -> None:
    type_expr, _source = SOURCES[name]
    body = recorded(name)
    if type_expr == "error":
        assert error_body_problems(body) == []
        return
    if type_expr.startswith("Collection("):
        assert isinstance(body, dict) and isinstance(body.get("value"), list)
        assert set(body) <= {"@odata.context", "@odata.nextLink", "value"}
        body = body["value"]
    assert Schema.load().problems(body, type_expr) == []
