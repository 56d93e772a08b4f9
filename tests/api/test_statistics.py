"""Statistics (docs/STATE.md section 3): the nightly pass writes the day's items, who may read
them, the files, and the open data (the world: tests/api/conftest.py — inst-a and inst-b in
LT-57 with three enrolments; more are written in bulk here as bench/state_views.py does)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest

from bench.state_views import enrolment
from chalicelib.domain import dates
from chalicelib.domain import problems as P
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import ACTIVITY_ITEM, PROFILE_ITEM, InstitutionActivity, InstitutionProfile
from chalicelib.models.records import Record
from chalicelib.models.statistics import DONE_PLACE, StatisticsItem, day_key
from chalicelib.services.snapshot import run_job
from chalicelib.services.statistics import statistics_view
from tests.api.conftest import PEOPLE, TODAY, World

DAY = TODAY.isoformat()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def enrol_class(institution: str, class_name: str, girls: int, boys: int, first: int) -> list[str]:
    """`girls` + `boys` pupils enrolled in `class_name` since September; their codes."""
    codes = []
    with Record.batch_write() as batch:
        for n in range(girls + boys):
            code = make_personal_code("F" if n < girls else "M", datetime(2014, 3, 1).date(), first + n)
            codes.append(code)
            batch.save(enrolment(code, institution, first + n, start=(TODAY - timedelta(days=60)).isoformat(),
                                 class_name=class_name))
    return codes


def statistics(world: World, who: str = "ministry", **params: str) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    # An XLSX is binary: API Gateway (and Chalice) send it base64-encoded to a client that accepts it.
    accept = {"Accept": XLSX} if params.get("format") == "xlsx" else {}
    return world.call(who, "GET", "/statistics" + (f"?{query}" if query else ""), headers=accept)


def test_the_job_writes_one_item_per_institution_and_the_open_enrolments(world: World) -> None:
    enrol_class("inst-a", "8b", 2, 1, 100)
    # Neither ended before the day nor starting after it counts; an annulled one is not read.
    with Record.batch_write() as batch:
        batch.save(enrolment(make_personal_code("F", datetime(2013, 1, 1).date(), 200), "inst-a", 200,
                             start="2019-09-01", end=(TODAY - timedelta(days=1)).isoformat(), class_name="8b"))
        batch.save(enrolment(make_personal_code("F", datetime(2013, 1, 1).date(), 201), "inst-a", 201,
                             start=(TODAY + timedelta(days=1)).isoformat(), class_name="8b"))
        annulled = enrolment(make_personal_code("M", datetime(2013, 1, 1).date(), 202), "inst-a", 202,
                             start="2019-09-01", class_name="8b")
        annulled.status = "ANNULLED"
        batch.save(annulled)
    result = run_job(TODAY)
    assert (result.institutions, result.enrolments_read) == (3, 8)  # 3 + 2 + the world's 3
    items = {item.place: item for item in StatisticsItem.query(day_key(TODAY))}
    assert set(items) == {DONE_PLACE, "LT-57#inst-a", "LT-57#inst-b", "LT-57#inst-c"}
    assert items["LT-57#inst-a"].counts == {"8|201001001|DAILY|F": 2, "8|201001001|DAILY|M": 1,
                                            "|201001001||M": 2}  # the world's two: no class, no form
    assert (items["LT-57#inst-a"].total, items["LT-57#inst-b"].total, items["LT-57#inst-c"].total) == (5, 1, 0)
    activity = InstitutionActivity.get("inst-a", ACTIVITY_ITEM)
    assert (activity.open_enrolments, activity.snapshot_date) == (5, DAY)
    # The per-person standing the list of children outside education consumes.
    assert result.persons[PEOPLE["pupil_a"]].enrolled
    left = make_personal_code("F", datetime(2013, 1, 1).date(), 200)
    assert not result.persons[left].enrolled and result.persons[left].last_institution == "inst-a"


def test_the_job_reads_only_enrolments_by_query(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: Any) -> Any:
        seen.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    run_job(TODAY)
    assert "Scan" not in {operation for operation, _ in seen}
    record_reads = [params for operation, params in seen if str(params.get("TableName", "")).endswith("-records")]
    assert len(record_reads) == 3  # one Query per institution
    for params in record_reads:
        assert params["IndexName"] == "enrolments_by_institution"
        assert "begins_with" in params["KeyConditionExpression"]
        assert "1#ENROLLMENT#" in [value.get("S") for value in params["ExpressionAttributeValues"].values()]


def test_the_schedule_runs_at_two_in_vilnius_only(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.handlers.statistics import snapshot_statistics

    event = world.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                  resources=[])
    winter_one_am = datetime(2026, 1, 14, 23, 0, tzinfo=UTC)  # 01:00 in Vilnius (UTC+2)
    monkeypatch.setattr(dates, "utc_now", lambda: winter_one_am)
    assert "skipped" in snapshot_statistics(event, None)
    summer_two_am = datetime(2026, 7, 14, 23, 0, tzinfo=UTC)  # 02:00 on 15 July in Vilnius (UTC+3)
    monkeypatch.setattr(dates, "utc_now", lambda: summer_two_am)
    assert snapshot_statistics(event, None)["date"] == "2026-07-15"
    assert StatisticsItem.get("DAY#2026-07-15", DONE_PLACE).institutions == 3


def test_the_ministry_reads_national_and_municipal_counts(world: World) -> None:
    enrol_class("inst-b", "IIa", 3, 3, 300)
    run_job(TODAY)
    national = statistics(world, date=DAY)
    assert national.status_code == 200, national.body
    body = national.json_body
    assert (body["total"], body["municipality"]) == (9, None)
    assert {row["grade"]: row["count"] for row in body["by_grade"]} == {10: 6, None: 3}
    assert {row["sex"]: row["count"] for row in body["by_sex"]} == {"F": 4, "M": 5}
    assert [i["institution_id"] for i in body["institutions"]] == ["inst-a", "inst-b", "inst-c"]
    municipal = statistics(world, date=DAY, municipality="LT-57").json_body
    assert municipal["total"] == 9 and municipal["municipality_name"]["lt"].startswith("Vilniaus")
    elsewhere = statistics(world, date=DAY, municipality="LT-13").json_body
    assert (elsewhere["total"], elsewhere["institutions"]) == (0, [])


def test_an_official_sees_only_their_municipality() -> None:
    official = CallerFacts("x", municipalities=frozenset({"LT-13"}))
    with pytest.raises(Problem) as refused:
        statistics_view(official, None, "LT-57")
    assert refused.value.code == P.access.municipality
    stranger = CallerFacts("y")
    with pytest.raises(Problem) as refused:
        statistics_view(stranger, None, None)
    assert refused.value.code == P.access.ministry_only


def test_an_official_reads_their_municipality_by_default(world: World) -> None:
    run_job(TODAY)
    official = CallerFacts("x", municipalities=frozenset({"LT-57"}))
    view = statistics_view(official, DAY, None)
    assert (view["municipality"], view["total"]) == ("LT-57", 3)


@pytest.mark.parametrize("who", ["rep_a", "guardian", "pupil_a"])
def test_others_are_refused(world: World, who: str) -> None:
    run_job(TODAY)
    for params in ({}, {"municipality": "LT-57"}):
        response = statistics(world, who, **params)
        assert response.status_code == 403, response.body


def test_a_date_without_a_snapshot_is_not_computed(world: World) -> None:
    run_job(TODAY)
    missing = statistics(world, date=(TODAY - timedelta(days=3)).isoformat())
    assert missing.status_code == 404
    assert missing.json_body["code"] == "statistics.not_computed"
    assert statistics(world, date="yesterday").json_body["code"] == "request.date"
    assert world.client.http.get("/open-data/statistics?date=2001-09-01").json_body["code"] == \
        "statistics.not_computed"  # a reference date (1 September) the job never published


def test_a_past_date_is_computed_by_running_the_job_for_it(world: World) -> None:
    before = TODAY.replace(year=2020, month=8, day=1)  # the world's pupils start on 2020-09-01
    run_job(before)
    assert statistics(world, date=before.isoformat()).json_body["total"] == 0


def test_csv_and_xlsx(world: World) -> None:
    from openpyxl import load_workbook

    enrol_class("inst-a", "8b", 2, 0, 400)
    run_job(TODAY)
    response = statistics(world, date=DAY, format="csv")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.body.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][-1] == "Mokinių" and [DAY, "LT-57", "inst-a", "Mokykla A", "8", "201001001", "DAILY", "F",
                                          "2"] in lines
    assert statistics(world, date=DAY, format="pdf").json_body["code"] == "request.format"
    book = statistics(world, date=DAY, format="xlsx")
    body = book.body if book.body.startswith(b"PK") else base64.b64decode(book.body)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [DAY, "LT-57", "inst-a", "Mokykla A", "8", "201001001", "DAILY", "F", 2] in rows


@pytest.fixture
def reference_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is the year's open-data reference date: the job publishes open data."""
    monkeypatch.setenv("OPEN_DATA_REFERENCE_DATE", TODAY.strftime("%m-%d"))


def test_open_data_withholds_small_counts_so_none_can_be_derived_and_names_nobody(
        world: World, reference_today: None) -> None:
    codes = enrol_class("inst-a", "8b", 6, 6, 500) + enrol_class("inst-a", "9a", 2, 1, 600)
    codes += enrol_class("inst-b", "8a", 4, 4, 700) + enrol_class("inst-b", "9b", 3, 4, 800)
    InstitutionProfile("inst-d", PROFILE_ITEM, name="Mokykla D", legal_entity_code="211950810",
                       municipality="LT-13", created_at=datetime.now(UTC), created_by="test").save()
    codes += enrol_class("inst-d", "5a", 3, 4, 900)
    run_job(TODAY)
    response = world.client.http.get(f"/open-data/statistics?date={DAY}")  # no login
    assert response.status_code == 200, response.body
    assert "public" in response.headers["Cache-Control"]
    tables = {t["municipality"]: t for t in response.json_body["tables"]}
    vilnius = {(row["institution_id"], cell["grade"]): cell["count"]
               for row in tables["LT-57"]["rows"] for cell in row["cells"]}
    assert vilnius[("inst-a", 8)] == 12 and vilnius[("inst-a", 9)] is None  # 3: withheld
    assert vilnius[("inst-a", "-")] is None  # the world's 2 pupils with no class
    assert all(count is None or count == 0 or count >= 5 for count in vilnius.values())
    rows = {r for r, _ in vilnius}
    grades = {g for _, g in vilnius}
    for line in [[(r, g) for g in grades] for r in rows] + [[(r, g) for r in rows] for g in grades]:
        assert sum(vilnius[cell] is None for cell in line) != 1, line  # never one withheld alone
    assert [row["cells"][-1]["count"] for row in tables["LT-13"]["rows"]] == [7, 7]
    files = world.client.http.get(f"/open-data/statistics?date={DAY}&format=csv")
    text = files.body.decode("utf-8-sig")
    assert "Mokykla A;8;12;" in text
    for code in [*codes, *PEOPLE.values()]:
        assert code not in text and code not in str(response.json_body)
    assert "Testas" not in text  # no pupil's name


def test_the_reporting_list_shows_the_snapshots_open_enrolments(world: World) -> None:
    before = world.call("ministry", "GET", "/reporting").json_body["institutions"]
    assert {row["institution_id"]: row["open_enrolments"] for row in before}["inst-a"] is None
    run_job(TODAY)
    after = world.call("ministry", "GET", "/reporting").json_body["institutions"]
    assert {row["institution_id"]: (row["open_enrolments"], row["open_enrolments_on"]) for row in after} == {
        "inst-a": (2, DAY), "inst-b": (1, DAY), "inst-c": (0, DAY)}


def test_open_data_is_published_for_the_reference_date_only_and_never_changes(
        world: World, reference_today: None) -> None:
    """Tables of two days, or two versions of one day, could be subtracted (a newcomer in a grade
    nobody else is in, withheld today, follows from today's total and yesterday's cells): open
    data is one table a year, published once by the job on the reference date."""
    enrol_class("inst-a", "8b", 6, 6, 500)
    run_job(TODAY - timedelta(days=1))  # an ordinary day: statistics, no open data
    run_job(TODAY)
    yesterday = world.client.http.get(f"/open-data/statistics?date={(TODAY - timedelta(days=1)).isoformat()}")
    assert (yesterday.status_code, yesterday.json_body["code"]) == (404, "statistics.not_published")
    first = world.client.http.get("/open-data/statistics")  # default: the latest reference date
    assert first.status_code == 200 and first.json_body["date"] == DAY
    counted = statistics(world, date=DAY).json_body["total"]
    enrol_class("inst-a", "7a", 1, 0, 900)  # one newcomer, then the day is computed again
    run_job(TODAY)
    assert world.client.http.get(f"/open-data/statistics?date={DAY}").json_body == first.json_body
    # The state's own view moves on; the published table does not.
    assert statistics(world, date=DAY).json_body["total"] == counted + 1


def test_a_past_days_pass_leaves_todays_counts_and_list_as_they_are(world: World) -> None:
    """Statistics computed for a past day afterwards (`python -m chalicelib.services.snapshot
    --date`) must not put that day's open enrolments on the reporting list, nor that day's list of
    children outside education in place of today's (tests/api/test_outside_education.py)."""
    run_job(TODAY)
    run_job(TODAY - timedelta(days=30))
    rows = world.call("ministry", "GET", "/reporting").json_body["institutions"]
    assert {row["open_enrolments_on"] for row in rows} == {DAY}


def test_a_school_cannot_subtract_its_own_pupils_to_learn_another_schools_count(
        world: World, reference_today: None) -> None:
    """School X knows its own pupils. With X {5: 10, 8: 3} and Y {5: 10, 8: 2} in one municipality,
    publishing grade 8's total (5) would give Y's withheld 2 to X (5 − 3)."""
    for institution in ("inst-x", "inst-y"):
        InstitutionProfile(institution, PROFILE_ITEM, name=f"Mokykla {institution}", legal_entity_code="211950810",
                           municipality="LT-13", created_at=datetime.now(UTC), created_by="test").save()
    enrol_class("inst-x", "5a", 5, 5, 100)
    enrol_class("inst-x", "8a", 2, 1, 150)
    enrol_class("inst-y", "5b", 5, 5, 200)
    enrol_class("inst-y", "8b", 1, 1, 250)
    run_job(TODAY)
    (table,) = world.client.http.get(f"/open-data/statistics?date={DAY}&municipality=LT-13").json_body["tables"]
    cells = {(row["institution_id"], cell["grade"]): cell["count"] for row in table["rows"] for cell in row["cells"]}
    assert cells[("inst-y", 8)] is None
    column = cells[(None, 8)]
    assert column is None or not 1 <= column - 3 < 5, cells  # X's own 3 subtracted: nothing learnt
