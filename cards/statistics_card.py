"""The statistics card (``tilastot``, coordinators only): year and team, figures, chart and CSV download.

Input ids: ``year`` (e.g. "2026") and ``team`` (a team key, or ``all``). "Näytä" sends them with the
statistics verb and the card is re-rendered in place; who may see which team is decided server-side.
The card shows counts only; small numbers are withheld by domain.statistics' one rule and say so in words
("ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"), never as "<3", which reads as a figure. Roles
that fewer than three workers of the teams shown bring are merged into one row "Muut roolit", left out
when even that row stands for fewer than three workers.
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
from domain.statistics import (
    ALL_TEAMS,
    MonthFigures,
    Shown,
    TeamYear,
    held_by_month,
    role_figures,
    shown_count,
    shown_feedback,
    shown_lead,
)
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


def shown_text(figure: Shown, lang: str, *, whole: bool = False) -> str:
    """A figure as the card (and the chart's text alternative) shows it: the number, "–" for none, or
    "ei näytetä – alle 3 vastausta (yksityisyyden suoja)" for a withheld one."""
    if figure.withheld is not None:
        return t(figure.withheld.message_key, lang)
    if whole and figure.value is not None:
        return str(int(figure.value))
    return decimal(figure.value, lang)


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
    mean, median = shown_lead(total)
    lead = (shown_text(mean, lang) if mean.withheld is not None
            else f"{shown_text(mean, lang)} / {shown_text(median, lang)}")
    body: list[CardElement] = [facts([
        (t("statistics.convened", lang), str(total.convened)),
        (t("statistics.held", lang), str(total.held)),
        (t("statistics.lead_days", lang), lead),
    ])]
    alt_values = ", ".join(f"{t(f'statistics.month.{m}', lang)} {shown_text(held, lang, whole=True)}"
                           for m, held in enumerate(held_by_month(data.figures), start=1))
    body.append(Image(url=data.chart_url, size="Stretch",
                      alt_text=t("statistics.chart_alt", lang, year=str(data.year), values=alt_values)))
    body.append(text(t("statistics.venues", lang), bold=True))
    body.append(facts([(t(f"venue.{v.value}", lang),
                         shown_text(shown_count(total.venues.get(v.value, 0)), lang, whole=True)) for v in Venue]))
    shown = role_figures(total.roles, data.rosters)
    roles = sorted((data.role_names.get(key, key), shown_text(shown_count(n), lang, whole=True))
                   for key, n in shown.alone.items() if n > 0)
    if shown.other:
        roles.append((t("statistics.role.other", lang), shown_text(shown_count(shown.other), lang, whole=True)))
    if roles:
        body.append(text(t("statistics.roles", lang), bold=True))
        body.append(facts(roles))
    body.append(text(t("statistics.feedback", lang), bold=True))
    body.append(facts([(t(f"feedback.{key}", lang), shown_text(shown_feedback(total, key), lang))
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
    body.append(text(t("statistics.privacy_note", lang), subtle=True))
    return card(body, [OpenUrlAction(title=t("statistics.download", lang), url=data.csv_url)], lang=lang)
