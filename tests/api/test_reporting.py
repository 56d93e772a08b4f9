"""Reporting discipline through the API (docs/STATE.md section 1): the activity item moves after
API writes and real uploads, `overdue` is decided when read, and who may read what
(the world: tests/api/conftest.py; uploads as tests/ingest drives them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import dates
from chalicelib.domain import problems as P
from chalicelib.models.institutions import ACTIVITY_ITEM, InstitutionActivity, InstitutionProfile
from tests.api.conftest import World, record_body
from tests.ingest.conftest import bucket  # noqa: F401 - a fixture
from tests.ingest.test_ingest import csv_file, exam_rows, upload

Clock = Callable[[datetime], None]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    def stand_at(moment: datetime) -> None:
        monkeypatch.setattr(dates, "utc_now", lambda: moment)

    return stand_at


def activity(world: World, who: str = "rep_a", institution: str = "inst-a") -> dict[str, Any]:
    response = world.call(who, "GET", f"/institutions/{institution}/activity")
    assert response.status_code == 200, response.body
    return dict(response.json_body)


def write(world: World, source_id: str = "r-1") -> dict[str, Any]:
    response = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", source_id))
    assert response.status_code == 201, response.body
    return dict(response.json_body)


def test_no_activity_yet_is_overdue(world: World) -> None:
    seen = activity(world)
    assert (seen["last_api_change_at"], seen["last_upload"], seen["overdue"]) == (None, None, True)
    assert seen["overdue_reasons"] == ["no_recent_change"]


def test_api_writes_move_the_last_change_forward_and_only_forward(world: World, clock: Clock) -> None:
    start = dates.utc_now()
    clock(start)
    saved = write(world)
    assert activity(world)["last_api_change_at"] == start.isoformat()
    clock(start + timedelta(minutes=5))
    corrected = world.call("rep_a", "PUT", f"/institutions/inst-a/records/{saved['record_id']}",
                           record_body("pupil_a", "r-1", score=90, version=saved["version"]))
    assert corrected.status_code == 200, corrected.body
    assert activity(world)["last_api_change_at"] == (start + timedelta(minutes=5)).isoformat()
    clock(start + timedelta(minutes=10))
    annulled = world.call("rep_a", "DELETE", f"/institutions/inst-a/records/{saved['record_id']}",
                          {"reason": "klaida"})
    assert annulled.status_code == 200, annulled.body
    seen = activity(world)
    assert seen["last_api_change_at"] == (start + timedelta(minutes=10)).isoformat()
    assert (seen["overdue"], seen["overdue_reasons"]) == (False, [])
    clock(start + timedelta(minutes=1))  # a writer whose clock is behind never moves the time back
    write(world, "r-2")
    assert activity(world)["last_api_change_at"] == (start + timedelta(minutes=10)).isoformat()


def test_an_unchanged_resubmission_is_not_a_change(world: World, clock: Clock) -> None:
    start = dates.utc_now()
    clock(start)
    write(world)
    clock(start + timedelta(minutes=5))
    again = world.call("rep_a", "POST", "/institutions/inst-a/records", record_body("pupil_a", "r-1"))
    assert again.status_code == 200, again.body
    assert activity(world)["last_api_change_at"] == start.isoformat()


def test_a_failing_activity_update_does_not_fail_the_write(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.models import institutions

    def broken(*_: Any, **__: Any) -> bool:
        raise RuntimeError("the activity item is unreachable")

    monkeypatch.setattr(institutions, "note_api_change", broken)
    monkeypatch.setattr("chalicelib.services.reporting.note_api_change", broken)
    saved = write(world)
    assert world.call("rep_a", "GET", f"/institutions/inst-a/records/{saved['record_id']}").status_code == 200
    assert activity(world)["last_api_change_at"] is None


def test_an_upload_sets_the_last_upload_and_a_dry_run_does_not(world: World, bucket: Any) -> None:  # noqa: F811
    upload(world, bucket, csv_file(*exam_rows(2)), dry_run=True)
    assert activity(world)["last_upload"] is None
    sent = upload(world, bucket, csv_file(*exam_rows(3), "EXAM;bad;;;x;Matematika;2025-06-01;1;A;"))
    seen = activity(world)
    assert seen["last_upload"] | {"at": None} == {"upload_id": sent["upload_id"], "at": None, "status": "DONE",
                                                   "rows_written": 3, "rows_rejected": 1}
    assert seen["last_upload"]["at"] is not None and seen["overdue"] is False
    # An upload is not an API change.
    assert seen["last_api_change_at"] is None


def test_the_uploads_list_is_newest_first_paged_and_the_schools_own(world: World, bucket: Any,  # noqa: F811
                                                                     clock: Clock) -> None:
    start = dates.utc_now()
    sent = []
    for minutes in range(3):
        clock(start + timedelta(minutes=minutes))
        sent.append(upload(world, bucket, csv_file(*exam_rows(1, start=minutes)), dry_run=minutes == 1))
    first = world.call("rep_a", "GET", "/institutions/inst-a/uploads?limit=2")
    assert first.status_code == 200, first.body
    page = first.json_body
    assert [u["upload_id"] for u in page["uploads"]] == [sent[2]["upload_id"], sent[1]["upload_id"]]
    newest = page["uploads"][0]
    assert (newest["status"], newest["dry_run"], newest["rows_written"], newest["rows_rejected"]) == (
        "DONE", False, 1, 0)
    assert newest["report"]["json"].startswith("http") and "errors" not in newest
    assert page["uploads"][1]["dry_run"] is True
    rest = world.call("rep_a", "GET", f"/institutions/inst-a/uploads?limit=2&cursor={page['next_cursor']}")
    assert [u["upload_id"] for u in rest.json_body["uploads"]] == [sent[0]["upload_id"]]
    assert rest.json_body["next_cursor"] is None
    other = world.call("rep_b", "GET", "/institutions/inst-a/uploads")
    assert (other.status_code, other.json_body["code"]) == (403, "access.institution")
    foreign_cursor = world.call("rep_b", "GET", f"/institutions/inst-b/uploads?cursor={page['next_cursor']}")
    assert (foreign_cursor.status_code, foreign_cursor.json_body["code"]) == (400, "request.cursor")


def test_a_school_reads_only_its_own_activity(world: World) -> None:
    other = world.call("rep_b", "GET", "/institutions/inst-a/activity")
    assert (other.status_code, other.json_body["code"]) == (403, "access.institution")
    assert activity(world, "rep_b", "inst-b")["institution_id"] == "inst-b"
    assert activity(world, "ministry", "inst-a")["institution_id"] == "inst-a"
    missing = world.call("ministry", "GET", "/institutions/inst-zz/activity")
    assert (missing.status_code, missing.json_body["code"]) == (404, "institution.not_found")


def test_overdue_after_the_period_and_after_the_annual_date(world: World, clock: Clock,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # 10:00 UTC on 1 March: the school wrote through the API.
    clock(datetime(2026, 3, 1, 10, tzinfo=UTC))
    InstitutionActivity("inst-a", ACTIVITY_ITEM, last_api_change_at=dates.utc_now(), created_at=dates.utc_now(),
                        created_by="test").save()
    clock(datetime(2026, 3, 31, 10, tzinfo=UTC))
    assert activity(world, "ministry")["overdue"] is False  # 30 days
    clock(datetime(2026, 4, 1, 10, tzinfo=UTC))
    assert activity(world, "ministry")["overdue_reasons"] == ["no_recent_change"]
    monkeypatch.setenv("REPORTING_PERIOD_DAYS", "60")
    assert activity(world, "ministry")["overdue"] is False
    monkeypatch.setenv("ANNUAL_REPORTING_DATE", "03-15")  # passed, with no upload since
    assert activity(world, "ministry")["overdue_reasons"] == ["annual_report_missing"]


def test_the_ministry_lists_every_institution_and_filters(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    InstitutionProfile.get("inst-b", "PROFILE").update(actions=[InstitutionProfile.municipality.set("LT-15")])
    write(world)  # inst-a reported today; inst-b and inst-c never did
    listed = world.call("ministry", "GET", "/reporting")
    assert listed.status_code == 200, listed.body
    rows = {row["institution_id"]: row for row in listed.json_body["institutions"]}
    assert set(rows) == {"inst-a", "inst-b", "inst-c"}
    assert (rows["inst-a"]["name"], rows["inst-a"]["municipality"], rows["inst-a"]["overdue"]) == (
        "Mokykla A", "LT-57", False)
    assert rows["inst-a"]["municipality_name"]["lt"] == "Vilniaus miesto savivaldybė"
    assert rows["inst-b"]["overdue"] is True

    def ids(path: str) -> list[str]:
        response = world.call("ministry", "GET", path)
        assert response.status_code == 200, response.body
        return sorted(row["institution_id"] for row in response.json_body["institutions"])

    assert ids("/reporting?overdue=true") == ["inst-b", "inst-c"]
    assert ids("/reporting?overdue=false") == ["inst-a"]
    assert ids("/reporting?municipality=LT-15") == ["inst-b"]
    assert ids("/reporting?municipality=Kauno%20m.%20sav.") == ["inst-b"]  # a name is read as its code
    assert ids("/reporting?municipality=LT-57&overdue=true") == ["inst-c"]
    unknown = world.call("ministry", "GET", "/reporting?municipality=Vilnius")  # a city and a district alike
    assert (unknown.status_code, unknown.json_body["code"]) == (400, "request.municipality")
    paged = world.call("ministry", "GET", "/reporting?limit=2").json_body
    rest = world.call("ministry", "GET", f"/reporting?limit=2&cursor={paged['next_cursor']}").json_body
    assert len(paged["institutions"]) == 2 and len(rest["institutions"]) == 1
    bad = world.call("ministry", "GET", "/reporting?overdue=yes")
    assert (bad.status_code, bad.json_body["code"]) == (400, "request.overdue")


def test_the_ministrys_list_reads_one_query_and_one_batch_get_per_page(world: World,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.api.conftest import dynamodb_calls

    write(world)
    calls = dynamodb_calls(monkeypatch)
    assert world.call("ministry", "GET", "/reporting").status_code == 200
    # The caller's appointments as a representative and as a municipality official (every
    # authenticated request), the page of profiles, their activity.
    assert calls == ["Query", "Query", "Query", "BatchGetItem"]


# --- one municipality's institutions, officials, the files (issue 15, item 1) ---

KAUNAS = "LT-15"


def _move_to_kaunas(institution: str = "inst-b") -> None:
    InstitutionProfile.get(institution, "PROFILE").update(actions=[InstitutionProfile.municipality.set(KAUNAS)])


def _queries(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, int]]:
    """(index, items the Query read) of every Query from now on."""
    import botocore.client

    seen: list[tuple[str | None, int]] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(self: Any, operation: str, params: Any) -> Any:
        answer = original(self, operation, params)
        if operation == "Query" and str(params.get("TableName", "")).endswith("-institutions"):
            seen.append((params.get("IndexName"), int(answer["ScannedCount"])))
        return answer

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    return seen


def test_a_municipalitys_list_queries_its_index_and_reads_only_its_institutions(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _move_to_kaunas()
    queries = _queries(monkeypatch)
    # One row a page: filtering every profile would answer inst-a's page (then filtered away) first.
    first = world.call("ministry", "GET", f"/reporting?municipality={KAUNAS}&limit=1")
    assert first.status_code == 200, first.body
    assert [row["institution_id"] for row in first.json_body["institutions"]] == ["inst-b"]
    by_municipality = [query for query in queries if query[0] == "by_municipality"]
    assert by_municipality == [("by_municipality", 1)] and not [q for q in queries if q[0] == "by_item_type"]
    vilnius = world.call("ministry", "GET", "/reporting?municipality=LT-57").json_body
    assert sorted(row["institution_id"] for row in vilnius["institutions"]) == ["inst-a", "inst-c"]
    assert queries[-1] == ("by_municipality", 2)  # two of the three profiles: only Vilnius's were read
    # Another list's cursor (another municipality's, or every institution's) is refused.
    paged = world.call("ministry", "GET", "/reporting?municipality=LT-57&limit=1").json_body
    assert paged["next_cursor"]
    for other in (f"/reporting?municipality={KAUNAS}&", "/reporting?"):
        refused = world.call("ministry", "GET", f"{other}cursor={paged['next_cursor']}")
        assert (refused.status_code, refused.json_body["code"]) == (400, "request.cursor")
    rest = world.call("ministry", "GET", f"/reporting?municipality=LT-57&limit=1&cursor={paged['next_cursor']}")
    assert [row["institution_id"] for row in rest.json_body["institutions"]] == ["inst-c"]


def test_an_official_reads_only_their_own_municipality(world: World) -> None:
    from chalicelib.domain.policy import CallerFacts
    from chalicelib.errors import Problem
    from chalicelib.services.reporting import reporting_page, reporting_rows

    _move_to_kaunas()
    official = CallerFacts("official", municipalities=frozenset({KAUNAS}))
    own = reporting_page(official, KAUNAS, None, None, 50)
    assert [row["institution_id"] for row in own["institutions"]] == ["inst-b"]
    assert [row["institution_id"] for row in reporting_rows(official, "Kauno m. sav.", None)] == ["inst-b"]
    for municipality in ("LT-57", None):
        for read in (lambda m: reporting_page(official, m, None, None, 50),
                     lambda m: reporting_rows(official, m, None)):
            with pytest.raises(Problem) as refused:
                read(municipality)
            assert refused.value.code is P.access.municipality


def test_a_representative_is_refused_with_or_without_a_municipality(world: World) -> None:
    for path in ("/reporting", "/reporting?municipality=LT-57", "/reporting?format=csv"):
        refused = world.call("rep_a", "GET", path)
        assert (refused.status_code, refused.json_body["code"]) == (403, "access.municipality"), path


def _csv_rows(body: bytes) -> list[list[str]]:
    import csv
    import io

    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_list_as_csv_every_page_same_filters_lithuanian_by_default(
        world: World, monkeypatch: pytest.MonkeyPatch, bucket: Any) -> None:  # noqa: F811
    from tests.api.conftest import PEOPLE

    _move_to_kaunas()
    InstitutionProfile.get("inst-c", "PROFILE").update(
        actions=[InstitutionProfile.name.set('=HYPERLINK("http://evil.example","Mokykla C")')])
    sent = upload(world, bucket, csv_file(*exam_rows(2), "EXAM;bad;;;x;Matematika;2025-06-01;1;A;"))
    monkeypatch.setattr("chalicelib.services.reporting.MAX_PAGE", 1)  # every page, one institution each
    response = world.call("ministry", "GET", "/reporting?format=csv")
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="atsiskaitymas.csv"'
    header, *rows = _csv_rows(response.body)
    assert header == ["Įstaigos kodas", "Pavadinimas", "Savivaldybės kodas", "Savivaldybė", "Paskutinis įkėlimas",
                      "Įkėlimo būsena", "Įrašyta eilučių", "Atmesta eilučių", "Paskutinis pakeitimas per API",
                      "Atviri mokymosi įrašai", "Atviri judėjimo įrašai", "Vėluoja", "Priežastys"]
    by_id = {row[0]: row for row in rows}
    assert sorted(by_id) == ["inst-a", "inst-b", "inst-c"]
    a = by_id["inst-a"]
    assert a[1:4] == ["Mokykla A", "LT-57", "Vilniaus miesto savivaldybė"]
    assert (a[5], a[6], a[7], a[11], a[12]) == ("DONE", "2", "1", "ne", "")
    assert a[4].startswith(dates.vilnius_today().isoformat()[:4]) and sent["upload_id"] not in ";".join(a)
    assert by_id["inst-b"][2:4] == [KAUNAS, "Kauno miesto savivaldybė"]
    assert by_id["inst-b"][11] == "taip" and "30 d." in by_id["inst-b"][12]
    assert by_id["inst-c"][1].startswith("'=HYPERLINK")  # a spreadsheet shows it as text, never runs it
    assert not any(code in response.body.decode("utf-8") for code in PEOPLE.values())  # no person in it
    # The same filters as the JSON list, in English when asked.
    english = world.call("ministry", "GET", f"/reporting?format=csv&lang=en&municipality={KAUNAS}&overdue=true")
    assert english.headers["Content-Disposition"] == f'attachment; filename="atsiskaitymas-{KAUNAS}.csv"'
    header, *rows = _csv_rows(english.body)
    assert header[:4] == ["Institution id", "Name", "Municipality code", "Municipality"] and header[-2:] == [
        "Overdue", "Reasons"]
    assert [(row[0], row[3], row[11]) for row in rows] == [("inst-b", "Kaunas City Municipality", "yes")]
    assert rows[0][12].startswith("Nothing reported in the last 30 days")
    bad = world.call("ministry", "GET", "/reporting?format=pdf")
    assert (bad.status_code, bad.json_body["code"]) == (400, "request.format")
    assert world.call("ministry", "GET", "/reporting?format=csv&lang=pl").status_code == 400


def test_the_list_as_xlsx(world: World) -> None:
    import base64
    import io

    from openpyxl import load_workbook

    write(world)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = world.call("ministry", "GET", "/reporting?format=xlsx&overdue=false", headers={"Accept": xlsx})
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == xlsx
    body = response.body if response.body.startswith(b"PK") else base64.b64decode(response.body)
    workbook = load_workbook(io.BytesIO(body), read_only=True)
    assert workbook.sheetnames == ["Atsiskaitymas"]
    rows = list(workbook.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:2] == ("Įstaigos kodas", "Pavadinimas")
    assert [row[:3] for row in rows[1:]] == [("inst-a", "Mokykla A", "LT-57")]
    assert rows[1][8] is not None and rows[1][11] == "ne" and rows[1][4] is None  # an API change, no upload


def test_the_activity_says_why_in_words_and_carries_the_nightly_counts(world: World) -> None:
    seen = activity(world)
    assert seen["overdue_texts"] == [{"lt": "Per paskutines 30 d. nieko nepateikta nei per API, nei įkeliant failą",
                                      "en": "Nothing reported in the last 30 days, neither through the API nor "
                                            "by upload"}]
    assert (seen["open_enrolments"], seen["open_movements"]) == (None, None)


def test_the_municipalities_are_public_and_cacheable(world: World) -> None:
    response = world.client.http.get("/municipalities")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    listed = response.json_body["municipalities"]
    assert len(listed) == 60 and [m["code"] for m in listed][:2] == ["LT-01", "LT-02"]
    assert {"code": "LT-57", "name": {"lt": "Vilniaus miesto savivaldybė", "en": "Vilnius City Municipality"}} in listed
