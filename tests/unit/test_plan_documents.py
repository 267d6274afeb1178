"""The joint plan: checked like the template asks, and printed as DOCX and PDF the family can read."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from PIL import Image
from pypdf.generic import ArrayObject, BooleanObject, ContentStream, DictionaryObject, IndirectObject

from config import shipped_path
from documents.plan_content import Heading, Picture, UnsafeDocumentDataError, plan_blocks
from documents.plan_content import Table as TableBlock
from documents.plan_docx import plan_docx
from documents.plan_pdf import plan_pdf
from documents.star_config import load_star
from documents.star_picture import render_star_png
from documents.texts import t
from domain.file_names import initials, plan_file_name
from domain.plan import (
    Actions,
    ContactArrangement,
    JointPlan,
    Participant,
    PlanDocumentData,
    PlanProblemKind,
    document_problems,
    identity_code_fields,
    plan_problems,
    service_contacts,
)
from domain.sensitive_text import TextProblem
from domain.star import PointReading, StarDefinition, StarProblemKind, StarReading
from tests.support.samples import demo_team

HEL = ZoneInfo("Europe/Helsinki")
HETU = "131052-308T"

PARTICIPANTS = (
    Participant("Äiti", "Perhe", professional=False),
    Participant("Isä", "Perhe", professional=False),
    Participant("Liisa Lähinen", "Lähityöntekijä, varhaiskasvatus"),
    Participant("Hanna Heikkinen", "Äitiys- ja lastenneuvola", contact="p. 017 000 1001, ma–pe klo 8–15"),
    Participant("Mikko Miettinen", "Koulukuraattori", contact="mikko.miettinen@esimerkkila.fi"),
)

PLAN = JointPlan(
    things_to_change="Illat venyvät: läksyistä ja nukkumaanmenosta riidellään.\nLapsi jännittää koulumatkaa.",
    actions=Actions(
        at_home="Sovitaan iltarytmi: läksyt välipalan jälkeen, ruutuaika päättyy klo 19.",
        everyday_environment="Opettaja ja kuraattori sopivat lapsen kanssa turvallisen aikuisen välitunneille.",
        elsewhere="Vanhemmat tutustuvat vanhempainryhmään.",
        elsewhere_where="Kasvatus- ja perheneuvola",
    ),
    contact=ContactArrangement(
        workers_reach_family="Vastuutyöntekijä soittaa äidille tiistaisin iltapäivällä.",
        family_reaches_worker="Perhe soittaa tai lähettää viestin vastuutyöntekijälle arkisin.",
    ),
    responsible=("Hanna Heikkinen",),
    next_contact=datetime(2026, 12, 15, 14, 0, tzinfo=HEL),
    recipients=("Mikko Miettinen",),
)


def _star() -> StarDefinition:
    return load_star(shipped_path("stars") / "lape-pohjois-savo.yaml")


def _reading(star: StarDefinition) -> StarReading:
    return StarReading(star.key, {
        "self_image": PointReading("Lapsi kertoo olevansa hyvä piirtämään.", "", family=4, child=5, professionals=4),
        "relationships_safety": PointReading("Mummola on tärkeä paikka.", "Välitunnit jännittävät.", 3, 2, 3),
        "everyday_life": PointReading("", "Koulumatka yksin.", family=2, child=3, professionals=3),
        "parenting": PointReading("Vanhemmat ovat yhtä mieltä tavoitteista.", "Iltojen rauhoittaminen.", 3, None, 3),
    }, taken_on=date(2026, 12, 3))


def sample_data(lang: str = "fi", star: StarDefinition | None = None) -> PlanDocumentData:
    """A typical plan: five people, every template item filled in, the star read with ratings."""
    star = star or _star()
    return PlanDocumentData(meeting_day=date(2026, 12, 3), place="Perhekeskus – Neuvotteluhuone Kaste",
                            participants=PARTICIPANTS, plan=PLAN, service_contacts=service_contacts(demo_team(), lang),
                            star=star, reading=_reading(star) if star.key == "lape-pohjois-savo" else None,
                            lang=lang)


def _docx_text(data: bytes) -> tuple[str, docx.document.Document]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts), document


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


# --- the plan's rules --------------------------------------------------------------------------

def test_a_complete_plan_has_no_problems() -> None:
    assert plan_problems(PLAN, PARTICIPANTS, date(2026, 12, 3)) == ()


def test_required_parts_of_the_template() -> None:
    empty = JointPlan(things_to_change=" ", actions=Actions(elsewhere="Perheneuvolan ryhmä"),
                      contact=ContactArrangement(), responsible=(), next_contact=None)
    problems = {(p.field_name, p.problem) for p in plan_problems(empty, PARTICIPANTS)}
    assert problems == {
        ("things_to_change", PlanProblemKind.REQUIRED),
        ("actions.elsewhere_where", PlanProblemKind.WHERE_MISSING),
        ("contact.workers_reach_family", PlanProblemKind.REQUIRED),
        ("contact.family_reaches_worker", PlanProblemKind.REQUIRED),
        ("responsible", PlanProblemKind.RESPONSIBLE_COUNT),
        ("next_contact", PlanProblemKind.NEXT_CONTACT_MISSING),
    }
    no_actions = replace(PLAN, actions=Actions())
    assert [p.problem for p in plan_problems(no_actions, PARTICIPANTS)] == [PlanProblemKind.NO_ACTIONS]


def test_the_responsible_worker_is_one_professional_or_a_pair_among_those_present() -> None:
    def kinds(plan: JointPlan) -> list[object]:
        return [p.problem for p in plan_problems(plan, PARTICIPANTS)]

    assert kinds(replace(PLAN, responsible=("Hanna Heikkinen", "Liisa Lähinen"))) == []
    assert kinds(replace(PLAN, responsible=("hanna heikkinen",))) == []  # names match regardless of case
    assert kinds(replace(PLAN, responsible=("Hanna Heikkinen", "Liisa Lähinen", "Mikko Miettinen"))) == [
        PlanProblemKind.RESPONSIBLE_COUNT]
    assert kinds(replace(PLAN, responsible=("Äiti",))) == [PlanProblemKind.RESPONSIBLE_NOT_PROFESSIONAL]
    assert kinds(replace(PLAN, responsible=("Sanna Savolainen",))) == [PlanProblemKind.RESPONSIBLE_NOT_PRESENT]
    assert kinds(replace(PLAN, recipients=("Koko verkosto",))) == [PlanProblemKind.RECIPIENT_NOT_PRESENT]


def test_the_next_contact_is_not_before_the_meeting() -> None:
    early = replace(PLAN, next_contact=datetime(2026, 12, 2, 9, 0, tzinfo=HEL))
    assert [p.problem for p in plan_problems(early, PARTICIPANTS, date(2026, 12, 3))] == [
        PlanProblemKind.NEXT_CONTACT_BEFORE_MEETING]


FREE_TEXT_FIELDS = [
    ("things_to_change", lambda text: replace(PLAN, things_to_change=f"Arki. {text}")),
    ("actions.at_home", lambda text: replace(PLAN, actions=replace(PLAN.actions, at_home=text))),
    ("actions.everyday_environment",
     lambda text: replace(PLAN, actions=replace(PLAN.actions, everyday_environment=text))),
    ("actions.elsewhere", lambda text: replace(PLAN, actions=replace(PLAN.actions, elsewhere=text))),
    ("actions.elsewhere_where", lambda text: replace(PLAN, actions=replace(PLAN.actions, elsewhere_where=text))),
    ("contact.workers_reach_family",
     lambda text: replace(PLAN, contact=replace(PLAN.contact, workers_reach_family=text))),
    ("contact.family_reaches_worker",
     lambda text: replace(PLAN, contact=replace(PLAN.contact, family_reaches_worker=text))),
]


@pytest.mark.parametrize(("field", "change"), FREE_TEXT_FIELDS, ids=[f for f, _ in FREE_TEXT_FIELDS])
def test_an_identity_code_is_refused_in_every_plan_field(field: str, change: object) -> None:
    plan = change(f"Lapsen hetu {HETU}")  # type: ignore[operator]
    assert [(p.field_name, p.problem) for p in plan_problems(plan, PARTICIPANTS)] == [
        (field, TextProblem.IDENTITY_CODE)]
    # Phone numbers stay out of the free text, except in the two ways of contact, which
    # naturally hold a worker's number ("soita numeroon ...").
    phoned = change("Äidin numero 040 123 4567")  # type: ignore[operator]
    expected = [] if field.startswith("contact.") else [TextProblem.PHONE]
    assert [p.problem for p in plan_problems(phoned, PARTICIPANTS)] == expected


def test_a_workers_own_contact_may_have_a_phone_number_but_never_an_identity_code() -> None:
    assert plan_problems(PLAN, PARTICIPANTS) == ()  # PARTICIPANTS hold a work phone and a work e-mail
    data = sample_data()
    hetu_contact = replace(data, participants=(*PARTICIPANTS[:3], replace(PARTICIPANTS[3], contact=HETU),
                                               *PARTICIPANTS[4:]))
    assert identity_code_fields(hetu_contact) == ("participants.3.contact",)


def test_the_documents_refuse_data_holding_an_identity_code() -> None:
    data = sample_data()
    reading = _reading(_star())
    leaky = replace(data, reading=replace(reading, points={
        **reading.points, "parenting": PointReading(strengths=f"Isän hetu {HETU}")}))
    assert identity_code_fields(leaky) == ("reading.parenting.strengths",)
    for render in (plan_docx, plan_pdf):
        with pytest.raises(UnsafeDocumentDataError) as err:
            render(leaky)
        assert HETU not in str(err.value) and "reading.parenting.strengths" in str(err.value)


def test_the_whole_sample_document_data_is_valid() -> None:
    assert document_problems(sample_data()) == ()
    star = _star()
    wrong = replace(sample_data(), earlier_reading=StarReading(star.key, {"parenting": PointReading(child=3)}))
    assert [(p.field_name, p.problem) for p in document_problems(wrong)] == [
        ("earlier_reading.parenting.child", StarProblemKind.CHILD_NOT_ASKED)]


def test_the_services_contact_list_comes_from_the_team_in_the_templates_order() -> None:
    contacts = service_contacts(demo_team(), "fi")
    assert len(contacts) == 14
    assert contacts[0].service == "Äitiys- ja lastenneuvola" and contacts[0].contact == "Neuvola, p. 017 000 1001"
    assert contacts[-1].service == "Mielenterveysauttaminen"
    assert service_contacts(demo_team(), "sv")[0].service == "Mödra- och barnrådgivning"


# --- the Word document ---------------------------------------------------------------------------

TEMPLATE_HEADINGS = ("plan.things_to_change", "plan.actions", "plan.actions.at_home",
                     "plan.actions.everyday_environment", "plan.actions.elsewhere", "plan.contact",
                     "plan.contact.workers_reach_family", "plan.contact.family_reaches_worker", "plan.responsible",
                     "plan.next_contact", "plan.services")

ENTERED_TEXTS = ("Lapsi jännittää koulumatkaa.", PLAN.actions.at_home, PLAN.actions.everyday_environment,
                 PLAN.actions.elsewhere, "Kasvatus- ja perheneuvola", PLAN.contact.workers_reach_family,
                 PLAN.contact.family_reaches_worker, "Hanna Heikkinen", "p. 017 000 1001, ma–pe klo 8–15",
                 "ti 15.12.2026 klo 14.00", "Neuvola, p. 017 000 1001", "Mummola on tärkeä paikka.")


def test_the_docx_holds_the_whole_plan_in_the_templates_order() -> None:
    text, document = _docx_text(plan_docx(sample_data()))
    assert document.paragraphs[0].text == "Yhteinen suunnitelma"
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    expected = [t(k, "fi") for k in TEMPLATE_HEADINGS]
    assert [h for h in headings if h in expected] == expected  # every template heading, in order
    for entered in ENTERED_TEXTS:
        assert entered in text
    assert "to 3.12.2026" in text and "Perhekeskus – Neuvotteluhuone Kaste" in text
    assert t("doc.memo_note", "fi") in text
    assert "ei virallinen asiakirja" in document.sections[0].footer.paragraphs[0].text


def test_the_docx_lists_who_took_part_with_their_roles() -> None:
    _, document = _docx_text(plan_docx(sample_data()))
    rows = {tuple(c.text for c in row.cells) for table in document.tables for row in table.rows}
    assert ("Nimi", "Rooli") in rows
    for person in PARTICIPANTS:
        assert (person.name, person.role) in rows


def test_the_docx_has_the_star_picture_inline() -> None:
    png = render_star_png(_star(), _reading(_star()))
    _, document = _docx_text(plan_docx(sample_data(), star_png=png))
    assert len(document.inline_shapes) == 1
    blob = document.part.related_parts[document.inline_shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed]
    assert blob.blob == png
    assert Image.open(io.BytesIO(png)).format == "PNG"
    assert document.inline_shapes[0]._inline.docPr.get("descr").startswith("Hyvinvoinnin tähti")


def test_the_docx_core_properties_name_no_family() -> None:
    _, document = _docx_text(plan_docx(sample_data()))
    props = document.core_properties
    assert props.title == "Yhteinen suunnitelma" and props.author == "Yhdessä aika"
    assert props.language == "fi-FI"


def test_the_docx_in_swedish_and_english() -> None:
    sv, _ = _docx_text(plan_docx(sample_data("sv")))
    assert "Gemensam plan" in sv and "a) hemma" in sv and "tis 15.12.2026 kl. 14.00" in sv
    assert "Det här är inte en officiell handling." in sv and "Mödra- och barnrådgivning" in sv
    en, _ = _docx_text(plan_docx(sample_data("en")))
    assert "Joint plan" in en and "c) elsewhere, where?" in en and "Tue 15.12.2026 at 14:00" in en


# --- the PDF ---------------------------------------------------------------------------------

def test_the_pdf_is_a4_with_the_plan_first_then_the_star_then_the_contacts_and_no_page_left_mostly_empty() -> None:
    data = plan_pdf(sample_data())
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    pages = [_flat(page.extract_text()) for page in reader.pages]
    text = " ".join(pages)
    assert "Yhteinen suunnitelma" in pages[0] and _flat(t("plan.next_contact", "fi")) in pages[0], "plan first"
    star_at = text.index("Hyvinvoinnin tähti", text.index(_flat(t("plan.next_contact", "fi"))))
    assert star_at < text.index(_flat(t("plan.services", "fi"))), "the star before the services' contacts"
    assert "Mummola on tärkeä paikka." in text and sum(len(page.images) for page in reader.pages) == 1
    # Before: page 2 held only the contact list (~75 % blank). Now every page but the last is well filled: with
    # text, or with the star picture and its table.
    filled = [len(text) > 900 or bool(page.images) for text, page in zip(pages, reader.pages, strict=True)]
    assert all(filled[:-1]), [len(text) for text in pages]
    assert _flat(t("plan.services", "fi")) in pages[-1], "the contacts come last, compact"
    assert len(reader.pages) <= 3
    assert reader.metadata is not None and reader.metadata.title == "Yhteinen suunnitelma"


def test_the_documents_use_the_star_cards_words() -> None:
    """"Mietittävää / työstettävää" on the card is the same in the PDF and DOCX (not "Kehitettävää")."""
    from i18n.messages import t as card_t  # noqa: PLC0415 - the cards' catalog beside the documents' one

    for lang in ("fi", "sv", "en"):
        assert t("star.to_work_on", lang) == card_t("starcard.to_work_on", lang)
        assert t("star.strengths", lang) == card_t("starcard.strengths", lang)


def test_the_pdf_text_keeps_the_plan_and_finnish_letters_intact() -> None:
    text, _ = _pdf_text(plan_pdf(sample_data()))
    flat = _flat(text)
    for key in TEMPLATE_HEADINGS:
        assert _flat(t(key, "fi")) in flat
    for entered in ENTERED_TEXTS:
        assert _flat(entered) in flat
    for person in PARTICIPANTS:
        assert person.name in flat and person.role in flat
    assert _flat(t("doc.memo_note", "fi")) in flat
    assert "Äitiys- ja lastenneuvola" in flat and "Väkivaltatyö" in flat and "–" in flat


def test_the_pdf_is_the_same_for_the_same_plan() -> None:
    png = render_star_png(_star(), _reading(_star()))
    assert plan_pdf(sample_data(), png) == plan_pdf(sample_data(), png)


def test_a_follow_up_shows_the_earlier_ratings_beside_the_new_ones() -> None:
    star = _star()
    earlier = StarReading(star.key, {"self_image": PointReading(family=3, child=3)}, taken_on=date(2026, 10, 1))
    data = replace(sample_data(), earlier_reading=earlier)
    text, _ = _docx_text(plan_docx(data))
    assert "Perhe 4 (aiemmin 3)" in text and "Lapsi 5 (aiemmin 3)" in text
    assert "Ammattilaiset 4" in text


def test_the_pdf_falls_back_to_helvetica_without_dejavu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("documents.plan_pdf.pdfmetrics.getRegisteredFontNames", list)
    monkeypatch.setattr("documents.plan_pdf.font_file", lambda bold=False: None)
    data = plan_pdf(replace(sample_data(), star=None, reading=None))
    assert b"DejaVu" not in data and b"Helvetica" in data
    text, _ = _pdf_text(data)
    assert "Äitiys- ja lastenneuvola" in text and "Väkivaltatyö" in text and "ma–pe" in text


def test_a_plan_without_the_star_has_no_star_page() -> None:
    data = replace(sample_data(), star=None, reading=None)
    text, pages = _pdf_text(plan_pdf(data))
    assert pages == 2 and "Hyvinvoinnin tähti" not in text
    _, document = _docx_text(plan_docx(data))
    assert len(document.inline_shapes) == 0


def test_another_star_renders_into_both_documents_without_code_changes() -> None:
    ten = load_star(shipped_path("stars") / "family-ten-item.yaml")
    reading = StarReading(ten.key, {p.key: PointReading(family=i, professionals=10 - i) for i, p in
                                    enumerate(ten.points)} | {"free_time": PointReading("Jalkapallo", child=9)})
    data = replace(sample_data(), star=ten, reading=reading)
    text, pages = _pdf_text(plan_pdf(data))
    assert pages == 3 and "Perheen arjen tähti (esimerkki)" in text and "10. Vapaa-aika ja ystävät" in text
    docx_text, document = _docx_text(plan_docx(data))
    assert len(document.inline_shapes) == 1 and "Jalkapallo" in docx_text


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm not installed (Debian package poppler-utils): the PDF is not rasterised")
def test_the_pdf_renders_with_poppler(tmp_path: Path) -> None:
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(plan_pdf(sample_data()))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3
    for page in pages:
        image = Image.open(page)
        assert image.size == (414, 585)  # A4 at 50 dpi
        darkest, _ = cast(tuple[int, int], image.convert("L").getextrema())
        assert darkest < 100  # not blank


# --- the tagged PDF (logical structure for screen readers) ---------------------------------------

def _long_data() -> PlanDocumentData:
    """A plan whose participants' table and first paragraph both run over a page break."""
    many = tuple(Participant(f"Henkilö {n}", f"Rooli {n}") for n in range(1, 61))
    text = " ".join(f"Lause {n} kertoo perheen arjesta ja siitä, mitä halutaan muuttaa." for n in range(120))
    return replace(sample_data(), participants=(*PARTICIPANTS, *many), plan=replace(PLAN, things_to_change=text),
                   star=None, reading=None)


def _reader(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data))


def _root(reader: pypdf.PdfReader) -> DictionaryObject:
    return cast(DictionaryObject, reader.trailer["/Root"])


def _role(element: DictionaryObject) -> str:
    return str(element["/S"])


def _page_index(reader: pypdf.PdfReader, ref: object) -> int:
    numbers = [page.indirect_reference.idnum for page in reader.pages if page.indirect_reference is not None]
    assert isinstance(ref, IndirectObject)
    return numbers.index(ref.idnum)


def _elements(reader: pypdf.PdfReader) -> list[tuple[int, DictionaryObject]]:
    """The structure elements, Document first, depth-first in reading order, each with its depth; checks /P."""
    tree = cast(DictionaryObject, _root(reader)["/StructTreeRoot"])
    assert str(tree["/Type"]) == "/StructTreeRoot" and isinstance(tree.raw_get("/K"), IndirectObject)
    found: list[tuple[int, DictionaryObject]] = []

    def visit(ref: IndirectObject, parent: IndirectObject, depth: int) -> None:
        element = cast(DictionaryObject, ref.get_object())
        assert str(element["/Type"]) == "/StructElem" and "/Pg" in element
        assert cast(IndirectObject, element.raw_get("/P")).idnum == parent.idnum
        found.append((depth, element))
        for kid in cast(ArrayObject, element["/K"]):
            if isinstance(kid, IndirectObject) and "/S" in cast(DictionaryObject, kid.get_object()):
                visit(kid, ref, depth + 1)

    root_ref = _root(reader).raw_get("/StructTreeRoot")
    assert isinstance(root_ref, IndirectObject)
    visit(cast(IndirectObject, tree.raw_get("/K")), root_ref, 0)
    return found


def _content(reader: pypdf.PdfReader, element: DictionaryObject) -> list[tuple[int, int]]:
    """(page index, MCID) of the marked content the element itself owns, as its /K lists it."""
    home = _page_index(reader, element.raw_get("/Pg"))
    owned = []
    for ref in cast(ArrayObject, element["/K"]):
        kid = ref.get_object()
        if isinstance(kid, int):
            owned.append((home, int(kid)))
        elif isinstance(kid, DictionaryObject) and str(kid.get("/Type")) == "/MCR":
            owned.append((_page_index(reader, kid.raw_get("/Pg")), int(cast(int, kid["/MCID"]))))
    return owned


def _all_content(reader: pypdf.PdfReader, elements: list[tuple[int, DictionaryObject]],
                 at: int) -> list[tuple[int, int]]:
    """The content owned by elements[at] and everything below it."""
    depth = elements[at][0]
    owned = _content(reader, elements[at][1])
    for below, element in elements[at + 1:]:
        if below <= depth:
            break
        owned += _content(reader, element)
    return owned


def _children(elements: list[tuple[int, DictionaryObject]], at: int) -> list[DictionaryObject]:
    """The child elements of elements[at], in order."""
    depth = elements[at][0]
    children = []
    for below, element in elements[at + 1:]:
        if below <= depth:
            break
        if below == depth + 1:
            children.append(element)
    return children


def _in_a_header_row(elements: list[tuple[int, DictionaryObject]], at: int) -> bool:
    """Whether elements[at] (a cell) stands in a row of header cells only."""
    depth = elements[at][0]
    row = max(i for i in range(at) if elements[i][0] == depth - 1)
    return all(_role(cell) == "/TH" for cell in _children(elements, row))


def _marked_text(reader: pypdf.PdfReader) -> tuple[dict[tuple[int, int], str], list[str]]:
    """The text pypdf extracts inside each (page index, MCID), and inside artifacts page by page."""
    marked: dict[tuple[int, int], str] = {}
    artifacts: list[str] = []

    def read(index: int, page: pypdf.PageObject) -> None:
        stack: list[int | None] = []
        artifacts.append("")

        def before(op: bytes, args: list[object], cm: object, tm: object) -> None:
            if op == b"BDC":
                stack.append(int(cast(int, cast(DictionaryObject, args[1])["/MCID"])))
            elif op == b"BMC":
                stack.append(None)
            elif op == b"EMC":
                stack.pop()

        def text(text: str, cm: object, tm: object, font: object, size: object) -> None:
            if not text.strip():
                return
            assert stack, f"text outside marked content: {text!r}"
            if stack[-1] is None:
                artifacts[index] += text
            else:
                key = (index, stack[-1])
                marked[key] = marked.get(key, "") + text

        page.extract_text(visitor_operand_before=before, visitor_text=text)

    for index, page in enumerate(reader.pages):
        read(index, page)
    return marked, artifacts


def test_the_pdf_is_tagged_title_headings_paragraphs_tables_and_the_star_figure_in_reading_order() -> None:
    png = render_star_png(_star(), _reading(_star()))
    reader = _reader(plan_pdf(sample_data(), png))
    root = _root(reader)
    assert cast(DictionaryObject, root["/MarkInfo"])["/Marked"] == BooleanObject(True)
    assert cast(DictionaryObject, root["/ViewerPreferences"])["/DisplayDocTitle"] == BooleanObject(True)
    assert str(root["/Lang"]) == "fi-FI"
    for index, page in enumerate(reader.pages):
        assert int(cast(int, page["/StructParents"])) == index and str(page["/Tabs"]) == "/S"
    elements = _elements(reader)
    assert _role(elements[0][1]) == "/Document" and [d for d, _ in elements].count(0) == 1
    top = [_role(e) for depth, e in elements if depth == 1]
    assert top[:5] == ["/H1", "/P", "/P", "/Table", "/H2"]  # title, subtitle, memo note, date and place, heading
    assert {"/H3", "/Figure"} <= set(top) and top.count("/Table") == sum(
        isinstance(b, TableBlock) for b in plan_blocks(sample_data(), png))
    for at, (_, element) in enumerate(elements):
        kids = {_role(e) for e in _children(elements, at)}
        if _role(element) == "/Table":
            assert kids == {"/TR"}
        if _role(element) == "/TR":
            assert kids in ({"/TH"}, {"/TD"}, {"/TH", "/TD"})
        if _role(element) == "/TH":  # a header row's cells head their columns, a label column's their rows
            scope = str(cast(DictionaryObject, element["/A"])["/Scope"])
            assert scope == ("/Column" if _in_a_header_row(elements, at) else "/Row"), scope
    roles = [_role(e) for _, e in elements]
    assert roles[roles.index("/TH") - 1] == "/TR" and "/TD" in roles
    figure = next(e for _, e in elements if _role(e) == "/Figure")
    alt = next(b.alt for b in plan_blocks(sample_data(), png) if isinstance(b, Picture))
    assert str(figure["/Alt"]) == alt and alt.startswith("Hyvinvoinnin tähti")
    layout = cast(DictionaryObject, figure["/A"])
    assert str(layout["/O"]) == "/Layout" and len(cast(ArrayObject, layout["/BBox"])) == 4


#: Operators that put something on the page: text, painted paths (the boxes and rules), images.
_SHOWING = {b"Tj", b"TJ", b"'", b'"', b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"Do", b"sh"}


@pytest.mark.parametrize("long", [False, True], ids=["sample", "long"])
def test_every_text_in_the_pdf_is_marked_content_of_an_element_or_an_artifact(long: bool) -> None:
    reader = _reader(plan_pdf(_long_data() if long else sample_data(), render_star_png(_star(), _reading(_star()))))
    nums = cast(ArrayObject, cast(DictionaryObject, cast(DictionaryObject, _root(reader)["/StructTreeRoot"])[
        "/ParentTree"])["/Nums"])
    parent_tree = {int(cast(int, nums[n])): cast(ArrayObject, nums[n + 1].get_object()) for n in range(0, len(nums), 2)}
    owned = {(page, mcid) for _, e in _elements(reader) for page, mcid in _content(reader, e)}
    seen: set[tuple[int, int]] = set()
    for index, page in enumerate(reader.pages):
        depth = 0
        mcids: list[int] = []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"BDC", b"BMC"):
                depth += 1
                if operator == b"BDC":
                    mcids.append(int(cast(int, cast(DictionaryObject, operands[1])["/MCID"])))
            elif operator == b"EMC":
                depth -= 1
                assert depth >= 0
            elif operator in _SHOWING:
                assert depth > 0, f"{operator!r} outside marked content on page {index + 1}"
        assert depth == 0
        assert len(mcids) == len(set(mcids)) and sorted(mcids) == list(range(len(mcids))), "unique MCIDs from 0"
        owners = parent_tree[cast(int, page["/StructParents"])]
        assert len(owners) == len(mcids)
        for mcid in mcids:
            owner = cast(DictionaryObject, owners[mcid].get_object())
            assert (index, mcid) in _content(reader, owner)
            seen.add((index, mcid))
    assert seen == owned  # the structure owns exactly the marked content drawn


def test_the_headings_text_is_in_their_marked_content_and_the_footer_is_an_artifact() -> None:
    data = sample_data()
    reader = _reader(plan_pdf(data, render_star_png(_star(), _reading(_star()))))
    marked, artifacts = _marked_text(reader)
    elements = _elements(reader)

    def texts(role: str) -> list[str]:
        return [_flat(" ".join(marked[key] for key in _content(reader, e))) for _, e in elements if _role(e) == role]

    blocks = plan_blocks(data)
    assert texts("/H2") == [_flat(b.text) for b in blocks if isinstance(b, Heading) and b.level == 1]
    assert texts("/H3") == [_flat(b.text) for b in blocks if isinstance(b, Heading) and b.level == 2]
    assert texts("/H1") == ["Yhteinen suunnitelma"]
    # The date-and-place table's labels head its rows; the participants' header row heads the columns.
    assert texts("/TH")[:4] == [t("doc.date", "fi"), t("doc.place", "fi"), t("doc.name", "fi"), t("doc.role", "fi")]
    for index, artifact in enumerate(artifacts):
        assert _flat(artifact) == _flat(t("doc.page", "fi", page=str(index + 1)))  # the footer, nothing else


def test_a_paragraph_and_a_table_split_over_pages_stay_one_element_each() -> None:
    data = _long_data()
    reader = _reader(plan_pdf(data))
    assert len(reader.pages) >= 3
    marked, artifacts = _marked_text(reader)
    elements = _elements(reader)
    long_paragraph = [at for at, (_, e) in enumerate(elements)
                      if _role(e) == "/P" and "Lause 0 " in " ".join(marked[k] for k in _content(reader, e))]
    assert len(long_paragraph) == 1
    content = _content(reader, elements[long_paragraph[0]][1])
    assert len({page for page, _ in content}) == 2
    assert "Lause 119 " in _flat(" ".join(marked[k] for k in content))
    participants = next(at for at, (_, e) in enumerate(elements) if _role(e) == "/Table"
                        and any(_flat(marked[k]) == "Nimi" for k in _all_content(reader, elements, at)))
    pages = {page for page, _ in _all_content(reader, elements, participants)}
    assert len(pages) == 2
    assert len(_children(elements, participants)) == 1 + len(data.participants)  # one row each, and the header
    # The header row repeated on the next page is decoration there, not a second header.
    headers = [e for _, e in elements if _role(e) == "/TH"
               and str(cast(DictionaryObject, e["/A"])["/Scope"]) == "/Column"]
    assert [len(_content(reader, e)) for e in headers[:2]] == [1, 1]
    assert "Nimi" in artifacts[max(pages)] and "Nimi" not in artifacts[min(pages)]


# --- file names ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("ref", "expected"), [
    ("Perhe Kettunen", "PK"), ("Perhe K.", "PK"), ("K & V", "KV"), ("Familj Åberg", "FÅ"),
    ("Perhe Kettunen-Virtanen 2", "PKV"), ("Ö-perhe", "ÖP"), ("kv", "K"), ("P-123", "P"), ("123", ""),
    ("a b c d e f", "ABCD"),
])
def test_initials_of_family_references(ref: str, expected: str) -> None:
    assert initials(ref) == expected


def test_file_names_hold_only_the_date_and_the_initials() -> None:
    day = date(2026, 12, 3)
    assert plan_file_name("Perhe Kettunen", day, "docx") == "2026-12-03 Yhdessä aika PK.docx"
    assert plan_file_name("Perhe Kettunen", day, ".PDF") == "2026-12-03 Yhdessä aika PK.pdf"
    assert plan_file_name("123", day, "pdf") == "2026-12-03 Yhdessä aika.pdf"
    for ref in ("Perhe Kettunen", "Familj Åberg", "K & V"):
        name = plan_file_name(ref, day, "pdf")
        assert ref not in name and "Kettunen" not in name and "Åberg" not in name
    with pytest.raises(ValueError, match="unsupported file type"):
        plan_file_name("Perhe K.", day, "exe")


@pytest.mark.parametrize(("lang", "tag"), [("fi", "fi-FI"), ("sv", "sv-FI"), ("en", "en-GB")])
def test_the_pdf_names_its_language_and_is_dated_when_it_was_made(lang: str, tag: str) -> None:
    made = datetime(2027, 3, 29, 14, 5, 9, tzinfo=ZoneInfo("Europe/Helsinki"))  # after the spring change: +03:00
    reader = pypdf.PdfReader(io.BytesIO(plan_pdf(replace(sample_data(), lang=lang, created=made))))
    assert str(_root(reader)["/Lang"]) == tag
    assert reader.metadata is not None and reader.metadata.creation_date == made
