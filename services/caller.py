"""Who is acting in a use case."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """Who is acting, from the Teams activity (never from a card payload)."""

    user_id: str  # Entra object id (aadObjectId)
    name: str
