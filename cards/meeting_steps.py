"""The meeting's structure card (Yhdessä ajan rakenne), the start card and the time warning.

Also the small helpers the other meeting cards share: the message shown on top of a
card (a confirmation or a refusal) and the local time of a meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Column,
    ColumnSet,
    Container,
    RefreshDefinition,
    TextBlock,
)

from cards.common import action_row, card, execute, facts, inert, notice, text, title
from cards.verbs import Verb
from domain.meeting import MEETING_STEPS, Meeting
from i18n.formatting import format_span
from i18n.messages import t

#: Meetings are held in Finland; aware datetimes are shown in this zone.
LOCAL_ZONE = ZoneInfo("Europe/Helsinki")

#: Messages that confirm a save: shown in a calm "good" style, not as a refusal.
CONFIRMATION_KEYS = ("meeting.saved", "feedback.saved", "feedback.thanks")


def local(moment: datetime) -> datetime:
    """``moment`` in Finnish local time (naive datetimes are taken as local already)."""
    return moment.astimezone(LOCAL_ZONE) if moment.tzinfo is not None else moment


def meeting_when(meeting: Meeting, lang: str) -> str:
    """"to 3.12.2026 klo 8.00–9.30" — the meeting's reserved time."""
    return format_span(local(meeting.scheduled_start), local(meeting.scheduled_end), lang)


def message_block(message: str, lang: str) -> CardElement:
    """The message on top of a card: a confirmation ("Tallennettu.") in a good style, anything else as a notice."""
    if message in {t(key, lang) for key in CONFIRMATION_KEYS}:
        return Container(style="good", items=[TextBlock(text=message, wrap=True, weight="Bolder")])
    return notice(message)


def _minutes(value: timedelta) -> int:
    return int(value.total_seconds() // 60)


def time_line(meeting: Meeting, now: datetime, lang: str) -> str:
    """"Aikaa käytetty 35 min, jäljellä 55 min" (or how much the reserved time was exceeded)."""
    used = _minutes(meeting.time_used(now))
    left = _minutes(meeting.duration) - used
    if left < 0:
        return t("meeting.time_over", lang, used=str(used), over=str(-left))
    return t("meeting.time", lang, used=str(used), left=str(left))


def _time_block(meeting: Meeting, now: datetime, lang: str, warn_minutes: int) -> Container:
    warn = meeting.time_left(now) <= timedelta(minutes=warn_minutes)
    items: list[CardElement] = [TextBlock(text=time_line(meeting, now, lang), wrap=True, weight="Bolder")]
    if warn:
        items.append(TextBlock(text=t("meeting.time_warning", lang), wrap=True, spacing="Small"))
    return Container(style="warning" if warn else "emphasis", items=items)


def _step_row(meeting: Meeting, number: int, key: str, who: str, lang: str, *, can_act: bool = True) -> ColumnSet:
    done = key in meeting.checked
    mark = "✓" if done else "○"
    heading = TextBlock(text=f"{mark} {number}. {t(f'step.{key}', lang)} · {t(f'who.{who}', lang)}", wrap=True,
                        # Default colour either way: Teams' "Good" green on white is ~2:1, under WCAG AA's 4.5:1.
                        weight=None if done else "Bolder")
    description = TextBlock(text=t(f"step.{key}.desc", lang), wrap=True, is_subtle=True, size="Small",
                            spacing="None")
    button = execute(t("meeting.step_undo" if done else "meeting.step_done", lang), Verb.STEP_TOGGLE,
                     record_id=meeting.id, step=key)
    columns = [Column(width="stretch", items=[heading, description])]
    if can_act:
        columns.append(Column(width="auto", vertical_content_alignment="Center", items=[action_row(button)]))
    return ColumnSet(separator=True, spacing="Small", columns=columns)


def meeting_steps_card(meeting: Meeting, now: datetime, lang: str = "fi", *, warn_minutes: int,
                       can_act: bool = True, refresh_user_ids: Sequence[str] = (),
                       shared: bool = False) -> AdaptiveCard:
    """The nine steps in order with who does them, a check button each, the time and the ways on.

    ``can_act`` False gives a participant's read-only view (only the near worker checks
    steps off). ``refresh_user_ids`` makes it a shared card in the meeting chat: Teams
    asks the bot for each listed user's own view (Action.Execute ``meeting.view``).
    ``shared`` (any view in a group or meeting chat) leaves the family reference out: it is
    shown only on the near worker's cards in the personal chat.
    """
    done = sum(1 for s in MEETING_STEPS if s.key in meeting.checked)
    when = meeting_when(meeting, lang)
    body: list[CardElement] = [
        title(t("meeting.steps.title", lang)),
        text(when if shared else f"{inert(meeting.family_ref)} · {when}", subtle=True),
        _time_block(meeting, now, lang, warn_minutes),
        text(t("meeting.steps.progress", lang, done=str(done), total=str(len(MEETING_STEPS))), subtle=True),
    ]
    body += [_step_row(meeting, i, s.key, s.who.value, lang, can_act=can_act)
             for i, s in enumerate(MEETING_STEPS, start=1)]
    actions = [
        execute(t("meeting.open_star", lang), Verb.STAR_OPEN, record_id=meeting.id),
        execute(t("meeting.open_plan", lang), Verb.PLAN_OPEN, record_id=meeting.id),
        execute(t("meeting.open_feedback", lang), Verb.FEEDBACK_OPEN, record_id=meeting.id),
        execute(t("meeting.finalize", lang), Verb.FINALIZE, record_id=meeting.id, primary=True),
    ] if can_act else []
    if not can_act:
        body.append(text(t("meeting.shared_read_only", lang), subtle=True))
    result = card(body, actions, lang=lang)
    if refresh_user_ids:
        result.refresh = RefreshDefinition(
            action=execute(t("meeting.refresh", lang), Verb.MEETING_VIEW, record_id=meeting.id),
            user_ids=list(refresh_user_ids))
    return result


def meeting_started_card(meeting: Meeting, lang: str = "fi") -> AdaptiveCard:
    """For the near worker when the meeting begins: time and place, and "Aloita Yhdessä aika"."""
    body: list[CardElement] = [
        title(t("meeting.started.title", lang)),
        text(t("meeting.started.text", lang, when=meeting_when(meeting, lang), place=inert(meeting.place))),
        facts([(t("meeting.family", lang), inert(meeting.family_ref))]),
        text(t("meeting.started.hint", lang), subtle=True),
    ]
    return card(body, [execute(t("meeting.start", lang), Verb.MEETING_START, record_id=meeting.id, primary=True)],
                lang=lang)


def time_warning_card(meeting: Meeting, now: datetime, lang: str = "fi") -> AdaptiveCard:
    """The proactive message when the time left reaches the threshold, with the way to the plan."""
    left = _minutes(meeting.duration) - _minutes(meeting.time_used(now))
    heading = t("meeting.warning.title", lang, left=str(left)) if left > 0 else t("meeting.warning.over", lang)
    body: list[CardElement] = [
        Container(style="warning", items=[
            TextBlock(text=heading, wrap=True, size="Large", weight="Bolder", style="heading"),
            TextBlock(text=t("meeting.time_warning", lang), wrap=True),
        ]),
        text(f"{inert(meeting.family_ref)} · {time_line(meeting, now, lang)}", subtle=True),
    ]
    return card(body, [execute(t("meeting.open_plan", lang), Verb.PLAN_OPEN, record_id=meeting.id, primary=True)],
                lang=lang)
