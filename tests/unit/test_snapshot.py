"""The nightly pass's per-person standing: enrolled on the day, or where they last left."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.snapshot import EnrolmentFacts, PersonStanding, person_standings

DAY = date(2026, 9, 15)


def test_open_ended_future_and_latest_ended_enrolments() -> None:
    standings = person_standings([
        EnrolmentFacts("a", "s1", "2020-09-01"),  # open
        EnrolmentFacts("b", "s1", "2019-09-01", "2024-06-30", "MOVED_LT"),
        EnrolmentFacts("b", "s2", "2024-09-01", "2026-01-31", "MOVED_ABROAD"),  # b's latest
        EnrolmentFacts("c", "s1", "2019-09-01", "2026-09-15"),  # ends on the day: still enrolled
        EnrolmentFacts("d", "s1", "2026-10-01"),  # starts later: nothing yet
        EnrolmentFacts("e", "s1", "2018-09-01", "2025-06-30", "COMPLETED"),
        EnrolmentFacts("e", "s2", "2025-09-01"),  # left one, attends another
    ], DAY)
    assert standings == {
        "a": PersonStanding(True), "c": PersonStanding(True), "e": PersonStanding(True),
        "b": PersonStanding(False, "s2", "2026-01-31", "MOVED_ABROAD"),
    }


def test_an_institution_is_counted_by_grade_programme_form_and_sex_on_the_day() -> None:
    from chalicelib.domain.snapshot import CountKey, Tally

    tally = Tally(DAY)
    for facts in [
        EnrolmentFacts("38703181745", "s1", "2025-09-01", class_name="8b", programme="P", learning_form="DAILY"),
        EnrolmentFacts("48703180000", "s1", "2025-09-01", class_name="8a", programme="P", learning_form="DAILY"),
        EnrolmentFacts("48703180011", "s1", "2025-09-01", class_name="IIa", programme="Q"),
        EnrolmentFacts("48703180011", "s1", "2025-09-01", class_name="IIa", programme="Q"),  # twice: once
        EnrolmentFacts("MR-00000001", "s1", "2025-09-01", programme="P"),  # no class, no sex known
        EnrolmentFacts("38703181746", "s1", "2024-09-01", "2026-09-14", class_name="8b"),  # ended the day before
        EnrolmentFacts("38703181747", "s1", "2026-09-16", class_name="8b"),  # starts the day after
    ]:
        tally.add(facts)
    assert tally.counts == {CountKey(8, "P", "DAILY", "M"): 1, CountKey(8, "P", "DAILY", "F"): 1,
                            CountKey(10, "Q", None, "F"): 1, CountKey(None, "P", None, None): 1}
    assert tally.open_enrolments == 4
    assert tally.stored() == {"10|Q||F": 1, "8|P|DAILY|F": 1, "8|P|DAILY|M": 1, "|P||": 1}
    assert all(CountKey.parse(stored) in tally.counts for stored in tally.stored())


def test_the_open_data_reference_date_of_a_year() -> None:
    from chalicelib.domain.snapshot import is_reference_date, latest_reference_date

    september = (9, 1)
    assert latest_reference_date(date(2026, 12, 2), september) == date(2026, 9, 1)
    assert latest_reference_date(date(2026, 8, 31), september) == date(2025, 9, 1)
    assert latest_reference_date(date(2026, 9, 1), september) == date(2026, 9, 1)
    assert is_reference_date(date(2026, 9, 1), september) and not is_reference_date(date(2026, 9, 2), september)
    # 29 February, allowed as the annual reporting date is: the 28th in a common year.
    assert latest_reference_date(date(2027, 3, 1), (2, 29)) == date(2027, 2, 28)
    assert is_reference_date(date(2028, 2, 29), (2, 29)) and not is_reference_date(date(2028, 2, 28), (2, 29))
