"""Outside text, unit by unit: normalised at the card payload boundary, screened when it comes from Outlook,
shown inert on cards, escaped in the invitation's HTML and in the plan's PDF."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from typing import Any

import docx
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bot.meeting_payloads import FeedbackSavePayload, PlanSavePayload, StarSavePayload
from bot.payloads import CancelPayload, SearchPayload
from cards.common import inert, quoted
from documents.plan_content import UnsafeDocumentDataError
from documents.plan_docx import plan_docx
from documents.plan_pdf import plan_pdf
from domain.convening import Answer, Person, Response, Venue
from domain.plan import identity_code_fields
from domain.sensitive_text import TextProblem, clean_text
from services.invitation_text import event_body_html, event_location
from tests.support.samples import sample_convening
from tests.unit.test_plan_documents import PLAN, sample_data

ID = "0123456789abcdef"
DISGUISED = "Äidin tunnus 1310\u200b52\u2013308T"
#: DISGUISED as it is kept: nothing invisible (its en dash stays; the checks read it as "-").
PLAIN = "Äidin tunnus 131052\u2013308T"
#: Every free-text input of every card payload, with the rest of a valid payload.
TEXT_INPUTS: list[tuple[type[BaseModel], str, str, dict[str, Any]]] = [
    (SearchPayload, "familyRef", "family_ref", {"duration": 90, "earliest": "2026-12-01", "latest": "2026-12-20"}),
    (SearchPayload, "network", "network", {"duration": 90, "earliest": "2026-12-01", "latest": "2026-12-20"}),
    (SearchPayload, "familyPlace", "family_place",
     {"duration": 90, "earliest": "2026-12-01", "latest": "2026-12-20"}),
    (CancelPayload, "comment", "comment", {}),
    *[(PlanSavePayload, alias, name, {}) for alias, name in (
        ("things", "things_to_change"), ("home", "at_home"), ("everyday", "everyday_environment"),
        ("elsewhere", "elsewhere"), ("where", "elsewhere_where"), ("reachFamily", "workers_reach_family"),
        ("reachWorker", "family_reaches_worker"), ("familyPresent", "family_present"))],
]


@pytest.mark.parametrize(("model", "alias", "name", "rest"), TEXT_INPUTS,
                         ids=[f"{m.__name__}.{a}" for m, a, _, _ in TEXT_INPUTS])
def test_every_text_input_arrives_normalised(model: type[BaseModel], alias: str, name: str,
                                             rest: dict[str, Any]) -> None:
    payload = model.model_validate({"conveningId": ID, **rest, alias: f"\u00a0{DISGUISED}\u200b "})
    assert getattr(payload, name) == PLAIN, "nothing invisible is kept or sent"


def test_every_text_field_of_the_payloads_is_covered() -> None:
    covered = {(m, n) for m, _, n, _ in TEXT_INPUTS}
    keys = {"convening_id", "team", "roles", "step", "consent", "existing_client", "plan_lang", "then"}
    for model in (SearchPayload, CancelPayload, FeedbackSavePayload, PlanSavePayload):
        texts = {name for name, info in model.model_fields.items() if info.annotation is str and name not in keys}
        assert texts <= {n for m, n in covered if m is model}, (model.__name__, texts)


def test_star_notes_arrive_normalised() -> None:
    payload = StarSavePayload.model_validate({"conveningId": ID, "s_0": DISGUISED, "w_1": "Ilta\u2060rutiini"})
    assert payload.entries == {"s_0": PLAIN, "w_1": "Iltarutiini"}


# --- a decliner's message from Outlook ------------------------------------------------------------------

def test_a_decline_message_is_screened_before_it_is_kept() -> None:
    nothing = Response()
    assert Response(Answer.DECLINED, "Olen koulutuksessa").screened(nothing) == Response(
        Answer.DECLINED, "Olen koulutuksessa")
    assert Response(Answer.DECLINED, f"En pääse. {DISGUISED}").screened(nothing) == Response(
        Answer.DECLINED, "", TextProblem.IDENTITY_CODE)
    signed = Response(Answer.DECLINED, "Lomalla.\nKaisa, puh. 040 123 4567").screened(nothing)
    assert signed == Response(Answer.DECLINED, "Lomalla.\nKaisa, puh. …", TextProblem.PHONE)


def test_an_answer_read_without_a_message_keeps_the_earlier_one_screened_and_a_withheld_one_stays_withheld() -> None:
    earlier = Response(Answer.DECLINED, "Olen koulutuksessa")
    assert Response(Answer.DECLINED).screened(earlier) == earlier
    withheld = Response(Answer.DECLINED, "", TextProblem.IDENTITY_CODE)
    assert Response(Answer.DECLINED).screened(withheld) == withheld
    # A message stored before screening existed is screened when it is carried over.
    stored_before = Response(Answer.DECLINED, PLAIN)
    assert Response(Answer.DECLINED).screened(stored_before) == withheld
    # A new message replaces a withheld one.
    assert Response(Answer.DECLINED, "Sairaana").screened(withheld) == Response(Answer.DECLINED, "Sairaana")


# --- cards: outside text is shown as text ----------------------------------------------------------------

def _as_read(shown: str) -> str:
    """What a person reads: escapes and link breakers are not drawn."""
    return re.sub(r"\\(.)", r"\1", shown).replace("\u2060", "").replace("\u2024", ".")


@pytest.mark.parametrize(("written", "shown"), [
    ("[Avaa](https://evil.example/x)", "\\[Avaa\\](https:\u2060//evil\u2024example/x)"),
    ("**kiire** _nyt_ ~~ei~~ `koodi`", "\\*\\*kiire\\*\\* \\_nyt\\_ \\~\\~ei\\~\\~ \\`koodi\\`"),
    ("<b>x</b> <https://evil.example>", "\\<b\\>x\\</b\\> \\<https:\u2060//evil\u2024example\\>"),
    ("www.evil.fi ja kaisa@esimerkkila.fi", "www\u2024evil\u2024fi ja kaisa\u2060@esimerkkila\u2024fi"),
    ("- yksi\n2. kaksi\n# kolme\n> neljä", "\\- yksi\n2\\. kaksi\n\\# kolme\n\\> neljä"),
    ("Otsikko\n---\n-5 astetta", "Otsikko\n\\---\n-5 astetta"),
    ("{{DATE(2026-12-03T08:00:00Z, SHORT)}}", "{\u2060{DATE(2026-12-03T08:00:00Z, SHORT)}}"),
    ("Perhe K.", "Perhe K."), ("Tavataan to 4.12.2026 klo 8.30", "Tavataan to 4.12.2026 klo 8.30"),
    ("\u202eHanna\u202c Heikkinen", "Hanna Heikkinen"),
])
def test_inert_text_shows_every_character_and_nothing_else(written: str, shown: str) -> None:
    assert inert(written) == shown
    assert _as_read(inert(written)) == clean_text(written)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=st.sampled_from("ab .:/@-_*[]()<>`~#+1{}\\\n\u2013\u200b"), max_size=40))
def test_inert_text_has_no_markup_left_and_reads_as_written(written: str) -> None:
    shown = inert(written)
    assert _as_read(shown) == clean_text(written)
    assert not re.search(r"(?<!\\)(?:\\\\)*[][*_<>`~]", shown.replace("\\\\", "")), shown
    assert "{{" not in shown and not re.search(r"\S://", shown)
    assert not re.search(r"\S@", shown.replace("\u2060@", " @"))


def test_a_refusal_naming_what_was_typed_shows_it_inert() -> None:
    message = quoted("convening.network_not_found", "fi", entry="[Hanna](https://evil.example)")
    assert "\\[Hanna\\](https:\u2060//evil\u2024example)" in message and "https://" not in message


# --- HTML to Graph, the plan's documents --------------------------------------------------------------------

def test_the_event_body_escapes_every_name_and_the_familys_place() -> None:
    convening = sample_convening(venue=Venue.FAMILY_PLACE)
    assert convening.request is not None
    request = replace(convening.request, family_place="<script>x()</script> Kahvila & <b>Kuppi</b>")
    hostile = replace(convening, request=request, convener_name="Liisa <a href='https://evil.example'>L</a>",
                      invitees=(Person("hanna@esimerkkila.fi", "<img src=x onerror=alert(1)>Hanna", None),))
    body = event_body_html(hostile, request, convening.proposals[0], None, "fi")
    assert "<script" not in body and "<a " not in body and "<img" not in body and "<b>Kuppi" not in body
    assert "&lt;script&gt;x()&lt;/script&gt; Kahvila &amp; &lt;b&gt;Kuppi&lt;/b&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;Hanna" in body
    assert event_location(request, None, "fi") == request.family_place, "the location is plain text (Graph)"


def test_markup_in_the_plan_is_printed_as_text_in_the_pdf_and_the_docx() -> None:
    text = "Aamut <b>riitaisia</b> & <font size=40>isot</font> <link href='https://evil.example'>klikkaa</link>"
    data = replace(sample_data(), plan=replace(PLAN, things_to_change=text))
    reader = pypdf.PdfReader(io.BytesIO(plan_pdf(data)))
    pdf_text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert text in pdf_text, "reportlab drew the markup as text, not as bold, size or a link"
    assert not any("/URI" in str(annotation.get_object()) for page in reader.pages
                   for annotation in page.get("/Annots") or [])
    document = docx.Document(io.BytesIO(plan_docx(data)))
    assert any(text in p.text for p in document.paragraphs) or any(
        text in cell.text for table in document.tables for row in table.rows for cell in row.cells)


def test_the_documents_refuse_a_code_hidden_by_an_invisible_character_or_a_dash() -> None:
    for hidden in ("Lapsen hetu 1310\u200b52-308T", "Lapsen hetu 131052\u2013308T", "Lapsen hetu 13.10.52-308T"):
        data = replace(sample_data(), plan=replace(PLAN, things_to_change=hidden))
        assert identity_code_fields(data) == ("things_to_change",)
        for render in (plan_docx, plan_pdf):
            with pytest.raises(UnsafeDocumentDataError):
                render(data)

