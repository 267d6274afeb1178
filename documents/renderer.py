"""The PlanRenderer port: the star picture drawn once, then the DOCX and the PDF."""

from __future__ import annotations

from domain.plan import PlanDocumentData
from services.ports import RenderedPlan


class DocumentRenderer:
    """Renders plan documents with python-docx and reportlab."""

    def render(self, data: PlanDocumentData) -> RenderedPlan:
        """DOCX and PDF bytes; both share one drawing of the star."""
        # Imported on first use: python-docx, reportlab and Pillow would add ~0.2 s and ~25 MB to every
        # start of the bot, though only finalizing a plan needs them.
        from documents.plan_docx import plan_docx  # noqa: PLC0415
        from documents.plan_pdf import plan_pdf  # noqa: PLC0415
        from documents.star_picture import render_star_png  # noqa: PLC0415

        star_png = None
        if data.star is not None and data.reading is not None:
            star_png = render_star_png(data.star, data.reading, earlier=data.earlier_reading, lang=data.lang,
                                       title=False)
        return RenderedPlan(docx=plan_docx(data, star_png), pdf=plan_pdf(data, star_png))
