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
