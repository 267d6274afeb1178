"""Sending a Graph request through the client's adapter and reading the answer as plain JSON.

The adapter keeps what matters (auth, the bounded retries, OData errors); kiota's models are left out: the
first model deserialized imports ~1,200 msgraph model modules (+30 MB RSS, 1–2 s on the event loop, where
every other user's click waits), and deserializing 24 calendars took ~0.25 s (make bench).
"""

from __future__ import annotations

import json

from kiota_abstractions.request_adapter import RequestAdapter
from kiota_abstractions.request_information import RequestInformation
from msgraph.generated.models.o_data_errors.o_data_error import ODataError


async def send_bytes(adapter: RequestAdapter, request: RequestInformation) -> bytes | None:
    """The answer's body unparsed (None when empty)."""
    raw: object = await adapter.send_primitive_async(request, "bytes", {"XXX": ODataError})
    return raw if isinstance(raw, bytes) and raw else None


def json_object(raw: bytes | None) -> dict[str, object]:
    """A JSON object from a body ({} for an empty body or anything but an object)."""
    data = json.loads(raw) if raw else {}
    return data if isinstance(data, dict) else {}


async def send_json(adapter: RequestAdapter, request: RequestInformation) -> dict[str, object]:
    """The answer as a plain JSON object."""
    return json_object(await send_bytes(adapter, request))
