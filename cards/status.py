"""The "tilanne" card: the worker's own convenings, and a one-message notice card."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import AdaptiveCard, CardElement, Column, ColumnSet

from cards.common import action_row, card, execute, inert, notice, text, title
from cards.verbs import Verb
from domain.convening import Convening
from i18n.formatting import format_span
from i18n.messages import t


def status_card(convenings: Sequence[Convening], lang: str = "fi") -> AdaptiveCard:
    """Upcoming and pending convenings, newest first, each with an Open button."""
    body: list[CardElement] = [title(t("status.title", lang))]
    if not convenings:
        body.append(text(t("status.none", lang)))
    for c in convenings:
        ref = inert(c.request.family_ref) if c.request else "–"
        when = format_span(c.booking.start, c.booking.end, lang) if c.booking else t(f"status.{c.status.value}", lang)
        body.append(ColumnSet(separator=True, columns=[
            Column(width="stretch", items=[text(ref, bold=True), text(when, subtle=True)]),
            Column(width="auto", items=[action_row(execute(t("status.open", lang), Verb.OPEN, record_id=c.id))]),
        ]))
    return card(body, [execute(t("welcome.start", lang), Verb.START, primary=True)], lang=lang)


def notice_card(message: str, lang: str = "fi", *, convening_id: str | None = None) -> AdaptiveCard:
    """A polite message in place of a card; offers the way back when there is a record."""
    actions = [execute(t("status.open", lang), Verb.OPEN, record_id=convening_id)] if convening_id else []
    return card([notice(message)], actions, lang=lang)
