"""The card after finalizing: links to the plan in the responsible worker's OneDrive, and the follow-up."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import Action, AdaptiveCard, CardElement, OpenUrlAction

from cards.common import card, execute, facts, inert, notice, quoted, text, title
from cards.meeting_steps import local
from cards.verbs import Verb
from domain.meeting import Meeting
from i18n.formatting import format_moment
from i18n.messages import t


def _names(names: Sequence[str], lang: str) -> str:
    return ", ".join(inert(name) for name in names) or t("finalized.none", lang)


def _next_contact(meeting: Meeting, lang: str) -> str:
    record = meeting.finalized
    if record is None or record.next_contact is None:
        return t("finalized.none", lang)
    when = format_moment(local(record.next_contact), lang)
    if record.next_contact_event_id and record.next_contact_invited:
        return t("finalized.next_invited", lang, when=when)
    return t("finalized.next_booked", lang, when=when) if record.next_contact_event_id else when


def finalized_card(meeting: Meeting, lang: str = "fi", *, responsible_names: Sequence[str],
                   recipient_names: Sequence[str], unreachable: tuple[str, ...] = (),
                   not_shared: Sequence[str] = ()) -> AdaptiveCard:
    """"Suunnitelma valmis": the PDF and Word links, who has it, the next contact and Seurantatapaaminen.

    ``not_shared``: consented recipients the files could not be shared with; the card names them and
    offers to try again (sharing only, the same files).
    """
    record = meeting.finalized
    if record is None:
        raise ValueError("finalized_card needs a finalized meeting")
    body: list[CardElement] = [
        title(t("finalized.title", lang)),
        text(t("finalized.intro", lang)),
        facts([(t("meeting.family", lang), inert(meeting.family_ref)),
               (t("finalized.responsible", lang), _names(responsible_names, lang)),
               (t("finalized.shared", lang), _names(recipient_names, lang)),
               (t("finalized.next", lang), _next_contact(meeting, lang))]),
    ]
    if not record.kept_for_responsible:
        # Their organisation does not let the bot write to their OneDrive: say where the files are instead.
        body.append(text(t("finalized.kept_by_near_worker", lang), subtle=True))
    if unreachable:
        body.append(notice(quoted("finalized.unreachable", lang, names=", ".join(unreachable)), attention=False))
    if not_shared:
        body.append(notice(quoted("finalized.not_shared", lang, names=", ".join(not_shared))))
    body.append(text(t("finalized.print", lang), subtle=True))
    actions: list[Action] = []
    if not_shared:
        actions.append(execute(t("finalized.retry_share", lang), Verb.SHARE_RETRY, record_id=meeting.id,
                               primary=True))
    if record.pdf_url:
        actions.append(OpenUrlAction(title=t("finalized.open_pdf", lang), url=record.pdf_url))
    if record.docx_url:
        actions.append(OpenUrlAction(title=t("finalized.open_docx", lang), url=record.docx_url))
    actions.append(execute(t("finalized.followup", lang), Verb.FOLLOWUP, record_id=meeting.id))
    return card(body, actions, lang=lang)


def finalized_view(meeting: Meeting, lang: str = "fi") -> AdaptiveCard:
    """The finalized card of a stored meeting, reopened later (from "tilanne" or the steps): names from its
    attendees, and those the files could not be shared with."""
    record = meeting.finalized
    if record is None:
        raise ValueError("finalized_view needs a finalized meeting")
    names = {a.email.lower(): a.name for a in meeting.attendees}
    return finalized_card(meeting, lang, responsible_names=(names.get(record.responsible_email.lower(), ""),),
                          recipient_names=tuple(names.get(e, e) for e in record.shared_with),
                          not_shared=tuple(names.get(e, e) for e in record.share_failed))
