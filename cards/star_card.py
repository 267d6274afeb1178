"""The wellbeing star card (Hyvinvoinnin tähti): per point strengths, things to work on and optional ratings.

Input ids are short and carry no data: ``s_<n>`` strengths, ``w_<n>`` things to work on,
and the ratings ``f_<n>`` (family), ``c_<n>`` (the child's own, only for points asked from
the child) and ``p_<n>`` (professionals), where ``<n>`` is the point's index (from 0) in
the star definition. bot.meeting_payloads.StarSavePayload reads them back.
"""

from __future__ import annotations

from microsoft_teams.cards import (
    AdaptiveCard,
    CardElement,
    Container,
    Image,
    NumberInput,
    TextBlock,
    TextInput,
)

from cards.common import card, execute, text, title
from cards.meeting_steps import message_block
from cards.verbs import Verb
from domain.meeting import Meeting
from domain.star import MAX_POINT_TEXT, PointReading, RatingScale, StarDefinition, StarPoint, StarReading, View
from i18n.formatting import format_date
from i18n.messages import t

#: The input id prefix of each rating view.
VIEW_PREFIX = {View.FAMILY: "f", View.CHILD: "c", View.PROFESSIONALS: "p"}
STRENGTHS_PREFIX = "s"
TO_WORK_ON_PREFIX = "w"


def input_id(prefix: str, index: int) -> str:
    """``s_0``, ``f_3``…: the card input id of one field of point number ``index`` (from 0)."""
    return f"{prefix}_{index}"


def scale_line(scale: RatingScale, lang: str) -> str:
    """"Arviot: 1 = paljon huolta … 5 = sujuu hyvin" (or "Arviot 1–5" when the ends have no words)."""
    low, high = str(scale.minimum), str(scale.maximum)
    if scale.min_label(lang) and scale.max_label(lang):
        return t("starcard.scale", lang, low=low, high=high, low_label=scale.min_label(lang),
                 high_label=scale.max_label(lang))
    return t("starcard.scale_plain", lang, low=low, high=high)


def _scales(definition: StarDefinition) -> list[RatingScale]:
    scales: list[RatingScale] = []
    for point in definition.points:
        if point.scale is not None and point.scale not in scales:
            scales.append(point.scale)
    return scales


def _input_label(label: str, index: int, point: StarPoint, lang: str) -> str:
    # The label is the input's accessible name: "Voimavarat" alone repeats for every point, so a
    # screen-reader user could not tell the points apart; the point's number and name make it unique.
    return f"{label} – {index + 1}. {point.text(lang)}"


def _rating_input(view: View, index: int, point: StarPoint, scale: RatingScale, entry: PointReading,
                  lang: str) -> NumberInput:
    value = entry.rating(view)
    low, high = str(scale.minimum), str(scale.maximum)
    label = _input_label(t(f"starcard.view.{view.value}", lang), index, point, lang)
    return NumberInput(id=input_id(VIEW_PREFIX[view], index), label=label, spacing="Small",
                       min=scale.minimum, max=scale.maximum, value=value, placeholder=f"{low}–{high}",
                       error_message=t("starcard.rating_error", lang, low=low, high=high))


def _point_block(point: StarPoint, index: int, entry: PointReading, lang: str) -> Container:
    items: list[CardElement] = [
        TextBlock(text=f"{index + 1}. {point.text(lang)}", wrap=True, weight="Bolder"),
        TextInput(id=input_id(STRENGTHS_PREFIX, index),
                  label=_input_label(t("starcard.strengths", lang), index, point, lang), is_multiline=True,
                  max_length=MAX_POINT_TEXT, value=entry.strengths or None, spacing="Small"),
        TextInput(id=input_id(TO_WORK_ON_PREFIX, index),
                  label=_input_label(t("starcard.to_work_on", lang), index, point, lang), is_multiline=True,
                  max_length=MAX_POINT_TEXT, value=entry.to_work_on or None, spacing="Small"),
    ]
    if point.scale is not None:
        views = [View.FAMILY, *([View.CHILD] if point.asked_from_child else []), View.PROFESSIONALS]
        # One under another, not side by side: three columns at 320 px broke "Ammattilaiset" mid-word.
        items += [_rating_input(view, index, point, point.scale, entry, lang) for view in views]
    return Container(separator=True, spacing="Medium", items=items)


def _reading(meeting: Meeting, definition: StarDefinition) -> StarReading:
    reading = meeting.reading
    return reading if reading is not None and reading.star_key == definition.key else StarReading(definition.key)


def _picture(meeting: Meeting, definition: StarDefinition, lang: str, picture_url: str,
             earlier_note: bool) -> list[CardElement]:
    params = {"star": definition.name(lang), "points": str(len(definition.points))}
    alt = t("starcard.picture_alt_earlier" if earlier_note else "starcard.picture_alt", lang, **params)
    items: list[CardElement] = [Image(url=picture_url, alt_text=alt, size="Stretch")]
    if earlier_note:
        earlier = meeting.earlier_reading
        taken_on = earlier.taken_on if earlier is not None else None
        note = (t("starcard.earlier_on", lang, date=format_date(taken_on, lang)) if taken_on
                else t("starcard.earlier", lang))
        items.append(text(note, subtle=True))
    return items


def star_card(meeting: Meeting, definition: StarDefinition, lang: str = "fi", *, picture_url: str | None,
              message: str | None = None, earlier_note: bool) -> AdaptiveCard:
    """The star: picture, scale, then each point (grouped) with its texts and ratings, prefilled; Tallenna."""
    body: list[CardElement] = [title(definition.name(lang))]
    if message:
        body.append(message_block(message, lang))
    if definition.description(lang):
        body.append(text(definition.description(lang), subtle=True))
    if picture_url:
        body += _picture(meeting, definition, lang, picture_url, earlier_note)
    body += [text(scale_line(scale, lang), bold=True) for scale in _scales(definition)]
    body.append(text(t("starcard.empty_ok", lang), subtle=True))
    reading = _reading(meeting, definition)
    group = None
    for index, point in enumerate(definition.points):
        if point.group != group:
            group = point.group
            star_group = definition.group(group)
            body.append(TextBlock(text=star_group.name(lang) if star_group else group, wrap=True, size="Small",
                                  weight="Bolder", is_subtle=True, separator=True, spacing="Large"))
        body.append(_point_block(point, index, reading.point(point.key), lang))
    actions = [execute(t("meeting.save", lang), Verb.STAR_SAVE, record_id=meeting.id, primary=True),
               execute(t("meeting.back", lang), Verb.MEETING_OPEN, record_id=meeting.id)]
    return card(body, actions, lang=lang)
