"""The convening card: family reference, consent, eligibility, expertise, venue, dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Choice,
    ChoiceSetInput,
    Container,
    DateInput,
    NumberInput,
    TextInput,
    ToggleInput,
    ToggleVisibilityAction,
)

from cards.common import action_row, card, execute, notice, text, title
from cards.verbs import Verb
from domain.convening import Venue
from domain.team import Team
from i18n.formatting import format_time
from i18n.messages import t

_WEEKDAY = {"fi": ("ma", "ti", "ke", "to", "pe", "la", "su"), "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


@dataclass(frozen=True)
class FormValues:
    """What the form shows: defaults, or what the worker entered before a refusal."""

    team_key: str
    duration_minutes: int
    earliest: date
    latest: date
    family_ref: str = ""
    consent: bool = False
    existing_client: bool = False
    network: str = ""
    roles: tuple[str, ...] = ()
    venue: str = Venue.ROOM.value
    family_place: str = ""
    accessible_room: bool = False


def practice_summary(team: Team, lang: str) -> str:
    """"to 8.00–11.00, ti 12.00–15.00" and the deadline, in the user's language."""
    days = _WEEKDAY.get(lang, _WEEKDAY["fi"])
    parts = []
    for w in team.practice.windows:
        start = datetime(2000, 1, 1, w.start.hour, w.start.minute)
        end = datetime(2000, 1, 1, w.end.hour, w.end.minute)
        parts.append(f"{days[w.weekday]} {format_time(start, lang)}–{format_time(end, lang)}")
    return ", ".join(parts)


def convening_form_card(convening_id: str, teams: Sequence[Team], values: FormValues, *, lang: str = "fi",
                        error: str | None = None) -> AdaptiveCard:
    """The form. ``error`` is shown on top when the previous submit was refused."""
    team = next((tm for tm in teams if tm.key == values.team_key), teams[0])
    body: list[CardElement] = [title(t("form.title", lang))]
    if error:
        body.append(notice(error))
    body += [
        text(t("form.intro", lang), subtle=True),
        TextInput(id="familyRef", label=t("form.family_ref", lang), value=values.family_ref or None,
                  max_length=40, is_required=True, placeholder=t("form.family_ref_hint", lang),
                  error_message=t("family_ref.text.empty", lang)),
        ToggleInput(id="consent", title=t("form.consent", lang), label=t("form.consent_label", lang),
                    value="true" if values.consent else "false", value_on="true", value_off="false",
                    is_required=True, error_message=t("convening.no_consent", lang)),
        ChoiceSetInput(id="existingClient", label=t("form.existing_client", lang), style="expanded",
                       value="yes" if values.existing_client else "no",
                       choices=[Choice(title=t("form.existing_no", lang), value="no"),
                                Choice(title=t("form.existing_yes", lang), value="yes")]),
        *_shown_when_needed("networkBox", t("form.network_show", lang),
                            values.existing_client or bool(values.network), [
            text(t("form.network_explain", lang), subtle=True),
            TextInput(id="network", label=t("form.network", lang), value=values.network or None,
                      max_length=1000, is_multiline=False),
        ]),
    ]
    if len(teams) > 1:
        body.append(ChoiceSetInput(id="team", label=t("form.team", lang), style="compact", value=team.key,
                                   choices=[Choice(title=tm.name, value=tm.key) for tm in teams]))
    body += [
        ChoiceSetInput(id="roles", label=t("form.roles", lang), style="expanded", is_multi_select=True,
                       value=",".join(values.roles) or None,
                       # Only roles someone on the roster brings: another would invite nobody.
                       choices=[Choice(title=r.name(lang), value=r.key) for r in team.staffed_roles()]),
        ChoiceSetInput(id="venue", label=t("form.venue", lang), style="expanded", value=values.venue,
                       choices=[Choice(title=t(f"venue.{v.value}", lang), value=v.value) for v in Venue]),
        ToggleInput(id="accessible", title=t("form.accessible", lang), value="true" if values.accessible_room
                    else "false", value_on="true", value_off="false"),
        *_shown_when_needed("familyPlaceBox", t("form.family_place_show", lang),
                            values.venue == Venue.FAMILY_PLACE.value or bool(values.family_place), [
            TextInput(id="familyPlace", label=t("form.family_place", lang), value=values.family_place or None,
                      max_length=120)]),
        NumberInput(id="duration", label=t("form.duration", lang), value=values.duration_minutes, min=30, max=240),
        DateInput(id="earliest", label=t("form.earliest", lang), value=values.earliest.isoformat()),
        DateInput(id="latest", label=t("form.latest", lang), value=values.latest.isoformat()),
        text(t("form.practice", lang, practice=practice_summary(team, lang)), subtle=True),
    ]
    return card(body, [execute(t("form.submit", lang), Verb.SEARCH, record_id=convening_id, primary=True)],
                lang=lang)


def _shown_when_needed(box_id: str, show_title: str, needed: bool, items: list[CardElement]) -> list[CardElement]:
    """Fields that apply only after a choice (the family's own place, an existing network): shown when the
    values say they apply, else hidden behind a button that shows them. A card cannot react to a choice by
    itself; a refusal (e.g. a family place chosen but not named) re-shows the form with them open."""
    if needed:
        return [Container(id=box_id, items=items)]
    return [action_row(ToggleVisibilityAction(title=show_title, target_elements=[box_id])),
            Container(id=box_id, items=items, is_visible=False)]
