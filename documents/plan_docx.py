"""The joint plan as a Word document (DOCX), editable by the near worker before printing."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from types import MappingProxyType

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell, _Row

from documents.plan_content import Block, Heading, Note, PageBreak, Para, Picture, Table, Title, plan_blocks
from documents.texts import t
from domain.plan import PlanDocumentData

_LANG_TAGS = MappingProxyType({"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"})
_ACCENT = RGBColor(0x1F, 0x3A, 0x93)
_MUTED = RGBColor(0x55, 0x55, 0x55)
_TEXT_WIDTH_CM = 17.0  # A4 (21 cm) less 2 cm margins


def _set_language(document: DocxDocument, lang: str) -> None:
    """Marks the text's language (spell checking, screen readers)."""
    r_pr = document.styles["Normal"].element.get_or_add_rPr()
    element = OxmlElement("w:lang")
    element.set(qn("w:val"), _LANG_TAGS.get(lang, "fi-FI"))
    r_pr.append(element)


def _shade(cell: _Cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _add(document: DocxDocument, block: Block, *, new_page: bool = False) -> None:
    """Adds one block; ``new_page`` starts it on a new page."""
    if isinstance(block, Title):
        document.add_heading(block.text, level=0)
        subtitle = document.add_paragraph(block.subtitle, style="Subtitle")
        subtitle.paragraph_format.space_after = Pt(4)
    elif isinstance(block, Note):
        table = document.add_table(rows=1, cols=1)
        cell = table.cell(0, 0)
        _shade(cell, "EEF2FA")
        run = cell.paragraphs[0].add_run(block.text)
        run.italic = True
        document.add_paragraph()
    elif isinstance(block, Heading):
        heading = document.add_heading(block.text, level=block.level)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.page_break_before = new_page
    elif isinstance(block, Para):
        paragraph = document.add_paragraph()
        if block.lead:
            paragraph.add_run(block.lead).bold = True
        for n, line in enumerate(block.text.split("\n")):
            run = paragraph.add_run()
            if n:
                run.add_break(WD_BREAK.LINE)
            run.add_text(line)
            if block.muted:
                run.italic = True
                run.font.color.rgb = _MUTED
    elif isinstance(block, Table):
        _add_table(document, block)
    elif isinstance(block, Picture):
        document.add_picture(io.BytesIO(block.png), width=Cm(_TEXT_WIDTH_CM * block.width))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        shape = document.inline_shapes[-1]
        shape._inline.docPr.set("descr", block.alt)


def _add_table(document: DocxDocument, block: Table) -> None:
    columns = len(block.widths)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    size = 9.0 if block.small else None
    if block.header:
        cells = table.add_row().cells
        for cell, text in zip(cells, block.header, strict=True):
            _shade(cell, "DCE6F2")
            _cell_text(cell, text, bold=True, size=size)
        _repeat_header(table.rows[0])
    for row in block.rows:
        cells = table.add_row().cells
        for n, (cell, text) in enumerate(zip(cells, row, strict=True)):
            _cell_text(cell, text, bold=n in block.label_columns, size=size)
    for row in table.rows:
        for cell, fraction in zip(row.cells, block.widths, strict=True):
            cell.width = Cm(_TEXT_WIDTH_CM * fraction)
    document.add_paragraph()


def _repeat_header(row: _Row) -> None:
    """Repeats the header row on every page the table spans."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell_text(cell: _Cell, text: str, *, bold: bool, size: float | None) -> None:
    paragraph = cell.paragraphs[0]
    for n, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if n:
            run.add_break(WD_BREAK.LINE)
        run.add_text(line)
        run.bold = bold
        if size:
            run.font.size = Pt(size)


def plan_docx(data: PlanDocumentData, star_png: bytes | None = None) -> bytes:
    """The joint plan as DOCX bytes (A4), in ``data.lang``.

    ``star_png`` is the star picture when it has already been drawn. Raises
    documents.plan_content.UnsafeDocumentDataError when a field looks like it holds an
    identity code.
    """
    blocks = plan_blocks(data, star_png)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(1.8), Cm(1.8)
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    _set_language(document, data.lang)
    for level in (1, 2):
        style = document.styles[f"Heading {level}"]
        style.font.color.rgb = _ACCENT
        style.font.size = Pt(13 if level == 1 else 11)
    footer = section.footer.paragraphs[0]
    footer.text = t("doc.footer", data.lang)
    footer.runs[0].font.size = Pt(8)
    footer.runs[0].font.color.rgb = _MUTED
    for before, block in zip((None, *blocks), blocks, strict=False):
        if not isinstance(block, PageBreak):
            _add(document, block, new_page=isinstance(before, PageBreak))
    props = document.core_properties
    props.title = t("doc.title", data.lang)
    props.subject = t("doc.subtitle", data.lang)
    props.author = props.last_modified_by = t("doc.subtitle", data.lang)
    props.comments = props.keywords = props.category = ""
    props.language = _LANG_TAGS.get(data.lang, "fi-FI")
    moment = datetime(data.meeting_day.year, data.meeting_day.month, data.meeting_day.day, tzinfo=UTC)
    props.created = props.modified = moment
    props.revision = 1
    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same package with fixed entry times: python-docx stamps each zip entry with the current
    time, so the same plan rendered twice would differ byte for byte — and a retried upload could
    not recognise its own earlier file."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
