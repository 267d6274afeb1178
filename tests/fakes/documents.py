"""FakeRenderer: plan documents as small, recognisable bytes (the real renderer is tested in tests/unit)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.plan import PlanDocumentData
from services.ports import RenderedPlan


@dataclass
class FakeRenderer:
    """Renders a plan to ``DOCX:<things to change>`` and ``PDF:<…>``; keeps what it was given."""

    rendered: list[PlanDocumentData] = field(default_factory=list)

    def render(self, data: PlanDocumentData) -> RenderedPlan:
        """DOCX and PDF bytes."""
        self.rendered.append(data)
        text = data.plan.things_to_change.encode()
        return RenderedPlan(docx=b"DOCX:" + text, pdf=b"PDF:" + text)
