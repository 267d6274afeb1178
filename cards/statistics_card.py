"""The statistics card (``tilastot``, coordinators only): year and team, figures, chart and CSV download.

Input ids: ``year`` (e.g. "2026") and ``team`` (a team key, or ``all``). "Näytä" sends them with the
statistics verb and the card is re-rendered in place; who may see which team is decided server-side.
The card shows counts only; small numbers are suppressed as domain.statistics describes: roles that
fewer than three workers of the teams shown bring are merged into one row "Muut roolit", left out when
even that row stands for fewer than three workers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    ExecuteAction,
    Image,
    OpenUrlAction,
)

from cards.common import action_row, card, facts, text, title
from cards.verbs import Verb
from domain.convening import Venue
from domain.meeting import FEEDBACK_QUESTIONS
from domain.statistics import ALL_TEAMS, MonthFigures, TeamYear, role_figures, shown_average, shown_count
from i18n.messages import t


@dataclass(frozen=True)
class StatisticsCardData:
    """What the card shows: the chosen year and team, their counters, the choices and the files' URLs."""

    year: int
    team_key: str  # a team key or "all"
    figures: TeamYear
    years: Sequence[int]
    teams: Sequence[tuple[str, str]]  # (key, name) the coordinator may choose from
    role_names: Mapping[str, str]  # role key → name in the card's language
    rosters: Mapping[str, Collection[str]]  # role key → its workers in the teams shown (never rendered)
    chart_url: str
    csv_url: str


def decimal(value: float | None, lang: str) -> str:
    """"4,3" in Finnish and Swedish, "4.3" in English; "–" for no value."""
    if value is None:
        return "–"
    shown = f"{value:.1f}"
    return shown if lang == "en" else shown.replace(".", ",")


def _average(value: float | None, count: int, lang: str) -> str:
    if count > 0 and shown_average(value, count) is None:
        return t("statistics.few", lang)
    return decimal(shown_average(value, count), lang)


def _selectors(data: StatisticsCardData, lang: str) -> list[CardElement]:
    teams = list(data.teams)
    choices = [Choice(title=name, value=key) for key, name in teams]
    if len(teams) > 1:
        choices.insert(0, Choice(title=t("statistics.all_teams", lang), value=ALL_TEAMS))
    show = ExecuteAction(title=t("statistics.show", lang), verb=str(Verb.STATISTICS),
                         data={"verb": str(Verb.STATISTICS)}, associated_inputs="auto")
    return [
        ChoiceSetInput(id="year", label=t("statistics.year", lang), style="compact", value=str(data.year),
                       choices=[Choice(title=str(y), value=str(y)) for y in data.years]),
        ChoiceSetInput(id="team", label=t("statistics.team", lang), style="compact", value=data.team_key,
                       choices=choices),
        action_row(show),
    ]


def _figures(total: MonthFigures, data: StatisticsCardData, lang: str) -> list[CardElement]:
    lead = (f"{_average(total.lead_average(), total.lead_count, lang)} / "
            f"{_average(total.lead_median(), total.lead_count, lang)}")
    body: list[CardElement] = [facts([
        (t("statistics.convened", lang), str(total.convened)),
        (t("statistics.held", lang), str(total.held)),
        (t("statistics.lead_days", lang), lead),
    ])]
    alt_values = ", ".join(f"{t(f'statistics.month.{m}', lang)} {data.figures.month(m).held}" for m in range(1, 13))
    body.append(Image(url=data.chart_url, size="Stretch",
                      alt_text=t("statistics.chart_alt", lang, year=str(data.year), values=alt_values)))
    body.append(text(t("statistics.venues", lang), bold=True))
    body.append(facts([(t(f"venue.{v.value}", lang), shown_count(total.venues.get(v.value, 0))) for v in Venue]))
    shown = role_figures(total.roles, data.rosters)
    roles = sorted((data.role_names.get(key, key), shown_count(n)) for key, n in shown.alone.items() if n > 0)
    if shown.other:
        roles.append((t("statistics.role.other", lang), shown_count(shown.other)))
    if roles:
        body.append(text(t("statistics.roles", lang), bold=True))
        body.append(facts(roles))
    body.append(text(t("statistics.feedback", lang), bold=True))
    body.append(facts([(t(f"feedback.{key}", lang),
                        _average(total.feedback_average(key), total.feedback_count(key), lang))
                       for key, _ in FEEDBACK_QUESTIONS]))
    return body


def statistics_card(data: StatisticsCardData, lang: str = "fi") -> AdaptiveCard:
    """The chosen year's figures for the chosen team (or all), the chart of meetings held, the CSV."""
    names = dict(data.teams)
    scope = t("statistics.all_teams", lang) if data.team_key == ALL_TEAMS else names.get(data.team_key, "")
    total = data.figures.total()
    body: list[CardElement] = [title(t("statistics.title", lang)),
                               text(t("statistics.scope", lang, team=scope, year=str(data.year)), bold=True),
                               *_selectors(data, lang)]
    if total.convened == 0 and total.held == 0 and not total.feedback:
        body.append(text(t("statistics.none", lang)))
    body += _figures(total, data, lang)
    body.append(text(t("statistics.small_numbers", lang), subtle=True))
    return card(body, [OpenUrlAction(title=t("statistics.download", lang), url=data.csv_url)], lang=lang)
