"""The "tilanne" card: the worker's own convenings, and a one-message notice card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from microsoft_teams.cards import AdaptiveCard, CardElement, Container

from cards.common import action_row, card, execute, inert, notice, text, title
from cards.meeting_steps import local
from cards.verbs import Verb
from i18n.formatting import format_date, format_span, format_time
from i18n.messages import t
from services.status_overview import StatusKind, StatusRow


def status_card(rows: Sequence[StatusRow], lang: str = "fi", *, now: datetime | None = None,
                message: str | None = None, refusal: bool = False) -> AdaptiveCard:
    """The worker's convenings, upcoming first, each with its status in words and an Open button; a draft
    also with "Poista luonnos". ``now`` gives a draft's age; ``message`` is a line above the list (e.g.
    "Luonnos poistettu."), shown as a refusal when ``refusal``."""
    body: list[CardElement] = [title(t("status.title", lang))]
    if message:
        body.append(notice(message, attention=refusal))
    if not rows:
        body.append(text(t("status.none", lang)))
    for row in rows:
        c = row.convening
        ref = inert(c.request.family_ref) if c.request else t("status.no_family_yet", lang)
        buttons = [execute(t("status.open", lang), Verb.OPEN, record_id=c.id)]
        if row.deletable:
            buttons.append(execute(t("status.delete_draft", lang), Verb.DELETE_DRAFT, record_id=c.id))
        body.append(Container(separator=True, items=[
            text(ref, bold=True), text(status_words(row, lang, now=now)), action_row(*buttons)]))
    return card(body, [execute(t("welcome.start", lang), Verb.START, primary=True)], lang=lang)


def status_words(row: StatusRow, lang: str = "fi", *, now: datetime | None = None) -> str:
    """The row's status in words: "Luonnos · 3 päivää sitten · poistuu 17.5.2027", "Varattu · ma 10.5.2027
    klo 9.00–10.30", "Tänään · klo 9.00–10.30", "Suunnitelma valmis · 3.5.2027", "Peruttu"."""
    c, kind = row.convening, row.kind
    booking = c.booking
    when = format_span(local(booking.start), local(booking.end), lang) if booking else ""
    if kind is StatusKind.DRAFT:
        changed = max(c.created_at, c.proposed_at or c.created_at)
        expires = format_date(local(row.expires_at).date(), lang) if row.expires_at else ""
        return t("status.row.draft", lang, age=_age(changed, now, lang), expires=expires)
    if kind is StatusKind.TODAY and booking is not None:
        span = f"{format_time(local(booking.start), lang)}–{format_time(local(booking.end), lang)}"
        return t("status.row.today", lang, when=span)
    if kind is StatusKind.PLAN_DONE and row.meeting is not None:
        done = row.meeting.finalized_at or row.meeting.started_at
        return t("status.row.plan_done", lang, when=format_date(local(done).date(), lang))
    if kind is StatusKind.CANCELLED and not when:
        return t("status.row.cancelled_draft", lang)
    return t(f"status.row.{kind.value}", lang, when=when)


def _age(changed: datetime, now: datetime | None, lang: str) -> str:
    """"tänään", "eilen" or "5 päivää sitten" (in local days)."""
    if now is None:
        return format_date(local(changed).date(), lang)
    days = (local(now).date() - local(changed).date()).days
    if days <= 0:
        return t("status.age.today", lang)
    if days == 1:
        return t("status.age.yesterday", lang)
    return t("status.age.days", lang, days=str(days))


def notice_card(message: str, lang: str = "fi", *, convening_id: str | None = None) -> AdaptiveCard:
    """A polite message in place of a card; offers the way back when there is a record."""
    actions = [execute(t("status.open", lang), Verb.OPEN, record_id=convening_id)] if convening_id else []
    return card([notice(message)], actions, lang=lang)
