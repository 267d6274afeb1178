"""The joint plan as a printable A4 PDF (reportlab), the family's memo."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import TimeStamp  # type: ignore[attr-defined]  # untyped in the stubs
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Table as PdfTable

from documents.fonts import font_file
from documents.pdf_tags import DOCUMENT, ArtifactDecoration, StructTree, TaggedImage, TaggedParagraph
from documents.plan_content import Block, Heading, Note, PageBreak, Para, Picture, Table, Title, plan_blocks
from documents.texts import t
from domain.plan import PlanDocumentData

_REGULAR, _BOLD = "YhdessaAika-Sans", "YhdessaAika-Sans-Bold"
_ACCENT = colors.HexColor("#1f3a93")
_MUTED = colors.HexColor("#555555")
_NOTE_BG = colors.HexColor("#eef2fa")
_HEADER_BG = colors.HexColor("#dce6f2")
_GRID = colors.HexColor("#9aa3ad")
_MARGIN = 2 * cm
_TEXT_WIDTH = A4[0] - 2 * _MARGIN


def _fonts() -> tuple[str, str]:
    """Registers DejaVu Sans with reportlab once per process (for ä, ö, å and –); Helvetica when it is missing."""
    registered = pdfmetrics.getRegisteredFontNames()
    if _REGULAR in registered and _BOLD in registered:
        return _REGULAR, _BOLD
    regular, bold = font_file(), font_file(bold=True)
    if regular is None:
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont(_REGULAR, str(regular)))
    pdfmetrics.registerFont(TTFont(_BOLD, str(bold or regular)))
    pdfmetrics.registerFontFamily(_REGULAR, normal=_REGULAR, bold=_BOLD, italic=_REGULAR, boldItalic=_BOLD)
    return _REGULAR, _BOLD


class _Styles:
    """The document's paragraph styles."""

    def __init__(self, regular: str, bold: str) -> None:
        self.regular, self.bold = regular, bold
        self.body = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=8.5, leading=10.5, spaceAfter=0)
        self.small_bold = ParagraphStyle("small-bold", parent=self.small, fontName=bold)
        self.cell = ParagraphStyle("cell", parent=self.body, spaceAfter=0)
        self.cell_bold = ParagraphStyle("cell-bold", parent=self.cell, fontName=bold)
        self.muted = ParagraphStyle("muted", parent=self.body, fontSize=9, leading=12, textColor=_MUTED)
        self.note = ParagraphStyle("note", parent=self.body, fontSize=9, leading=12, spaceAfter=0)
        self.title = ParagraphStyle("title", fontName=bold, fontSize=19, leading=22, textColor=_ACCENT)
        self.subtitle = ParagraphStyle("subtitle", fontName=regular, fontSize=10.5, leading=13, textColor=_MUTED,
                                       spaceAfter=6)
        self.h1 = ParagraphStyle("h1", fontName=bold, fontSize=11, leading=14, textColor=_ACCENT,
                                 spaceBefore=7, spaceAfter=3)
        self.h2 = ParagraphStyle("h2", fontName=bold, fontSize=9.5, leading=12, spaceBefore=2, spaceAfter=1)
        self.caption = ParagraphStyle("caption", parent=self.muted, alignment=TA_CENTER)


def _markup(text: str) -> str:
    """The family's text as reportlab paragraph markup: escaped, line breaks kept."""
    return "<br/>".join(escape(line) for line in text.split("\n"))


def _para(tree: StructTree, text: str, style: ParagraphStyle, role: str, parent: int = DOCUMENT,
          scope: str | None = None) -> TaggedParagraph:
    """A paragraph that is (the marked content of) a new structure element with ``role`` under ``parent``."""
    return TaggedParagraph(text, style).tagged(tree, tree.add(role, parent, scope=scope))


def _table(block: Table, styles: _Styles, tree: StructTree) -> PdfTable:
    body = styles.small if block.small else styles.cell
    bold = styles.small_bold if block.small else styles.cell_bold
    element = tree.add("Table")
    rows = []
    if block.header:
        row_element = tree.add("TR", element)
        rows.append([_para(tree, _markup(h), bold, "TH", row_element, "Column") for h in block.header])
    for row in block.rows:
        row_element = tree.add("TR", element)
        # A label column ("Päivämäärä", a service's name) heads its row: a screen reader reads it with each cell.
        rows.append([_para(tree, _markup(c), bold, "TH", row_element, "Row") if n in block.label_columns
                     else _para(tree, _markup(c), body, "TD", row_element) for n, c in enumerate(row)])
    table = PdfTable(rows, colWidths=[_TEXT_WIDTH * w for w in block.widths], repeatRows=1 if block.header else 0,
                     hAlign="LEFT", renderCB=ArtifactDecoration())
    style: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 4),
             ("RIGHTPADDING", (0, 0), (-1, -1), 4), ("TOPPADDING", (0, 0), (-1, -1), 2),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if block.header:
        style += [("GRID", (0, 0), (-1, -1), 0.5, _GRID), ("BACKGROUND", (0, 0), (-1, 0), _HEADER_BG)]
    else:
        style += [("LINEBELOW", (0, 0), (-1, -1), 0.4, _GRID)]
    table.setStyle(TableStyle(style))
    return table


def _flowables(blocks: tuple[Block, ...], styles: _Styles, tree: StructTree) -> list[Flowable]:
    """The story, each block also added to ``tree`` as structure elements in reading order."""
    story: list[Flowable] = []
    pending: list[Flowable] = []  # headings kept together with what follows them
    for block in blocks:
        items: list[Flowable] = []
        if isinstance(block, Title):
            items = [_para(tree, _markup(block.text), styles.title, "H1"),
                     _para(tree, _markup(block.subtitle), styles.subtitle, "P")]
        elif isinstance(block, Note):
            note = PdfTable([[_para(tree, _markup(block.text), styles.note, "P")]], colWidths=[_TEXT_WIDTH],
                            renderCB=ArtifactDecoration())  # the box is decoration, its text a paragraph
            note.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), _NOTE_BG),
                                      ("LINEBEFORE", (0, 0), (0, -1), 3, _ACCENT),
                                      ("LEFTPADDING", (0, 0), (-1, -1), 8), ("TOPPADDING", (0, 0), (-1, -1), 5),
                                      ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
            items = [note, Spacer(1, 6)]
        elif isinstance(block, Heading):
            level_one = block.level == 1
            pending.append(_para(tree, _markup(block.text), styles.h1 if level_one else styles.h2,
                                 "H2" if level_one else "H3"))  # H1 is the title
            continue
        elif isinstance(block, Para):
            lead = f"<b>{escape(block.lead)}</b>" if block.lead else ""
            items = [_para(tree, lead + _markup(block.text), styles.muted if block.muted else styles.body, "P")]
        elif isinstance(block, Table):
            items = [_table(block, styles, tree), Spacer(1, 4)]
        elif isinstance(block, Picture):
            image = TaggedImage(io.BytesIO(block.png)).tagged(tree, tree.add("Figure", alt=block.alt))
            scale = _TEXT_WIDTH * block.width / image.imageWidth
            image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
            items = [image]
        elif isinstance(block, PageBreak):
            items = [PdfPageBreak()]
        if pending:
            story.append(KeepTogether([*pending, *items[:1]]))
            story.extend(items[1:])
            pending = []
        else:
            story.extend(items)
    story.extend(pending)
    return story


def plan_pdf(data: PlanDocumentData, star_png: bytes | None = None) -> bytes:
    """The joint plan as A4 PDF bytes, in ``data.lang``; the same data always gives the same bytes.

    The PDF is tagged (documents.pdf_tags): headings, paragraphs, tables and the star figure with its
    alternative text are structure elements in reading order; boxes, rules and the footer are artifacts.

    ``star_png`` is the star picture when it has already been drawn. Raises
    documents.plan_content.UnsafeDocumentDataError when a field looks like it holds an
    identity code.
    """
    blocks = plan_blocks(data, star_png)
    regular, bold = _fonts()
    styles = _Styles(regular, bold)
    footer = t("doc.page", data.lang, page="{page}")
    tree = StructTree()  # the tagged PDF's logical structure, for screen readers

    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        """The footer on every page: the memo note and the page number."""
        if data.created is not None and doc.page == 1:
            _stamp(canvas, data.created)
        with tree.artifact(canvas):
            canvas.saveState()
            canvas.setFont(regular, 7.5)
            canvas.setFillColor(_MUTED)
            canvas.drawString(_MARGIN, 1.1 * cm, footer.format(page=doc.page))
            canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=1.7 * cm,
                            bottomMargin=1.8 * cm, title=t("doc.title", data.lang),
                            subject=t("doc.subtitle", data.lang), author=t("doc.subtitle", data.lang),
                            creator=t("doc.subtitle", data.lang), lang=_LANG_TAGS.get(data.lang, data.lang),
                            displayDocTitle=1, invariant=1)
    doc.build(_flowables(blocks, styles, tree), onFirstPage=decorate, onLaterPages=decorate,
              canvasmaker=tree.canvas_maker)
    return out.getvalue()


#: The document language as a PDF reader announces it (BCP 47, with the region the family lives in).
_LANG_TAGS = {"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}


def _stamp(canvas: Canvas, created: datetime) -> None:
    """The creation date: the finalizing moment (the injected clock), not reportlab's fixed invariant date nor
    the wall clock. reportlab reads the document's timestamp only when it writes the info dictionary at the end."""
    stamp = TimeStamp(invariant=1)
    offset = created.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    stamp.t = created.timestamp()
    stamp.lt = created.timetuple()
    stamp.YMDhms = tuple(created.timetuple())[:6]
    stamp.dhh, stamp.dmm = divmod(minutes, 60)
    canvas._doc._timeStamp = stamp  # type: ignore[attr-defined]  # reportlab has no public way to date it
