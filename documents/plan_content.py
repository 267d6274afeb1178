"""What the printed joint plan says, in order, as simple blocks both the DOCX and the PDF lay out.

Keeping the content in one place means the two formats can never disagree about what
goes into the family's memo. Everything comes from a PlanDocumentData and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from documents.star_picture import render_star_png
from documents.texts import day_text, moment_text, t
from domain.plan import PlanDocumentData, identity_code_fields
from domain.star import StarDefinition, StarReading, View


class UnsafeDocumentDataError(ValueError):
    """The data holds something that looks like a personal identity code; no document is made.

    The message names the fields only, never their content.
    """


@dataclass(frozen=True)
class Title:
    """The document's title and subtitle."""

    text: str
    subtitle: str


@dataclass(frozen=True)
class Note:
    """A highlighted note (the "not an official document" memo note)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 for the template's items, 2 for their parts."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A paragraph of the family's text; ``lead`` is a bold label before it; ``muted`` for explanations."""

    text: str
    lead: str = ""
    muted: bool = False


@dataclass(frozen=True)
class Table:
    """A table; ``widths`` are fractions of the text width; ``header`` may be empty."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    small: bool = False
    label_columns: tuple[int, ...] = ()  # columns holding labels (bold)


@dataclass(frozen=True)
class Picture:
    """The star picture (PNG) with its alternative text; ``width`` is a fraction of the text width."""

    png: bytes
    alt: str
    width: float


@dataclass(frozen=True)
class PageBreak:
    """The next block (a heading) starts a new page."""


Block = Title | Note | Heading | Para | Table | Picture | PageBreak


def _or_dash(text: str, lang: str) -> str:
    return text.strip() or t("doc.empty", lang)


def _ratings(star: StarDefinition, key: str, reading: StarReading, earlier: StarReading | None, lang: str) -> str:
    point = star.point(key)
    parts = []
    for view in View:
        if view is View.CHILD and point is not None and not point.asked_from_child:
            continue
        value = reading.point(key).rating(view)
        before = earlier.point(key).rating(view) if earlier else None
        if value is None and before is None:
            continue
        text = f"{t(f'star.view.{view.value}.short', lang)} {value if value is not None else t('doc.empty', lang)}"
        if before is not None:
            text += f" ({t('star.earlier', lang).lower()} {before})"
        parts.append(text)
    return "\n".join(parts) or t("doc.empty", lang)


def star_blocks(data: PlanDocumentData, star_png: bytes | None = None) -> list[Block]:
    """The star page: the picture and, per point, strengths, things to work on and ratings."""
    star, reading, lang = data.star, data.reading, data.lang
    if star is None or reading is None:
        return []
    png = star_png or render_star_png(star, reading, earlier=data.earlier_reading, lang=lang, title=False)
    alt = t("star.picture_alt", lang, star=star.name(lang), points=str(len(star.points)))
    # No page break of its own: it follows the plan on the same page when it fits (the renderer keeps the picture
    # whole), rather than leaving most of a page empty.
    blocks: list[Block] = [Heading(star.name(lang)), Picture(png, alt, 0.85)]
    if star.description(lang):
        blocks.append(Para(star.description(lang), muted=True))
    rated = star.rated and (reading.has_ratings() or bool(data.earlier_reading and data.earlier_reading.has_ratings()))
    header = (t("star.point", lang), t("star.strengths", lang), t("star.to_work_on", lang))
    rows = []
    for number, point in enumerate(star.points, start=1):
        entry = reading.point(point.key)
        row: tuple[str, ...] = (f"{number}. {point.text(lang)}", _or_dash(entry.strengths, lang),
                                _or_dash(entry.to_work_on, lang))
        if rated:
            row = (*row, _ratings(star, point.key, reading, data.earlier_reading, lang))
        rows.append(row)
    if rated:
        blocks.append(Table((*header, t("star.ratings", lang)), tuple(rows), (0.27, 0.27, 0.27, 0.19), small=True))
    else:
        blocks.append(Table(header, tuple(rows), (0.3, 0.35, 0.35), small=True))
    return blocks


def plan_blocks(data: PlanDocumentData, star_png: bytes | None = None) -> tuple[Block, ...]:
    """The whole document, in the template's order.

    ``star_png`` is the already drawn star picture, if any (so the Teams card, the DOCX
    and the PDF share one drawing). Raises UnsafeDocumentDataError when any field looks like
    it holds a personal identity code.
    """
    unsafe = identity_code_fields(data)
    if unsafe:
        raise UnsafeDocumentDataError(f"identity code in: {', '.join(unsafe)}")
    lang, plan = data.lang, data.plan
    blocks: list[Block] = [
        Title(t("doc.title", lang), t("doc.subtitle", lang)),
        Note(t("doc.memo_note", lang)),
        Table((), ((t("doc.date", lang), day_text(data.meeting_day, lang)), (t("doc.place", lang), data.place)),
              (0.2, 0.8), label_columns=(0,)),
        Heading(t("doc.participants", lang)),
        Table((t("doc.name", lang), t("doc.role", lang)),
              tuple((p.name, p.role) for p in data.participants), (0.4, 0.6), small=True),
        Heading(t("plan.things_to_change", lang)),
        Para(_or_dash(plan.things_to_change, lang)),
        Heading(t("plan.actions", lang)),
        Heading(t("plan.actions.at_home", lang), 2),
        Para(_or_dash(plan.actions.at_home, lang)),
        Heading(t("plan.actions.everyday_environment", lang), 2),
        Para(_or_dash(plan.actions.everyday_environment, lang)),
        Heading(t("plan.actions.elsewhere", lang), 2),
    ]
    if plan.actions.elsewhere_where.strip():
        blocks.append(Para(plan.actions.elsewhere_where.strip(), lead=f"{t('plan.actions.where', lang)}: "))
    blocks += [
        Para(_or_dash(plan.actions.elsewhere, lang)),
        Heading(t("plan.contact", lang)),
        Heading(t("plan.contact.workers_reach_family", lang), 2),
        Para(_or_dash(plan.contact.workers_reach_family, lang)),
        Heading(t("plan.contact.family_reaches_worker", lang), 2),
        Para(_or_dash(plan.contact.family_reaches_worker, lang)),
    ]
    workers = data.responsible_workers
    blocks.append(Heading(t("plan.responsible.pair" if len(workers) > 1 else "plan.responsible", lang)))
    for worker in workers:
        blocks.append(Para(worker.role, lead=f"{worker.name}, "))
        if worker.contact.strip():
            blocks.append(Para(worker.contact.strip(), lead=f"{t('plan.responsible.contact', lang)}: "))
    blocks += [
        Para(t("plan.responsible.explain", lang), muted=True),
        Heading(t("plan.next_contact", lang)),
        Para(moment_text(plan.next_contact, lang) if plan.next_contact else t("doc.empty", lang)),
        Para(t("plan.next_contact.explain", lang), muted=True),
        Para("; ".join(f"{p.name} ({p.role})" for p in data.recipients) or t("doc.empty", lang),
             lead=f"{t('plan.recipients', lang)}: "),
    ]
    # As a family reads it: the plan, then the star with its legend, then the services' contacts (compact, last)
    # without a page of their own.
    blocks += star_blocks(data, star_png)
    if data.service_contacts:
        blocks += [Heading(t("plan.services", lang)),
                   Table((), tuple((s.service, s.contact) for s in data.service_contacts), (0.42, 0.58),
                         small=True, label_columns=(0,))]
    return tuple(blocks)
