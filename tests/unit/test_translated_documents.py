"""The family's invitation text and the plan document in Swedish and English, from the catalogs."""

from __future__ import annotations

import io

import pypdf
import pytest

from documents.plan_pdf import plan_pdf
from domain.convening import Venue
from services.invitation_text import family_invitation
from tests.support.samples import demo_team, sample_convening
from tests.unit.test_plan_documents import sample_data

SHORT = "https://bot.example/t/Ab3dE5gH7kQ"
INVITATION = {
    "fi": ("Hei!", "Aika: torstai 3.12.2026 klo 8.00–9.30", f"Liity etänä Teamsilla: {SHORT}", "Tervetuloa!"),
    "sv": ("Hej!", "torsdag 3.12.2026 kl. 8.00–9.30", f"Delta på distans via Teams: {SHORT}", "Välkommen!"),
    "en": ("Hello!", "Thursday 3.12.2026 at 8:00–9:30", f"Join remotely on Teams: {SHORT}", "Welcome!"),
}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_familys_invitation_in_each_language(lang: str) -> None:
    convening = sample_convening(venue=Venue.HYBRID)
    team = demo_team()
    assert convening.booking is not None
    text = family_invitation(convening, {r.key: r.name(lang) for r in team.roles}, team.rooms[0], SHORT, lang)
    greeting, when, join, closing = INVITATION[lang]
    lines = text.splitlines()
    assert lines[0] == greeting and lines[-1] == closing
    assert when in text and join in text
    assert "Perhe K." not in text
    if lang != "fi":
        assert "Hei!" not in text and "klo" not in text and "Tervetuloa" not in text


@pytest.mark.parametrize(("lang", "expected", "not_expected"), [
    ("sv", ("Gemensam plan", "Deltagare", "tis 15.12.2026 kl. 14.00", "inte en officiell handling · sida 1"),
     ("Yhteinen suunnitelma", "15.12.2026 klo")),
    ("en", ("Joint plan", "Who took part", "Tue 15.12.2026 at 14:00", "not an official document · page 1"),
     ("Yhteinen suunnitelma", "15.12.2026 klo", "Gemensam")),
])
def test_the_plan_pdf_in_swedish_and_english(lang: str, expected: tuple[str, ...],
                                             not_expected: tuple[str, ...]) -> None:
    reader = pypdf.PdfReader(io.BytesIO(plan_pdf(sample_data(lang))))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for part in expected:
        assert part in text, part
    for part in not_expected:
        assert part not in text, part
