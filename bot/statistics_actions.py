"""``tilastot`` (``statistik``, ``statistics``) and the statistics card's "Näytä": coordinators only.

Who may see which team comes from config/teams.yaml and the caller's directory address (the channel's
identity), never from the payload: the payload only chooses among what the caller may see. Anyone else
gets a polite refusal and nothing is rendered. The chart and the CSV are served like the star picture:
under unguessable, expiring /media URLs.
"""

from __future__ import annotations

from typing import Annotated

from microsoft_teams.cards import AdaptiveCard
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints

from bot.action_router import ActionContext, ActionRouter
from cards.statistics_card import StatisticsCardData, statistics_card
from cards.verbs import Verb
from documents.statistics_export import render_bar_chart, render_csv
from domain.convening import Venue
from domain.meeting import FEEDBACK_QUESTIONS
from domain.statistics import NETWORK_ROLE, held_by_month, role_rosters, shows_alone
from domain.team import Team
from i18n.messages import t
from services.statistics_service import StatisticsService, StatisticsView
from state.media import MediaStore


def _blank_to_none(value: object) -> object:
    """An empty choice (or none at all, as from the text command) is the default; a whole number is text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


class StatisticsPayload(BaseModel):
    """The card's inputs: a year ("2026") and a team key (or "all"); both optional."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    year: Annotated[Annotated[str, StringConstraints(pattern=r"^(19|20|21)\d{2}$")] | None,
                    BeforeValidator(_blank_to_none)] = None
    team: Annotated[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")] | None,
                    BeforeValidator(_blank_to_none)] = None


class StatisticsActions:
    """The handler behind ``tilastot`` and the statistics card."""

    def __init__(self, service: StatisticsService, media: MediaStore) -> None:
        self._service = service
        self._media = media

    def register(self, router: ActionRouter) -> None:
        """Adds the statistics verb to ``router``."""
        router.add(Verb.STATISTICS, StatisticsPayload, self.show)

    async def show(self, ctx: ActionContext, p: StatisticsPayload) -> AdaptiveCard:
        """The card for the chosen year and team; a refusal for anyone who is not a coordinator."""
        view = await self._service.view(ctx.caller, int(p.year) if p.year else None, p.team)
        lang = ctx.lang
        labels = [t(f"statistics.month.{m}", lang) for m in range(1, 13)]
        chart = render_bar_chart(held_by_month(view.figures), labels,
                                 t("statistics.chart_title", lang, year=str(view.year)), lang)
        chart_url = await self._media.publish(chart)
        csv_url = await self._media.publish_download(
            self._csv(view, lang), extension="csv", content_type="text/csv; charset=utf-8",
            filename=f"yhdessa-aika-tilastot-{view.team_key}-{view.year}.csv")
        role_names = {NETWORK_ROLE: t("statistics.role.network", lang)}
        for team in reversed(view.teams):
            role_names.update({r.key: r.name(lang) for r in team.roles})
        data = StatisticsCardData(year=view.year, team_key=view.team_key, figures=view.figures, years=view.years,
                                  teams=[(tm.key, tm.name) for tm in view.teams], role_names=role_names,
                                  rosters=role_rosters(self._shown_teams(view)), chart_url=chart_url,
                                  csv_url=csv_url)
        return statistics_card(data, lang)

    @staticmethod
    def _shown_teams(view: StatisticsView) -> list[Team]:
        shown = {row.team_key for row in view.rows}
        return [team for team in view.teams if team.key in shown]

    @classmethod
    def _csv(cls, view: StatisticsView, lang: str) -> bytes:
        """One row per team and month; a role has its own column where some team's roster has ≥ 3 with it.

        Withheld figures are in the card's words, in ``lang``."""
        rosters = {team.key: role_rosters([team]) for team in cls._shown_teams(view)}
        roles: list[str] = []
        for team in cls._shown_teams(view):
            roles += [r.key for r in team.roles if r.key not in roles and shows_alone(r.key, rosters[team.key])]
        roles.append(NETWORK_ROLE)
        return render_csv(view.rows, [v.value for v in Venue], roles, [k for k, _ in FEEDBACK_QUESTIONS],
                          rosters, lang)
