"""Tagged PDF for reportlab platypus: the logical structure (PDF/UA style) a screen reader follows.

A StructTree is made for one document. Building the story, the caller adds structure elements
(``H1``, ``P``, ``Table`` > ``TR`` > ``TH``/``TD``, ``Figure``...) in reading order and hands their ids
to the tagged flowables below. While reportlab draws, each flowable wraps its content in a
marked-content sequence ``/Role <</MCID k>> BDC ... EMC`` and the tree records which element owns
which (page, MCID); decoration goes into ``/Artifact BMC ... EMC``. Finally the canvas made by
``StructTree.canvas_maker`` writes the structure tree, the parent tree and the catalog entries
into reportlab's PDF document just before it is saved.

reportlab has no public API for any of this: the few places that reach into its internals
(the canvas's raw content list ``_code`` and its ``_doc``) are marked where they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObjectReference,
    PDFPage,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph
from reportlab.platypus.tables import Table, TableRenderCB

#: The id of the root ``Document`` element every other element descends from.
DOCUMENT = 0


@dataclass
class _Element:
    role: str
    parent: int | None
    alt: str | None = None
    scope: str | None = None  # a header cell's: "Column" or "Row"
    bbox: tuple[float, float, float, float] | None = None
    children: list[int] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)  # (page number, MCID), in drawing order


def _code(canvas: Canvas) -> list[str]:
    """The current page's raw content-stream lines (reportlab internal: no public way to emit BDC/EMC)."""
    code: list[str] = canvas._code  # type: ignore[attr-defined]
    return code


class StructTree:
    """The structure elements of one PDF and the marked content each owns, page by page."""

    def __init__(self) -> None:
        self._elements = [_Element("Document", None)]
        self._owners: dict[int, list[int]] = {}  # page number -> the owning element of each MCID

    def add(self, role: str, parent: int = DOCUMENT, alt: str | None = None, scope: str | None = None) -> int:
        """A new structure element (a standard role such as ``P``), the last child of ``parent``; its id.
        ``scope``: what a ``TH`` heads, ``Column`` or ``Row``."""
        self._elements.append(_Element(role, parent, alt, scope))
        element = len(self._elements) - 1
        self._elements[parent].children.append(element)
        return element

    def set_bbox(self, element: int, bbox: tuple[float, float, float, float]) -> None:
        """Where a figure lies on its page (``/A << /O /Layout /BBox >>``), in default user space."""
        self._elements[element].bbox = bbox

    @contextmanager
    def marked(self, canvas: Canvas, element: int) -> Iterator[None]:
        """Wraps what is drawn inside in a marked-content sequence owned by ``element``."""
        page = canvas.getPageNumber()
        owners = self._owners.setdefault(page, [])
        mcid = len(owners)
        owners.append(element)
        self._elements[element].content.append((page, mcid))
        _code(canvas).append(f"/{self._elements[element].role} <</MCID {mcid}>> BDC")
        try:
            yield
        finally:
            _code(canvas).append("EMC")

    @staticmethod
    @contextmanager
    def artifact(canvas: Canvas) -> Iterator[None]:
        """Wraps decoration (backgrounds, rules, page footers) drawn inside as an artifact."""
        _code(canvas).append("/Artifact BMC")
        try:
            yield
        finally:
            _code(canvas).append("EMC")

    def canvas_maker(self, filename: str | IO[bytes], /, **kwargs: Any) -> Canvas:
        """For ``doc.build(canvasmaker=...)``: a canvas that writes this tree into the PDF when saved."""
        return _TaggedCanvas(filename, self, **kwargs)

    def write(self, canvas: Canvas) -> None:
        """Adds the structure tree, the pages' StructParents and the catalog's MarkInfo to the document."""
        doc: Any = canvas._doc  # type: ignore[attr-defined]  # reportlab's PDFDocument, no public access
        pages: list[Any] = doc.Pages.pages  # named "Page1", "Page2"... when they were added
        page_refs = [doc.Reference(page) for page in pages]
        starts = self._starts()
        refs = {element: PDFObjectReference(f"StructElem{element}") for element in starts}
        root = PDFObjectReference("StructTreeRoot")
        for element, (page, _) in starts.items():
            doc.Reference(self._dictionary(element, page, refs, root, page_refs), refs[element].name)
        nums: list[Any] = []
        for index, page in enumerate(pages):
            nums += [index, PDFArray([refs[owner] for owner in self._owners.get(index + 1, [])])]
            page.StructParents = index
            page.Tabs = PDFName("S")
            page.__NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]  # PDFPage writes only these
        doc.Reference(PDFDictionary({"Type": PDFName("StructTreeRoot"), "K": refs[DOCUMENT],
                                     "ParentTree": PDFDictionary({"Nums": PDFArray(nums)}),
                                     "ParentTreeNextKey": len(pages)}), root.name)
        doc.Catalog.StructTreeRoot = root
        doc.Catalog.MarkInfo = PDFDictionary({"Marked": "true"})

    def _starts(self) -> dict[int, tuple[int, int]]:
        """Where each element owning content (itself or below it) starts, its first (page, MCID), in document
        order; elements that own nothing (never drawn) are left out of the structure."""
        starts: dict[int, tuple[int, int]] = {}

        def visit(element: int) -> tuple[int, int] | None:
            starts[element] = (0, 0)  # its place in document order, before its children
            node = self._elements[element]
            below = [visit(child) for child in node.children]
            owned = [*node.content, *(start for start in below if start is not None)]
            if not owned:
                del starts[element]
                return None
            starts[element] = min(owned)
            return starts[element]

        visit(DOCUMENT)
        return starts

    def _dictionary(self, element: int, page: int, refs: dict[int, PDFObjectReference], root: PDFObjectReference,
                    page_refs: list[Any]) -> PDFDictionary:
        """The StructElem dictionary of ``element`` starting on ``page``: its own MCIDs there are plain
        integers, those on later pages marked-content references."""
        node = self._elements[element]
        kids: list[Any] = [mcid if on == page else PDFDictionary({"Type": PDFName("MCR"), "Pg": page_refs[on - 1],
                                                                 "MCID": mcid})
                           for on, mcid in node.content]
        kids += [refs[child] for child in node.children if child in refs]
        entries: dict[str, Any] = {"Type": PDFName("StructElem"), "S": PDFName(node.role),
                                   "P": root if node.parent is None else refs[node.parent],
                                   "Pg": page_refs[page - 1], "K": PDFArray(kids)}
        if node.alt is not None:
            entries["Alt"] = PDFString(node.alt)
        if node.bbox is not None:
            entries["A"] = PDFDictionary({"O": PDFName("Layout"), "BBox": PDFArray(list(node.bbox))})
        if node.scope is not None:
            entries["A"] = PDFDictionary({"O": PDFName("Table"), "Scope": PDFName(node.scope)})
        return PDFDictionary(entries)


class _TaggedCanvas(Canvas):
    """A canvas that writes its StructTree into the document before saving it."""

    def __init__(self, filename: str | IO[bytes], tree: StructTree, **kwargs: Any) -> None:
        super().__init__(filename, **kwargs)
        self._tree = tree

    def save(self) -> None:
        if _code(self):  # the last page, as Canvas.save would: the tree must see every page
            self.showPage()
        self._tree.write(self)
        super().save()


class TaggedParagraph(Paragraph):
    """A paragraph whose lines are marked content of one structure element, even when split over pages.

    Drawn a second time (a table's header row repeated on the next page) it is an artifact.
    """

    tree: StructTree | None = None
    element = DOCUMENT
    _drawn = False

    def tagged(self, tree: StructTree, element: int) -> TaggedParagraph:
        """This paragraph, owned by ``element`` of ``tree``."""
        self.tree, self.element = tree, element
        return self

    def split(self, available_width: float, available_height: float, /) -> list[Flowable]:
        parts = super().split(available_width, available_height)
        for part in parts:
            if isinstance(part, TaggedParagraph) and part is not self and self.tree is not None:
                part.tagged(self.tree, self.element)
        return parts

    def draw(self) -> None:
        if self.tree is None:
            super().draw()
            return
        marking = StructTree.artifact(self.canv) if self._drawn else self.tree.marked(self.canv, self.element)
        self._drawn = True
        with marking:
            super().draw()


class TaggedImage(Image):
    """An image drawn as a ``Figure`` element's marked content, its bounding box recorded."""

    tree: StructTree | None = None
    element = DOCUMENT

    def tagged(self, tree: StructTree, element: int) -> TaggedImage:
        """This image, owned by ``element`` (a ``Figure`` with its ``alt`` text) of ``tree``."""
        self.tree, self.element = tree, element
        return self

    def draw(self) -> None:
        if self.tree is None:
            super().draw()
            return
        x0, y0 = self.canv.absolutePosition(0, 0)
        x1, y1 = self.canv.absolutePosition(self.drawWidth, self.drawHeight)
        self.tree.set_bbox(self.element, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        with self.tree.marked(self.canv, self.element):
            super().draw()


class ArtifactDecoration(TableRenderCB):
    """A table's ``renderCB``: its backgrounds and grid lines are artifacts; cells tag themselves."""

    def startBG(self, table: Table) -> None:  # noqa: N802 - reportlab's callback names
        _code(table.canv).append("/Artifact BMC")

    def endBG(self, table: Table) -> None:  # noqa: N802
        _code(table.canv).append("EMC")

    def startLines(self, table: Table) -> None:  # noqa: N802
        _code(table.canv).append("/Artifact BMC")

    def endLines(self, table: Table) -> None:  # noqa: N802
        _code(table.canv).append("EMC")

    def startTable(self, table: Table) -> None:  # noqa: N802
        pass

    def endTable(self, table: Table) -> None:  # noqa: N802
        pass

    def startRow(self, table: Table, row: int) -> None:  # noqa: N802
        pass

    def endRow(self, table: Table) -> None:  # noqa: N802
        pass

    def startCell(self, table: Table, row: int, column: int, value: Any, style: Any,  # noqa: N802
                  pos: tuple[int, int], size: tuple[int, int]) -> None:
        pass

    def endCell(self, table: Table) -> None:  # noqa: N802
        pass
