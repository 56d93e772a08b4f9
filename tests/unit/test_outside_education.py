"""The rule of the list of children outside education (chalicelib/domain/outside_education.py):
school-age residents with no open enrolment on the day. Dates relative to the register's today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.outside_education import (
    Resident,
    age_on,
    born_between,
    outside_education,
)
from chalicelib.domain.snapshot import EnrolmentFacts, person_standings

TODAY = vilnius_today()
AGES = (7, 16)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def listed(residents: list[Resident], enrolments: list[EnrolmentFacts], day: date = TODAY) -> dict[str, object]:
    rows = outside_education(residents, person_standings(enrolments, day), day, AGES)
    return {row.person_id: row for row in rows}


def test_a_child_never_enrolled_is_listed_with_no_institution_and_no_date() -> None:
    child = Resident("c1", "LT-57", years_before(TODAY, 10))
    rows = list(outside_education([child], {}, TODAY, AGES))
    assert len(rows) == 1
    row = rows[0]
    assert (row.age, row.last_institution, row.leaving_reason, row.since) == (10, None, None, None)
    assert (row.person_id, row.municipality, row.birth_date) == ("c1", "LT-57", child.birth_date)


def test_a_child_whose_enrolment_ended_is_listed_with_where_why_and_since_when() -> None:
    ended = (TODAY - timedelta(days=40)).isoformat()
    earlier = (TODAY - timedelta(days=400)).isoformat()
    child = Resident("c1", "LT-15", years_before(TODAY, 12))
    row = listed([child], [
        EnrolmentFacts("c1", "school-old", "2019-09-01", earlier, "MOVED_LT"),
        EnrolmentFacts("c1", "school-last", earlier, ended, "MOVED_ABROAD"),
    ])["c1"]
    assert (row.last_institution, row.leaving_reason, row.since) == ("school-last", "MOVED_ABROAD", ended)  # type: ignore[attr-defined]


def test_an_enrolled_child_is_not_listed_and_an_end_today_still_counts_as_enrolled() -> None:
    residents = [Resident("open", "LT-57", years_before(TODAY, 9)), Resident("ends", "LT-57", years_before(TODAY, 9))]
    rows = listed(residents, [EnrolmentFacts("open", "s", "2020-09-01"),
                              EnrolmentFacts("ends", "s", "2020-09-01", TODAY.isoformat(), "COMPLETED")])
    assert rows == {}


def test_an_enrolment_starting_tomorrow_does_not_count_today_but_does_tomorrow() -> None:
    child = Resident("c1", "LT-57", years_before(TODAY, 7) - timedelta(days=30))
    tomorrow = TODAY + timedelta(days=1)
    enrolment = [EnrolmentFacts("c1", "s", tomorrow.isoformat())]
    row = listed([child], enrolment)["c1"]
    assert (row.last_institution, row.since) == (None, None)  # type: ignore[attr-defined]
    assert listed([child], enrolment, tomorrow) == {}


@pytest.mark.parametrize(("years", "shift", "on_list"), [
    (7, 0, True),  # seventh birthday today
    (7, 1, False),  # seventh birthday tomorrow: still 6
    (16, 0, True),
    (17, 1, True),  # seventeenth birthday tomorrow: still 16
    (17, 0, False),  # seventeenth birthday today
])
def test_the_age_range_includes_both_ends_by_birthday(years: int, shift: int, on_list: bool) -> None:
    day = date(2027, 5, 10)
    birth = years_before(day, years) + timedelta(days=shift)
    rows = listed([Resident("c1", "LT-57", birth)], [], day)
    assert ("c1" in rows) is on_list


def test_born_on_29_february_is_a_year_older_on_1_march_of_a_common_year() -> None:
    birth = date(2016, 2, 29)
    assert age_on(birth, date(2023, 2, 28)) == 6
    assert age_on(birth, date(2023, 3, 1)) == 7
    assert age_on(birth, date(2024, 2, 29)) == 8
    assert age_on(birth, date(2024, 2, 28)) == 7
    # Seventh "birthday" in a common year: off the list on the 28th, on it on 1 March.
    assert listed([Resident("c1", "LT-57", birth)], [], date(2023, 2, 28)) == {}
    assert "c1" in listed([Resident("c1", "LT-57", birth)], [], date(2023, 3, 1))


@pytest.mark.parametrize("day", [date(2027, 5, 10), date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1),
                                 date(2027, 1, 1), date(2027, 12, 31)])
def test_the_birth_window_asked_of_the_feed_holds_everyone_of_school_age(day: date) -> None:
    """Everyone the rule would list is inside the window asked of the Population Register."""
    earliest, latest = born_between(day, AGES)
    birth = date(day.year - 20, 1, 1)
    while birth <= day:
        if AGES[0] <= age_on(birth, day) <= AGES[1]:
            assert earliest <= birth <= latest, birth
        birth += timedelta(days=1)


def test_the_feed_is_consumed_lazily() -> None:
    """A generator in, a generator out: the rows come as the feed is read (millions of residents)."""
    seen: list[str] = []

    def feed() -> object:
        for number in range(3):
            seen.append(str(number))
            yield Resident(str(number), "LT-57", years_before(TODAY, 10))

    rows = outside_education(feed(), {}, TODAY, AGES)  # type: ignore[arg-type]
    assert seen == []
    assert next(rows).person_id == "0" and seen == ["0"]

