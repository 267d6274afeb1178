"""Time zones as Graph names them (IANA or Windows names) and Graph's date-time text formats."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from m365_sandbox.core.errors import GraphError

# Windows time-zone names Graph accepts, mapped to IANA (a practical subset of CLDR's map).
WINDOWS_TO_IANA: Mapping[str, str] = MappingProxyType({
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "Romance Standard Time": "Europe/Paris",
    "FLE Standard Time": "Europe/Helsinki",
    "E. Europe Standard Time": "Europe/Chisinau",
    "GTB Standard Time": "Europe/Bucharest",
    "Russian Standard Time": "Europe/Moscow",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "India Standard Time": "Asia/Kolkata",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "AUS Eastern Standard Time": "Australia/Sydney",
})

# The Windows name Exchange reports for an IANA zone (the first match in the table above wins).
IANA_TO_WINDOWS: Mapping[str, str] = MappingProxyType(
    {iana: windows for windows, iana in reversed(list(WINDOWS_TO_IANA.items()))}
)

_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_ZERO_DATETIME = "0001-01-01T00:00:00Z"


def resolve_zone(name: str) -> tzinfo:
    """Return the tzinfo for a Graph time-zone name (IANA or Windows); 400 if unknown."""
    cleaned = name.strip()
    if cleaned.upper() in {"UTC", "Z", "GMT", "ETC/UTC"}:
        return UTC
    iana = WINDOWS_TO_IANA.get(cleaned, cleaned)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise GraphError(
            400,
            "TimeZoneNotSupportedException",
            f"A valid TimeZone value must be specified. The following TimeZone value is not supported: "
            f"'{name}'.",
        ) from exc


def windows_name(iana: str) -> str:
    """The Windows name Exchange uses for an IANA zone, or the IANA name itself when unmapped."""
    return IANA_TO_WINDOWS.get(iana, iana)


def parse_local(text: str) -> datetime:
    """Parse Graph's ``dateTime`` text (naive or with an offset, up to 7 fractional digits)."""
    cleaned = _FRACTION.sub(r"\1", text.strip())
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise GraphError(
            400, "ErrorInvalidRequest", f"Cannot convert the literal '{text}' to the expected type."
        ) from exc


def parse_date_time_time_zone(value: object, field: str) -> datetime:
    """Parse a Graph ``dateTimeTimeZone`` object into an aware UTC datetime."""
    if not isinstance(value, dict):
        raise GraphError(400, "BadRequest", f"Property '{field}' must be a dateTimeTimeZone object.")
    raw_dt = value.get("dateTime")
    if not isinstance(raw_dt, str) or not raw_dt:
        raise GraphError(400, "BadRequest", f"Property '{field}.dateTime' is required.")
    raw_tz = value.get("timeZone")
    zone = resolve_zone(raw_tz) if isinstance(raw_tz, str) and raw_tz else UTC
    parsed = parse_local(raw_dt)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_offset_datetime(text: str, field: str) -> datetime:
    """Parse a query-string date-time (e.g. calendarView bounds); naive values are UTC."""
    try:
        parsed = parse_local(text)
    except GraphError as exc:
        raise GraphError(400, "ErrorInvalidParameter", f"The value of '{field}' is not valid.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_local(moment: datetime) -> str:
    """Graph's ``dateTime`` text: local wall time with seven fractional digits."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"


def format_date_time_time_zone(moment: datetime, zone_name: str) -> dict[str, str]:
    """A ``dateTimeTimeZone`` object for an aware datetime, shown in ``zone_name``."""
    zone = resolve_zone(zone_name)
    return {"dateTime": format_local(moment.astimezone(zone)), "timeZone": zone_name}


def format_floating_date(day: date, zone_name: str) -> dict[str, str]:
    """A ``dateTimeTimeZone`` at midnight of ``day``, as Graph shows all-day events."""
    return {"dateTime": format_local(datetime.combine(day, time())), "timeZone": zone_name}


def format_offset(moment: datetime) -> str:
    """Graph's ``DateTimeOffset`` text in UTC, e.g. ``2024-05-02T10:11:12.1234567Z``."""
    return format_local(moment.astimezone(UTC)) + "Z"


def zero_datetime() -> str:
    """The "never" timestamp Graph uses in response statuses that have not been set."""
    return _ZERO_DATETIME


def format_time_of_day(value: time) -> str:
    """Graph's ``TimeOfDay`` text, e.g. ``08:00:00.0000000``."""
    return value.strftime("%H:%M:%S.%f") + "0"


def prefer_body_text(header: str | None) -> bool:
    """Whether a ``Prefer`` header asks for ``outlook.body-content-type="text"``."""
    if not header:
        return False
    match = re.search(r'outlook\.body-content-type\s*=\s*"?(\w+)"?', header, re.IGNORECASE)
    return match is not None and match.group(1).lower() == "text"


def prefer_time_zone(header: str | None) -> str | None:
    """Extract ``outlook.timezone`` from a ``Prefer`` header, validating the zone name."""
    if not header:
        return None
    match = re.search(r'outlook\.timezone\s*=\s*"([^"]*)"', header, re.IGNORECASE)
    if match is None:
        match = re.search(r"outlook\.timezone\s*=\s*([^,;\s]+)", header, re.IGNORECASE)
    if match is None:
        return None
    name = match.group(1).strip()
    resolve_zone(name)
    return name
