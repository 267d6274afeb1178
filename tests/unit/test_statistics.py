"""Statistics: counters per team and month, counted once, holding nothing that identifies anyone."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.action_router import ActionContext
from bot.team_config import ConfigError, parse_team_config
from cards.common import to_json
from documents.statistics_export import PADDING, ROW_HEIGHT, csv_columns, render_bar_chart, render_csv
from domain.convening import Convening, Person, Venue
from domain.meeting import FeedbackTally
from domain.statistics import (
    CoordinatorAccess,
    MonthFigures,
    RoleFigures,
    Shown,
    TeamYear,
    Withheld,
    combined,
    exact,
    role_figures,
    role_rosters,
    shown_average,
    shown_count,
    shown_feedback,
    shown_lead,
)
from domain.team import Member, Team
from services.caller import Caller
from services.errors import UserFacingError
from services.statistics_service import StatisticsService
from state.documents import SqliteDocuments
from state.media import MediaStore
from state.statistics import DocumentStatisticsStore
from tests.support.meeting_samples import finalized_meeting, running_meeting
from tests.support.samples import demo_team, sample_convening
from tests.unit.test_team_config import demo_data

SENTINEL = "Perhe Sentinelli-Xq"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
LIISA_ID = "00000000-0000-0000-0000-000000000001"
NIKO_ID = "00000000-0000-0000-0000-000000000002"


class FakeDirectory:
    """Two people: Liisa (a coordinator in the tests) and Niko."""

    async def person_by_id(self, user_id: str) -> Person | None:
        return {LIISA_ID: Person("Liisa.Lahinen@esimerkkila.onmicrosoft.com", "Liisa Lähinen"),
                NIKO_ID: Person("niko.nieminen@esimerkkila.onmicrosoft.com", "Niko Nieminen")}.get(user_id)

    async def find_people(self, text: str, limit: int = 5) -> list[Person]:
        return []


def _service(docs: SqliteDocuments, access: CoordinatorAccess | None = None, team: Team | None = None
             ) -> StatisticsService:
    team = team or demo_team()
    return StatisticsService(
        store=DocumentStatisticsStore(docs, lambda: NOW), directory=FakeDirectory(), teams={team.key: team},
        coordinators=access or CoordinatorAccess(everywhere=frozenset({"liisa.lahinen@esimerkkila.onmicrosoft.com"})),
        clock=lambda: NOW)


def _stored_bytes(path: Path) -> bytes:
    """Everything the statistics collections hold on disk (keys and bodies)."""
    docs = SqliteDocuments(path)
    rows = docs._db.execute("SELECT collection, key, owner, body FROM documents "
                            "WHERE collection LIKE 'statistics%'").fetchall()
    docs.close()
    return repr(rows).encode()


def test_month_counters_add_up_and_average() -> None:
    m = MonthFigures().with_convened("room", ["neuvola", "network"], 10).with_convened("remote", ["neuvola"], 4)
    m = m.with_convened("room", [], 30).with_held().with_feedback({"family_heard": 5, "pros_useful": 9})
    assert (m.convened, m.held) == (3, 1)
    assert m.venues == {"room": 2, "remote": 1} and m.roles == {"neuvola": 2, "network": 1}
    assert m.lead_average() == pytest.approx(44 / 3) and m.lead_median() == 10
    assert MonthFigures(lead_days={"10": 1, "21": 1}).lead_median() == 15.5 and MonthFigures().lead_median() is None
    assert m.feedback_average("family_heard") == 5 and m.feedback_count("pros_useful") == 0, "9 is not a score"
    year = TeamYear("esimerkkila", 2026).changed("2026-12", m)
    assert year.month(12) == m and year.month(1) == MonthFigures() and year.total().convened == 3
    both = combined([year, TeamYear("naapurila", 2026).changed("2026-12", MonthFigures(held=2))], 2026)
    assert both.month(12).held == 3
    with pytest.raises(ValueError, match="month"):
        year.changed("2025-12", m)


def test_roles_of_fewer_than_three_workers_are_merged_or_withheld() -> None:
    rosters = {"neuvola": {"a", "b", "c"}, "paihdetyo": {"d"}, "perhetyo": {"e", "f"}, "vakivaltatyo": {"d"}}
    assert role_figures({"neuvola": 2, "paihdetyo": 5, "network": 1}, rosters) == RoleFigures(
        {"neuvola": 2, "network": 1}, None), "one worker's five meetings: withheld, even merged"
    assert role_figures({"paihdetyo": 5, "perhetyo": 1}, rosters) == RoleFigures({}, 6), "three workers together"
    assert role_figures({"paihdetyo": 5, "vakivaltatyo": 2}, rosters).other is None, "the same worker twice"
    assert role_figures({"paihdetyo": 5, "perhetyo": 0}, rosters).other is None, "perhetyo was not invited"
    assert role_figures({"paihdetyo": 0, "neuvola": 4}, rosters) == RoleFigures({"neuvola": 4}, 0)
    assert role_figures({"removed_role": 4, "perhetyo": 1}, rosters).other is None, "no roster: no workers"
    team = demo_team()
    assert role_rosters([team, team])["neuvola"] == {"hanna.heikkinen@esimerkkila.onmicrosoft.com",
                                                     "pirjo.partanen@esimerkkila.onmicrosoft.com"}


def _inviting(i: int, *people: Person) -> Convening:
    return replace(sample_convening(), id=f"{i:016x}", invitees=people)


PETRI = Person("petri.pitkanen@esimerkkila.onmicrosoft.com", "Petri Pitkänen", "paihdetyo")
HANNA = Person("hanna.heikkinen@esimerkkila.onmicrosoft.com", "Hanna Heikkinen", "neuvola")


async def _card_and_csv(tmp_path: Path, team: Team, *invited: Person) -> tuple[dict[str, str], dict[str, str]]:
    """Four bookings inviting ``invited``; the card's facts and the CSV's November row as Liisa sees them."""
    from bot.statistics_actions import StatisticsActions, StatisticsPayload  # noqa: PLC0415

    docs = SqliteDocuments(tmp_path / f"{len(team.members)}-{len(invited)}.db")
    service = _service(docs, team=team)
    for i in range(4):
        await service.convened(_inviting(i, *invited))
    media = MediaStore(docs, "https://bot.example", lambda: NOW)
    card = to_json(await StatisticsActions(service, media).show(ActionContext(Caller(LIISA_ID, "Liisa"), "fi"),
                                                                 StatisticsPayload()))
    facts = {f["title"]: f["value"] for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"]}
    download = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl")
    stored = await media.fetch_download(download.rsplit("/", 1)[1].removesuffix(".csv"), "csv")
    assert stored is not None
    docs.close()
    rows = {r["month"]: r for r in csv.DictReader(io.StringIO(stored[0].decode("utf-8")))}
    return facts, rows["2026-11"]


async def test_with_the_demo_roster_no_role_count_stands_for_one_or_two_workers(tmp_path: Path) -> None:
    team = demo_team()
    assert all(len(team.members_with_role(r.key)) < 3 for r in team.roles), "the demo: one or two per role"
    facts, row = await _card_and_csv(tmp_path, team, PETRI)
    assert facts["Kutsuttu koolle"] == "4"
    assert "Päihdetyö" not in facts and "Muut roolit (alle 3 työntekijää)" not in facts, "Petri's caseload"
    assert not [k for k in row if k.startswith("role_") and k != "role_network"], "no role column of 1–2 workers"
    assert row["roles_other"] == "" and row["convened"] == "4"

    facts, row = await _card_and_csv(tmp_path, team, PETRI, HANNA)
    assert "Päihdetyö" not in facts and "Äitiys- ja lastenneuvola" not in facts
    assert facts["Muut roolit (alle 3 työntekijää)"] == "8", "Petri, Hanna and Pirjo together"
    assert row["roles_other"] == "8"


async def test_a_role_of_three_workers_is_shown_on_its_own(tmp_path: Path) -> None:
    team = demo_team()
    third = Member("noora.neuvola@esimerkkila.onmicrosoft.com", "Noora Neuvola", ("neuvola",))
    bigger = replace(team, members=(*team.members, third))
    facts, row = await _card_and_csv(tmp_path, bigger, PETRI, HANNA)
    assert facts["Äitiys- ja lastenneuvola"] == "4" and row["role_neuvola"] == "4"
    assert "Päihdetyö" not in facts and "Muut roolit (alle 3 työntekijää)" not in facts
    assert "role_paihdetyo" not in row and row["roles_other"] == "", "Petri alone behind the rest"


def test_small_numbers_are_withheld_with_the_reason_and_no_value() -> None:
    assert [shown_count(n) for n in (0, 1, 2, 3, 17)] == [
        Shown(0), Shown(None, Withheld.MEETINGS), Shown(None, Withheld.MEETINGS), Shown(3), Shown(17)]
    assert shown_average(4.5, 2, Withheld.ANSWERS) == Shown(None, Withheld.ANSWERS)
    assert shown_average(4.5, 3, Withheld.ANSWERS) == Shown(4.5)
    assert shown_average(None, 0, Withheld.ANSWERS) == Shown(None), "nobody answered: nothing, not withheld"
    same_day = MonthFigures(lead_days={"0": 1})
    assert shown_lead(same_day) == (Shown(None, Withheld.MEETINGS),) * 2, "a zero mean of one meeting is one's"
    assert exact(1) == Shown(1), "totals are exact"


def test_the_issues_case_an_18_day_gap_and_answers_4_and_5_are_withheld_not_small() -> None:
    m = MonthFigures().with_convened("room", ["neuvola"], 18).with_held()
    m = m.with_feedback({"family_heard": 4}).with_feedback({"family_heard": 5})
    assert shown_lead(m) == (Shown(None, Withheld.MEETINGS), Shown(None, Withheld.MEETINGS))
    assert shown_feedback(m, "family_heard") == Shown(None, Withheld.ANSWERS)
    assert shown_feedback(m, "pros_useful") == Shown(None), "not asked: no answers, nothing withheld"
    third = m.with_feedback({"family_heard": 3})
    assert shown_feedback(third, "family_heard") == Shown(4.0)


async def test_each_event_counts_once_however_often_it_is_repeated(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    service = _service(docs)
    convening = sample_convening()
    for _ in range(3):  # the booking click, a retried turn, a replayed card action
        await service.convened(convening)
    meeting = finalized_meeting()
    for _ in range(2):
        await service.held(meeting)
    once = replace(running_meeting(), feedback=FeedbackTally().add({"family_heard": 4}))
    twice = replace(running_meeting(), feedback=once.feedback.add({"family_heard": 2}))
    for m in (once, once, twice):  # the first response replayed: still two responses
        await service.feedback_given(m, {"family_heard": 4 if m is once else 2})
    year = await DocumentStatisticsStore(docs, lambda: NOW).year("esimerkkila", 2026)
    booked_month, meeting_month = year.month(11), year.month(12)
    assert booked_month.convened == 1 and booked_month.venues == {"hybrid": 1}
    assert booked_month.roles == {"neuvola": 1, "koulukuraattori": 1}
    assert booked_month.lead_days == {"11": 1}, "booked 22.11., meeting 3.12."
    assert meeting_month.held == 1 and meeting_month.feedback == {"family_heard": (0, 1, 0, 1, 0)}
    docs.close()


async def test_concurrent_counts_are_never_lost(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    service = _service(docs)
    meetings = [replace(finalized_meeting(), id=f"{i:016x}") for i in range(40)]
    await asyncio.gather(*(service.held(m) for m in meetings), *(service.held(m) for m in meetings[:10]))
    year = await DocumentStatisticsStore(docs, lambda: NOW).year("esimerkkila", 2026)
    assert year.month(12).held == 40
    docs.close()


async def test_stored_statistics_hold_no_family_worker_or_record_id(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    service = _service(docs)
    convening = sample_convening()
    assert convening.request is not None
    convening = replace(convening, request=replace(convening.request, family_ref=SENTINEL,
                                                   family_place="Mummolan pirtti"))
    meeting = replace(finalized_meeting(), family_ref=SENTINEL)
    await service.convened(convening)
    await service.held(meeting)
    await service.feedback_given(replace(meeting, feedback=FeedbackTally().add({"family_heard": 5})),
                                 {"family_heard": 5})
    docs.close()
    stored = _stored_bytes(tmp_path / "bot.db")
    assert b"esimerkkila:2026" in stored, "the counters were written"
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.db*"))  # noqa: ASYNC240 - statistics only
    assert SENTINEL.encode() not in raw and SENTINEL.encode("utf-16-le") not in raw
    for secret in (SENTINEL, "Mummolan", convening.id, convening.convener_id, "liisa", "hanna", "mikko",
                   "event-1", "Perhe"):
        assert secret.encode() not in stored, secret


async def test_a_failed_count_never_fails_the_caller_and_is_given_back(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    store = DocumentStatisticsStore(docs, lambda: NOW)

    def broken(_: TeamYear) -> TeamYear:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        await store.apply_once("k" * 64, "esimerkkila", 2026, broken)
    assert await store.apply_once("k" * 64, "esimerkkila", 2026, lambda y: y.changed("2026-01", MonthFigures(held=1)))
    assert (await store.year("esimerkkila", 2026)).month(1).held == 1

    class Failing(DocumentStatisticsStore):
        async def apply_once(self, *args: Any, **kwargs: Any) -> bool:
            raise OSError("gone")

    service = _service(docs)
    service._store = Failing(docs, lambda: NOW)
    await service.held(finalized_meeting())  # logged, not raised
    docs.close()


async def test_counted_marks_expire(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    now = [NOW]
    store = DocumentStatisticsStore(docs, lambda: now[0])
    await store.apply_once("a" * 64, "esimerkkila", 2026, lambda y: y)
    assert await store.purge() == 0
    now[0] = NOW.replace(year=2028)
    assert await store.purge() == 1
    docs.close()


async def test_only_coordinators_see_statistics(tmp_path: Path) -> None:
    docs = SqliteDocuments(tmp_path / "bot.db")
    service = _service(docs)
    view = await service.view(Caller(LIISA_ID, "Liisa"))
    assert view.year == 2026 and view.team_key == "esimerkkila" and view.years[:2] == (2027, 2026)
    with pytest.raises(UserFacingError, match="not_coordinator"):
        await service.view(Caller(NIKO_ID, "Niko"))
    with pytest.raises(UserFacingError, match="not_coordinator"):
        await service.view(Caller(LIISA_ID, "Liisa"), team_key="naapurila")
    with pytest.raises(UserFacingError, match="bad_year"):
        await service.view(Caller(LIISA_ID, "Liisa"), year=1999)
    niko_elsewhere = CoordinatorAccess(per_team={"naapurila": frozenset({"niko.nieminen@esimerkkila.onmicrosoft.com"})})
    per_team = _service(docs, niko_elsewhere)
    with pytest.raises(UserFacingError, match="not_coordinator"):
        await per_team.view(Caller(NIKO_ID, "Niko"))
    docs.close()


def test_coordinators_are_read_from_the_teams_file_and_validated() -> None:
    data = demo_data()
    config = parse_team_config(data)
    assert config.coordinators.teams_for("LIISA.lahinen@esimerkkila.onmicrosoft.com", config.teams) == ("esimerkkila",)
    assert config.coordinators.teams_for("niko.nieminen@esimerkkila.onmicrosoft.com", config.teams) == ()
    data["teams"][0]["coordinators"] = ["Niko.Nieminen@esimerkkila.onmicrosoft.com"]
    config = parse_team_config(data)
    assert config.coordinators.teams_for("niko.nieminen@esimerkkila.onmicrosoft.com", config.teams) == ("esimerkkila",)
    with pytest.raises(ConfigError, match="coordinators"):
        parse_team_config({**demo_data(), "coordinators": ["not an address"]})
    reserved = demo_data()
    reserved["teams"][0]["key"] = "all"
    reserved["default_team"] = "all"
    with pytest.raises(ConfigError, match="reserved"):
        parse_team_config(reserved)


def test_csv_has_a_row_per_month_with_small_numbers_suppressed() -> None:
    m = MonthFigures(convened=4, held=3, roles={"neuvola": 4, "paihdetyo": 1}, venues={"room": 2, "remote": 2},
                     lead_days={"7": 2}, feedback={"family_heard": (0, 0, 0, 1, 2)})
    year = TeamYear("esimerkkila", 2026).changed("2026-12", m)
    rosters = {"esimerkkila": {"neuvola": {"a", "b", "c"}, "paihdetyo": {"d"}}}
    data = render_csv([year], [v.value for v in Venue], ["neuvola", "paihdetyo"], ["family_heard", "pros_useful"],
                      rosters)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == csv_columns([v.value for v in Venue], ["neuvola", "paihdetyo"],
                                        ["family_heard", "pros_useful"])
    assert len(rows) == 12 and rows[0]["month"] == "2026-01" and rows[0]["held"] == "0"
    assert rows[0]["role_neuvola"] == "0" and rows[0]["role_paihdetyo"] == "" and rows[0]["roles_other"] == "0"
    december = rows[11]
    assert (december["team"], december["convened"], december["held"]) == ("esimerkkila", "4", "3")
    assert december["role_neuvola"] == "4", "three workers bring the role"
    assert december["role_paihdetyo"] == "" and december["roles_other"] == "", "one worker's caseload: withheld"
    few = "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"
    assert december["venue_room"] == few and december["venue_family_place"] == "0"
    assert december["avg_days"] == few and december["median_days"] == few, "two meetings"
    assert december["feedback_family_heard"] == "4.7" and december["feedback_pros_useful"] == ""
    assert not [c for r in rows for c in r.values() if c.startswith("<")], "never <3, which reads as a number"
    english = render_csv([year], [v.value for v in Venue], [], [], rosters, "en").decode("utf-8")
    assert "not shown – fewer than 3 meetings (privacy)" in english


MONTHS = [str(i) for i in range(1, 13)]


def _row(png: bytes, month: int) -> tuple[int, int, int, int]:
    """Month ``month``'s (1–12) row of the chart: left, top, right, bottom (the rows stand on the bottom edge)."""
    from PIL import Image  # noqa: PLC0415

    width, height = Image.open(io.BytesIO(png)).size
    bottom = height - PADDING - ROW_HEIGHT * (12 - month)
    return 0, bottom - ROW_HEIGHT, width, bottom


def _bar_pixels(png: bytes, month: int) -> int:
    """How many pixels of the bar colour stand in month ``month``'s (1–12) row of the chart."""
    from PIL import Image  # noqa: PLC0415

    image = Image.open(io.BytesIO(png)).convert("RGB")
    left, top, right, bottom = _row(png, month)
    return sum(1 for x in range(left, right) for y in range(top, bottom)
               if image.getpixel((x, y)) == (0x1F, 0x5F, 0xA8))


def _dark(png: bytes, box: tuple[int, int, int, int]) -> set[tuple[int, int]]:
    """The dark (text) pixels in ``box`` (left, top, right, bottom)."""
    from PIL import Image  # noqa: PLC0415

    image = Image.open(io.BytesIO(png)).convert("L")
    grey = image.tobytes()
    return {(x, y) for x in range(box[0], box[2]) for y in range(box[1], box[3]) if grey[y * image.width + x] < 128}


def test_chart_is_a_png() -> None:
    values = [exact(n) for n in [0, 1, 12] + [0] * 9]
    png = render_bar_chart(values, MONTHS, "Pidetyt tapaamiset 2026")
    assert png.startswith(b"\x89PNG")
    assert png == render_bar_chart(values, MONTHS, "Pidetyt tapaamiset 2026")
    assert _bar_pixels(png, 2) and _bar_pixels(png, 3) > _bar_pixels(png, 2) and not _bar_pixels(png, 1)


def test_a_withheld_value_has_no_bar_and_is_labelled() -> None:
    plain = render_bar_chart([exact(5), exact(0), exact(12)] + [exact(0)] * 9, MONTHS, "Pidetyt tapaamiset 2026")
    withheld = render_bar_chart([exact(5), Shown(None, Withheld.MEETINGS), exact(12)] + [exact(0)] * 9, MONTHS,
                                "Pidetyt tapaamiset 2026")
    assert _bar_pixels(withheld, 1) and _bar_pixels(withheld, 3), "the others are drawn"
    assert not _bar_pixels(withheld, 2), "no bar for a withheld value"
    star = _row(withheld, 2)
    assert _dark(withheld, star) and _dark(withheld, star) != _dark(plain, _row(plain, 2)), \
        "an asterisk, not a 0, in its place"
    footnote = (0, 34, 340, 48)  # the line under the title
    columns = {x for x, _ in _dark(withheld, footnote)}
    assert len(columns) > 100 and _row(withheld, 1)[1] > _row(plain, 1)[1] + ROW_HEIGHT / 2, \
        "and a footnote line says why, pushing the rows down"


async def test_the_issues_case_reads_the_same_on_the_card_in_the_csv_and_on_the_chart(tmp_path: Path) -> None:
    """One meeting booked 18 days ahead and held, answered 4 and 5: nothing may read as "under 3"."""
    from bot.statistics_actions import StatisticsActions, StatisticsPayload  # noqa: PLC0415

    docs = SqliteDocuments(tmp_path / "bot.db")
    service = _service(docs)
    convening = sample_convening()
    assert convening.booking is not None
    start = datetime(2026, 12, 10, 6, 0, tzinfo=UTC)  # 18 days after NOW's 22.11.
    await service.convened(replace(convening, booking=replace(convening.booking, start=start,
                                                              end=start.replace(hour=7, minute=30))))
    meeting = finalized_meeting()
    await service.held(meeting)
    once = replace(meeting, feedback=FeedbackTally().add({"family_heard": 4}))
    await service.feedback_given(once, {"family_heard": 4})
    await service.feedback_given(replace(meeting, feedback=once.feedback.add({"family_heard": 5})),
                                 {"family_heard": 5})
    media = MediaStore(docs, "https://bot.example", lambda: NOW)
    card = to_json(await StatisticsActions(service, media).show(ActionContext(Caller(LIISA_ID, "Liisa"), "fi"),
                                                                 StatisticsPayload()))
    facts = {f["title"]: f["value"] for node in card["body"] if node.get("type") == "FactSet" for f in node["facts"]}
    few_meetings = "ei näytetä – alle 3 tapaamista (yksityisyyden suoja)"
    few_answers = "ei näytetä – alle 3 vastausta (yksityisyyden suoja)"
    assert facts["Päiviä kutsusta tapaamiseen (keskiarvo / mediaani)"] == few_meetings
    assert facts["Tuliko perhe kuulluksi?"] == few_answers
    assert facts["Pidetty"] == "1" and facts["Kutsuttu koolle"] == "1", "totals are exact"
    assert not [v for v in facts.values() if "alle 3" in v and not v.startswith("ei näytetä")]

    download = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl")
    stored = await media.fetch_download(download.rsplit("/", 1)[1].removesuffix(".csv"), "csv")
    image = next(n for n in card["body"] if n.get("type") == "Image")
    png = await media.fetch(image["url"].rsplit("/", 1)[1].removesuffix(".png"))
    docs.close()
    assert stored is not None and png is not None
    rows = {r["month"]: r for r in csv.DictReader(io.StringIO(stored[0].decode("utf-8")))}
    assert rows["2026-11"]["avg_days"] == rows["2026-11"]["median_days"] == few_meetings
    assert rows["2026-12"]["feedback_family_heard"] == few_answers
    assert rows["2026-12"]["held"] == "1" and rows["2026-11"]["convened"] == "1"
    assert not [c for r in rows.values() for c in r.values() if c.startswith("<")]
    assert "joulu 1" in image["altText"], "the chart's text says what the card's total says"
    assert _bar_pixels(png, 12) and not any(_bar_pixels(png, m) for m in range(1, 12)), "the one bar: December"


def test_the_playgrounds_user_coordinates_in_the_demo_and_another_near_worker_does_not() -> None:
    from scripts.playground_config import DEFAULT_TENANT_FILE, load_tenant  # noqa: PLC0415

    tenant = load_tenant(DEFAULT_TENANT_FILE)
    config = parse_team_config(demo_data())
    assert config.coordinators.teams_for(tenant.current_user.mail, config.teams) == ("esimerkkila",)
    others = [u for u in tenant.other_users() if u.playground]
    assert others and all(not config.coordinators.teams_for(u.mail, config.teams) for u in others)


def test_the_cards_payload_is_validated() -> None:
    from pydantic import ValidationError  # noqa: PLC0415

    from bot.statistics_actions import StatisticsPayload  # noqa: PLC0415

    assert StatisticsPayload.model_validate({}).year is None
    assert StatisticsPayload.model_validate({"year": 2026, "team": "esimerkkila", "verb": "x"}).year == "2026"
    assert StatisticsPayload.model_validate({"year": " ", "team": ""}).team is None
    for bad in ({"year": "20260"}, {"year": True}, {"team": "Esimerkkilä"}, {"team": "a" * 65}, {"year": ["2026"]}):
        with pytest.raises(ValidationError):
            StatisticsPayload.model_validate(bad)
