"""Children outside education through the API and the nightly refresh (docs/STATE.md section 5).

The world (tests/api/conftest.py) plus a residents feed: `pupil_a` (12, in the register) whose
enrolment at inst-a ended in the standings given to the refresh, a child the register never met,
both in Vilnius (LT-57); a never-enrolled child in Kaunas (LT-15); `pupil_b`, enrolled; an adult.
Officials are callers whose `CallerFacts.municipalities` a test sets (the appointments themselves
are services/access.py's)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.personal_code import make_personal_code
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.snapshot import EnrolmentFacts, PersonStanding, person_standings
from chalicelib.models.journal import JournalEvent
from chalicelib.models.outside_education import OutsideChildItem, OutsideEducationItem
from chalicelib.services import access
from chalicelib.services.outside_education import FeedEmpty, refresh_outside_education
from tests.api.conftest import PEOPLE, World

TODAY = vilnius_today()
ENDED = (TODAY - timedelta(days=30)).isoformat()
UNKNOWN = make_personal_code("F", TODAY.replace(year=TODAY.year - 9) - timedelta(days=40), 321)
KAUNAS_CHILD = make_personal_code("M", TODAY.replace(year=TODAY.year - 8) - timedelta(days=10), 322)
OFFICIALS = {"resident": frozenset({"LT-57"}), "guardian": frozenset({"LT-15"})}


def standings(day: date = TODAY, *, pupil_a_back: bool = False) -> dict[str, PersonStanding]:
    """As the nightly pass would find them: pupil_a left inst-a for abroad (or is back), pupil_b attends."""
    enrolments = [EnrolmentFacts(PEOPLE["pupil_b"], "inst-b", "2020-09-01"),
                  EnrolmentFacts(PEOPLE["pupil_a"], "inst-a", "2020-09-01", ENDED, "MOVED_ABROAD")]
    if pupil_a_back:
        enrolments.append(EnrolmentFacts(PEOPLE["pupil_a"], "inst-b", ENDED))
    return person_standings(enrolments, day)


@pytest.fixture
def feed(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lines = [
        {"person_id": PEOPLE["pupil_a"], "municipality": "LT-57"},  # birth date from the code
        {"person_id": UNKNOWN, "municipality": "Vilniaus miesto savivaldybė"},  # by name
        {"person_id": KAUNAS_CHILD, "municipality": "LT-15"},
        {"person_id": PEOPLE["pupil_b"], "municipality": "LT-57", "birth_date": "2015-05-05"},
        {"person_id": PEOPLE["resident"], "municipality": "LT-57", "birth_date": "1990-02-02"},
    ]
    path = tmp_path / "residents.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\nnot json\n", encoding="utf-8")
    monkeypatch.setenv("POPULATION_RESIDENTS_FILE", str(path))
    real = access.caller_facts
    monkeypatch.setattr(access, "caller_facts", lambda person_id, today=None: _appointed(real(person_id, today)))
    return path


def _appointed(facts: CallerFacts) -> CallerFacts:
    """The caller's facts with the municipalities a test appointed them for."""
    who = next((name for name, code in PEOPLE.items() if code == facts.person_id), "")
    return replace(facts, municipalities=OFFICIALS.get(who, frozenset()))


def listed() -> dict[str, OutsideChildItem]:
    return {item.person_id: item for item in OutsideEducationItem.scan() if isinstance(item, OutsideChildItem)}


def page(world: World, who: str = "resident", code: str = "LT-57", purpose: str | None = "school-age check",
         query: str = "") -> Any:
    headers = {"X-Purpose": purpose} if purpose is not None else {}
    return world.call(who, "GET", f"/municipalities/{code}/outside-education{query}", headers=headers)


def reads_of(person_id: str) -> list[JournalEvent]:
    return [e for e in JournalEvent.query(person_id) if e.action == "READ"]


# --- the nightly refresh ---------------------------------------------------------------------------

def test_the_refresh_writes_every_school_age_resident_without_an_open_enrolment(feed: Path) -> None:
    done = refresh_outside_education(standings(), TODAY)
    assert (done.residents_read, done.listed, done.removed) == (4, 3, 0)  # the adult is outside the window
    assert done.counts == {"LT-57": 2, "LT-15": 1}
    rows = listed()
    assert set(rows) == {PEOPLE["pupil_a"], UNKNOWN, KAUNAS_CHILD}
    pupil = rows[PEOPLE["pupil_a"]]
    assert (pupil.municipality, pupil.last_institution, pupil.leaving_reason, pupil.since) == (
        "LT-57", "inst-a", "MOVED_ABROAD", ENDED)
    assert int(pupil.age) == 12
    never = rows[UNKNOWN]
    assert never.municipality == "LT-57" and [never.last_institution, never.since] == [None, None]


def test_the_refresh_removes_children_no_longer_listed_and_is_idempotent(feed: Path) -> None:
    refresh_outside_education(standings(), TODAY)
    first = {code: (item.municipality, item.since) for code, item in listed().items()}
    again = refresh_outside_education(standings(), TODAY)
    assert again.removed == 0
    assert {code: (item.municipality, item.since) for code, item in listed().items()} == first
    back = refresh_outside_education(standings(pupil_a_back=True), TODAY)
    assert back.removed == 1 and back.counts == {"LT-57": 1, "LT-15": 1}
    assert set(listed()) == {UNKNOWN, KAUNAS_CHILD}


def test_a_feed_that_breaks_halfway_loses_nobody_and_an_empty_feed_empties_nothing(
    feed: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.services import outside_education as service

    refresh_outside_education(standings(), TODAY)
    before = set(listed())

    class Breaking:
        def residents(self, born_from: date, born_to: date) -> Iterator[Any]:
            from chalicelib.domain.outside_education import Resident

            yield Resident(KAUNAS_CHILD, "LT-15", TODAY.replace(year=TODAY.year - 8))
            raise OSError("the connection to the Population Register dropped")

    monkeypatch.setattr(service, "residents_feed", Breaking)
    with pytest.raises(OSError):
        refresh_outside_education(standings(pupil_a_back=True), TODAY + timedelta(days=1))
    assert set(listed()) == before  # pupil_a (off today's list) is still there: removal comes last

    class Empty:
        def residents(self, born_from: date, born_to: date) -> Iterator[Any]:
            return iter(())

    monkeypatch.setattr(service, "residents_feed", Empty)
    with pytest.raises(FeedEmpty):
        refresh_outside_education(standings(), TODAY + timedelta(days=1))
    assert set(listed()) == before


class Residents:
    """A residents feed of the given residents; `meanwhile` runs once before the `at`-th is given
    (another refresh overlapping this one, as an at-least-once scheduled event can start)."""

    def __init__(self, residents: list[Any], at: int = -1, meanwhile: Any = None) -> None:
        self.given, self.at, self.meanwhile = residents, at, meanwhile

    def __call__(self) -> Residents:  # stands in for `residents_feed()`
        return self

    def residents(self, born_from: date, born_to: date) -> Iterator[Any]:
        for number, resident in enumerate(self.given):
            if number == self.at and self.meanwhile is not None:
                meanwhile, self.meanwhile = self.meanwhile, None
                meanwhile()
            yield resident


def school_age_residents(count: int) -> list[Any]:
    from chalicelib.domain.outside_education import Resident

    birth = TODAY.replace(year=TODAY.year - 10)
    return [Resident(make_personal_code("F", birth, 400 + n), "LT-57", birth) for n in range(count)]


def test_two_overlapping_refreshes_of_the_outside_list_lose_nobody(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The later run starts while the earlier streams, runs whole, then the earlier finishes: rows
    of both runs are on the table (the earlier rewrote some after the later wrote them), and neither
    run's removal deletes a row the other wrote."""
    from chalicelib.services import outside_education as service

    children = school_age_residents(40)
    # The later run starts after the earlier has written its first batch of 25 and goes on to 30.
    feed = Residents(children, at=30, meanwhile=lambda: refresh_outside_education({}, TODAY))
    monkeypatch.setattr(service, "residents_feed", feed)
    refresh_outside_education({}, TODAY)
    assert set(listed()) == {child.person_id for child in children}
    assert len({item.run_id for item in listed().values()}) == 2  # both runs' rows are there


def test_after_overlapping_refreshes_the_next_run_still_removes_who_left_the_list(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Overlap keeps a child at most one run too long: the next run removes the rows of both
    overlapping runs that it does not rewrite — a pupil enrolled again, a child now 17."""
    from chalicelib.domain.outside_education import Resident
    from chalicelib.services import outside_education as service

    turning_17 = TODAY.replace(year=TODAY.year - 17) + timedelta(days=1)  # 16 today, 17 tomorrow
    aged_out = Resident(make_personal_code("M", turning_17, 401), "LT-57", turning_17)
    pupil_a = Resident(PEOPLE["pupil_a"], "LT-57", TODAY.replace(year=TODAY.year - 12))
    children = [pupil_a, *school_age_residents(38), aged_out]  # pupil_a: the later run's row; aged_out: the earlier's
    overlapping = Residents(children, at=30, meanwhile=lambda: refresh_outside_education(standings(), TODAY))
    monkeypatch.setattr(service, "residents_feed", overlapping)
    refresh_outside_education(standings(), TODAY)
    rows = listed()
    assert {aged_out.person_id, PEOPLE["pupil_a"]} <= set(rows)
    assert rows[aged_out.person_id].run_id != rows[PEOPLE["pupil_a"]].run_id
    tomorrow = TODAY + timedelta(days=1)
    monkeypatch.setattr(service, "residents_feed", Residents(children))
    done = refresh_outside_education(standings(tomorrow, pupil_a_back=True), tomorrow)
    assert done.removed == 2
    assert set(listed()) == {child.person_id for child in children[1:-1]}


# --- an official's page ----------------------------------------------------------------------------

def test_the_official_sees_their_municipalitys_children_and_each_view_is_journaled(feed: Path, world: World) -> None:
    refresh_outside_education(standings(), TODAY)
    response = page(world)
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["municipality"] == "LT-57" and body["municipality_name"]["lt"] == "Vilniaus miesto savivaldybė"
    rows = {row["person_id"]: row for row in body["children"]}
    assert set(rows) == {PEOPLE["pupil_a"], UNKNOWN}  # not Kaunas's child
    pupil = rows[PEOPLE["pupil_a"]]
    assert (pupil["given_name"], pupil["family_name"]) == ("PupilA", "Testas")
    assert (pupil["last_institution_name"], pupil["leaving_reason"], pupil["since"], pupil["age"]) == (
        "Mokykla A", "MOVED_ABROAD", ENDED, 12)
    assert (rows[UNKNOWN]["given_name"], rows[UNKNOWN]["last_institution_id"]) == (None, None)
    for child in (PEOPLE["pupil_a"], UNKNOWN):
        [event] = reads_of(child)
        assert (event.actor_role, event.purpose, event.actor_id) == ("municipality", "school-age check",
                                                                     PEOPLE["resident"])
    assert reads_of(KAUNAS_CHILD) == []
    # The child's own journal shows who read: the municipality, with the purpose.
    journal = world.call("pupil_a", "GET", "/me/journal").json_body["events"]
    assert {"action": "READ", "role": "municipality", "purpose": "school-age check",
            "by": "Vilniaus miesto savivaldybė"} in [
        {"action": e["action"], "role": e["actor"]["role"], "purpose": e["purpose"],
         "by": e["actor"].get("institution_name")} for e in journal]


def test_each_page_journals_only_the_children_it_shows(feed: Path, world: World) -> None:
    refresh_outside_education(standings(), TODAY)
    first = page(world, query="?limit=1")
    assert first.status_code == 200, first.body
    [shown] = first.json_body["children"]
    assert {c: len(reads_of(c)) for c in (PEOPLE["pupil_a"], UNKNOWN)} == {
        shown["person_id"]: 1, ({PEOPLE["pupil_a"], UNKNOWN} - {shown["person_id"]}).pop(): 0}
    cursor = first.json_body["next_cursor"]
    second = page(world, query=f"?limit=1&cursor={cursor}")
    assert second.status_code == 200, second.body
    assert [c["person_id"] for c in second.json_body["children"]] != [shown["person_id"]]
    assert all(len(reads_of(c)) == 1 for c in (PEOPLE["pupil_a"], UNKNOWN))


def test_without_a_purpose_nothing_is_shown_or_journaled(feed: Path, world: World) -> None:
    refresh_outside_education(standings(), TODAY)
    response = page(world, purpose=None)
    assert (response.status_code, response.json_body["code"]) == (400, "access.purpose_required")
    assert reads_of(PEOPLE["pupil_a"]) == []


@pytest.mark.parametrize(("who", "code"), [
    ("guardian", "access.municipality"),  # an official of Kaunas
    ("rep_a", "access.municipality"),  # the representative of the child's last school
    ("ministry", "access.municipality"),  # the ministry sees counts, never the children
])
def test_others_are_refused_the_list(feed: Path, world: World, who: str, code: str) -> None:
    refresh_outside_education(standings(), TODAY)
    response = page(world, who)
    assert (response.status_code, response.json_body["code"]) == (403, code)
    assert reads_of(PEOPLE["pupil_a"]) == [] and reads_of(UNKNOWN) == []


def test_an_unknown_municipality_is_refused(feed: Path, world: World) -> None:
    response = page(world, code="LT-99")
    assert (response.status_code, response.json_body["code"]) == (400, "request.municipality")


def test_if_the_journal_cannot_be_written_nothing_is_answered(
    feed: Path, world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pynamodb.exceptions import PutError

    refresh_outside_education(standings(), TODAY)

    class Failing:
        def __enter__(self) -> Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            raise PutError("the journal is down")

        def save(self, item: object) -> None:
            pass

    monkeypatch.setattr(JournalEvent, "batch_write", classmethod(lambda cls: Failing()))
    response = page(world)
    assert (response.status_code, response.json_body["code"]) == (503, "journal.unavailable")
    assert PEOPLE["pupil_a"] not in response.body.decode()


# --- the ministry's counts -------------------------------------------------------------------------

def test_the_ministry_gets_counts_by_municipality_and_no_names(feed: Path, world: World) -> None:
    refresh_outside_education(standings(), TODAY)
    response = world.call("ministry", "GET", "/outside-education/counts")
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["date"] == TODAY.isoformat() and body["total"] == 3
    assert [(row["municipality"], row["children"]) for row in body["municipalities"]] == [("LT-15", 1), ("LT-57", 2)]
    text = response.body.decode()
    assert not any(code in text for code in (PEOPLE["pupil_a"], UNKNOWN, KAUNAS_CHILD, "PupilA"))
    dated = world.call("ministry", "GET", f"/outside-education/counts?date={TODAY.isoformat()}")
    assert dated.json_body == body


def test_counts_for_a_day_without_a_list_or_a_bad_date_are_refused(feed: Path, world: World) -> None:
    refresh_outside_education(standings(), TODAY)
    missing = world.call("ministry", "GET", f"/outside-education/counts?date={(TODAY - timedelta(days=1)).isoformat()}")
    assert (missing.status_code, missing.json_body["code"]) == (404, "outside.not_computed")
    bad = world.call("ministry", "GET", "/outside-education/counts?date=2026-13-01")
    assert (bad.status_code, bad.json_body["code"]) == (400, "outside.date")


@pytest.mark.parametrize("who", ["resident", "rep_a"])
def test_only_the_ministry_reads_the_counts(feed: Path, world: World, who: str) -> None:
    refresh_outside_education(standings(), TODAY)
    response = world.call(who, "GET", "/outside-education/counts")
    assert (response.status_code, response.json_body["code"]) == (403, "access.ministry_only")


def test_a_past_days_pass_does_not_replace_todays_list(feed: Path, world: World) -> None:
    """Statistics for a past day computed afterwards (`python -m chalicelib.services.snapshot
    --date`) run the same job: it must not list, as outside education today, a child who enrolled
    since that day."""
    from bench.state_views import enrolment
    from chalicelib.models.records import Record
    from chalicelib.services.snapshot import run_job

    with Record.batch_write() as batch:
        batch.save(enrolment(UNKNOWN, "inst-a", 900, start=(TODAY - timedelta(days=10)).isoformat(), class_name="3a"))
    run_job(TODAY)
    assert UNKNOWN not in listed()  # enrolled: not on today's list
    run_job(TODAY - timedelta(days=30))  # a statistics day filled in afterwards
    assert UNKNOWN not in listed()
    assert UNKNOWN not in {row["person_id"] for row in page(world).json_body["children"]}
