"""Card payloads, validated server-side. A card carries only a record id (and an index)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from domain.convening import Venue
from domain.sensitive_text import clean_text

RecordId = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]


def _as_str(value: object) -> object:
    """Teams sends every input value as a string; numbers may arrive as numbers."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def _as_text(value: object) -> object:
    """A text input as it is kept: cleaned of invisible characters before stripping and the length check."""
    value = _as_str(value)
    return clean_text(value) if isinstance(value, str) else value


#: Every free-text input. Cleaned here, at the boundary (domain.sensitive_text.clean_text): nothing invisible
#: is kept, so a code split by a zero-width space is never stored; the services' checks read the normalised
#: spelling (en dashes, full-width digits) of the same text.
Text = Annotated[str, BeforeValidator(_as_text), Field(max_length=2000)]


class _Payload(BaseModel):
    # Unknown keys (the verb, Teams' own additions) are ignored; known keys are strict.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, str_strip_whitespace=True)


class RecordPayload(_Payload):
    """An action on one convening."""

    convening_id: RecordId = Field(alias="conveningId")


class NoPayload(_Payload):
    """An action with no record (start, status, help)."""


class BookPayload(RecordPayload):
    """Booking proposal number ``slot`` (as shown on the card)."""

    slot: Annotated[int, Field(ge=0, le=200)]


class SearchPayload(RecordPayload):
    """The convening card's inputs."""

    family_ref: Text = Field("", alias="familyRef")
    consent: Literal["true", "false"] = "false"
    existing_client: Literal["yes", "no"] = Field("no", alias="existingClient")
    network: Text = ""
    team: Annotated[str, Field(max_length=64)] = ""
    roles: Text = ""
    venue: Venue = Venue.ROOM
    family_place: Text = Field("", alias="familyPlace")
    accessible: Literal["true", "false"] = "false"
    duration: Annotated[int, BeforeValidator(_as_str), Field(ge=0, le=100000)]
    earliest: date
    latest: date

    def role_keys(self) -> tuple[str, ...]:
        """The multi-select's comma-separated values."""
        return tuple(r.strip() for r in self.roles.split(",") if r.strip())


class PersonPayload(RecordPayload):
    """An action about one invitee: their position on the card."""

    person: Annotated[int, Field(ge=0, le=50)]


class CancelPayload(RecordPayload):
    """Cancelling, with an optional message to the invitees."""

    comment: Text = ""
