"""The readiness card (``valmius``, coordinators only): each organisation of the teams file and what the bot can
do there, as measured just now, with what the administrator should do about each ✗.

Narrow on purpose (readable at 320 px): one column, short lines, no ColumnSets; each organisation a container
with its name, its kind, and a line per check ("✓ …", "✗ …", "– …" for what works another way there).
"Tarkista uudelleen" runs the probes again.
"""

from __future__ import annotations

from collections.abc import Mapping

from microsoft_teams.cards import AdaptiveCard, CardElement, Container, TextBlock

from cards.common import card, execute, inert, text, title
from cards.verbs import Verb
from domain.organisations import CalendarAccess
from i18n.messages import t
from services.readiness import Advice, Check, CheckLine, Mark, OrganisationReadiness, ReadinessReport

_SYMBOL: Mapping[Mark, str] = {Mark.OK: "✓", Mark.MISSING: "✗", Mark.OTHER_WAY: "–", Mark.UNCHECKED: "?"}
#: Only colours that keep 4.5:1 on Teams' light theme (Attention red); "Good" green does not, so OK stays default.
_COLOUR: Mapping[Mark, str] = {Mark.MISSING: "Attention"}

_ACCESS: Mapping[CalendarAccess, str] = {
    CalendarAccess.HOME: "readiness.access.home",
    CalendarAccess.PARTNER: "readiness.access.partner",
    CalendarAccess.SHARED_FREE_BUSY: "readiness.access.shared_free_busy",
    CalendarAccess.NO_CALENDAR: "readiness.access.no_calendar",
}
_MEASURED: Mapping[tuple[Check, Mark], str] = {
    (Check.FREE_BUSY, Mark.OK): "readiness.free_busy.ok",
    (Check.FREE_BUSY, Mark.MISSING): "readiness.free_busy.missing",
    (Check.FREE_BUSY, Mark.UNCHECKED): "readiness.free_busy.unchecked",
    (Check.BOOKING, Mark.OK): "readiness.booking.ok",
    (Check.BOOKING, Mark.MISSING): "readiness.booking.missing",
    (Check.BOOKING, Mark.UNCHECKED): "readiness.booking.unchecked",
    (Check.DRIVE, Mark.OK): "readiness.drive.ok",
    (Check.DRIVE, Mark.MISSING): "readiness.drive.missing",
    (Check.DRIVE, Mark.UNCHECKED): "readiness.drive.unchecked",
}
#: What works another way, by check and the organisation's kind.
_OTHER_WAY: Mapping[tuple[Check, CalendarAccess], str] = {
    (Check.FREE_BUSY, CalendarAccess.NO_CALENDAR): "readiness.free_busy.by_email",
    (Check.BOOKING, CalendarAccess.SHARED_FREE_BUSY): "readiness.booking.invitations",
    (Check.BOOKING, CalendarAccess.NO_CALENDAR): "readiness.booking.by_email",
    (Check.DRIVE, CalendarAccess.SHARED_FREE_BUSY): "readiness.drive.near_worker",
    (Check.DRIVE, CalendarAccess.NO_CALENDAR): "readiness.drive.near_worker",
}
_ADVICE: Mapping[Advice, str] = {
    Advice.HOME_FREE_BUSY: "readiness.advice.home_free_busy",
    Advice.HOME_CALENDAR: "readiness.advice.home_calendar",
    Advice.HOME_DRIVE: "readiness.advice.home_drive",
    Advice.PARTNER_CONSENT: "readiness.advice.partner_consent",
    Advice.PARTNER_DRIVE: "readiness.advice.partner_drive",
    Advice.PARTNER_CREDENTIAL: "readiness.advice.partner_credential",
    Advice.SHARE_FREE_BUSY: "readiness.advice.share_free_busy",
    Advice.CHECK_ADDRESS: "readiness.advice.check_address",
    Advice.NO_ONEDRIVE: "readiness.advice.no_onedrive",
    Advice.TRY_AGAIN: "readiness.advice.try_again",
}


def _headline(line: CheckLine, access: CalendarAccess) -> str:
    if line.mark is Mark.OTHER_WAY:
        return _OTHER_WAY.get((line.check, access), "readiness.drive.near_worker")
    return _MEASURED[(line.check, line.mark)]


def _organisation(found: OrganisationReadiness, lang: str) -> Container:
    organisation = found.organisation
    items: list[CardElement] = [text(inert(organisation.name), bold=True),
                                text(t(_ACCESS[organisation.access], lang), subtle=True)]
    if not found.probed:
        items.append(text(t("readiness.no_member", lang), subtle=True))
    for line in found.lines:
        items.append(TextBlock(text=f"{_SYMBOL[line.mark]} {t(_headline(line, organisation.access), lang)}",
                               wrap=True, spacing="Small", color=_COLOUR.get(line.mark)))
        if line.advice is not None:
            items.append(TextBlock(text=t(_ADVICE[line.advice], lang), wrap=True, is_subtle=True, size="Small",
                                   spacing="None"))
    return Container(separator=True, spacing="Medium", items=items)


def readiness_card(report: ReadinessReport, lang: str = "fi") -> AdaptiveCard:
    """The card for ``report`` in ``lang``; sends nothing but the verb to check again."""
    body: list[CardElement] = [
        title(t("readiness.title", lang)),
        text(t("readiness.summary", lang, ready=str(report.ready_count), total=str(len(report.organisations)))),
    ]
    body += [_organisation(found, lang) for found in report.organisations]
    return card(body, [execute(t("readiness.again", lang), Verb.READINESS)], lang=lang)
