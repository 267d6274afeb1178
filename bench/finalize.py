"""Plan finalize without the upload: the star picture, the DOCX and the PDF of a typical plan, in-process."""

from __future__ import annotations

import statistics
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bench.harness import ROOT
from bench.table import Row
from bot.team_config import load_teams
from config import shipped_path
from documents.renderer import DocumentRenderer
from documents.star_config import load_star
from domain.plan import (
    Actions,
    ContactArrangement,
    JointPlan,
    Participant,
    PlanDocumentData,
    service_contacts,
)
from domain.star import PointReading, StarReading

HEL = ZoneInfo("Europe/Helsinki")


def sample() -> PlanDocumentData:
    """Five people, every template item filled in, the star read with ratings (as the unit tests' sample)."""
    star = load_star(shipped_path("stars") / "lape-pohjois-savo.yaml")
    reading = StarReading(star.key, {
        "self_image": PointReading("Lapsi kertoo olevansa hyvä piirtämään.", "", family=4, child=5, professionals=4),
        "relationships_safety": PointReading("Mummola on tärkeä paikka.", "Välitunnit jännittävät.", 3, 2, 3),
        "everyday_life": PointReading("", "Koulumatka yksin.", family=2, child=3, professionals=3),
        "parenting": PointReading("Vanhemmat ovat yhtä mieltä tavoitteista.", "Iltojen rauhoittaminen.", 3, None, 3),
    }, taken_on=date(2026, 12, 3))
    plan = JointPlan(
        things_to_change="Illat venyvät: läksyistä ja nukkumaanmenosta riidellään.\nLapsi jännittää koulumatkaa.",
        actions=Actions(at_home="Sovitaan iltarytmi: läksyt välipalan jälkeen, ruutuaika päättyy klo 19.",
                        everyday_environment="Opettaja ja kuraattori sopivat turvallisen aikuisen välitunneille.",
                        elsewhere="Vanhemmat tutustuvat vanhempainryhmään.",
                        elsewhere_where="Kasvatus- ja perheneuvola"),
        contact=ContactArrangement(workers_reach_family="Vastuutyöntekijä soittaa äidille tiistaisin.",
                                   family_reaches_worker="Perhe soittaa vastuutyöntekijälle arkisin."),
        responsible=("Hanna Heikkinen",), next_contact=datetime(2026, 12, 15, 14, 0, tzinfo=HEL),
        recipients=("Mikko Miettinen",))
    participants = (Participant("Äiti", "Perhe", professional=False), Participant("Isä", "Perhe", professional=False),
                    Participant("Liisa Lähinen", "Lähityöntekijä, varhaiskasvatus"),
                    Participant("Hanna Heikkinen", "Äitiys- ja lastenneuvola", contact="p. 017 000 1001"),
                    Participant("Mikko Miettinen", "Koulukuraattori"))
    teams, default = load_teams(ROOT / "config" / "teams.yaml")
    return PlanDocumentData(meeting_day=date(2026, 12, 3), place="Perhekeskus – Neuvotteluhuone Kaste",
                            participants=participants, plan=plan,
                            service_contacts=service_contacts(teams[default], "fi"),
                            star=star, reading=reading, lang="fi")


def measure(runs: int) -> Row:
    """Median of ``runs`` renders after one warm-up (which loads the libraries and fonts)."""
    renderer, data = DocumentRenderer(), sample()
    renderer.render(data)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        renderer.render(data)
        timings.append(time.perf_counter() - started)
    p50 = statistics.median(timings) * 1000
    return Row(f"Plan finalize: star picture + DOCX + PDF, no upload (p50 of {runs})", "—", f"{p50:.0f} ms", "—",
               "≤ 300 ms p50", p50 <= 300)
