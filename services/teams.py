"""The team registry: the configured family-centre teams, and the one a new convening starts with."""

from __future__ import annotations

from collections.abc import Mapping

from domain.team import Room, Team
from services.errors import UserFacingError


class TeamRegistry:
    """The configured teams by key (from config/teams.yaml) and the default team."""

    def __init__(self, teams: Mapping[str, Team], default_team: str) -> None:
        self._teams = teams
        self._default = default_team

    @property
    def teams(self) -> Mapping[str, Team]:
        """The configured teams by key."""
        return self._teams

    @property
    def default_key(self) -> str:
        """The key of the team a new convening starts with."""
        return self._default

    def team(self, key: str | None = None) -> Team:
        """The team with ``key`` (default team when None); a polite refusal for an unknown key."""
        team = self._teams.get(key or self._default)
        if team is None:
            raise UserFacingError("convening.unknown_team")
        return team

    def room(self, team_key: str, email: str | None) -> Room | None:
        """The team's room with this address."""
        if email is None:
            return None
        return next((r for r in self.team(team_key).rooms if r.email.lower() == email.lower()), None)

    def role_names(self, team_key: str, lang: str) -> dict[str, str]:
        """The team's role names by key, in ``lang``."""
        return {r.key: r.name(lang) for r in self.team(team_key).roles}
