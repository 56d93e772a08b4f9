"""The movement rules (domain/movements.py), without AWS."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.movements import Enrolment, closes, is_open, overdue_since, pairs

TODAY = date(2026, 3, 10)
A = Enrolment("inst-a", "RA", "2020-09-01")
B = Enrolment("inst-b", "RB", "2026-02-01")


def test_an_end_in_the_future_is_open() -> None:
    assert is_open(None, TODAY) and is_open("2026-03-11", TODAY)
    assert not is_open("2026-03-10", TODAY) and not is_open("2020-01-01", TODAY)


def test_the_earlier_enrolment_is_the_old_one_whichever_is_written() -> None:
    assert pairs(B, [A], TODAY) == [(A, B)]
    assert pairs(A, [B], TODAY) == [(A, B)]  # a re-opened old enrolment is still the one to close


def test_no_pair_with_an_ended_enrolment_the_same_school_or_an_ended_write() -> None:
    assert pairs(B, [Enrolment("inst-a", "RA", "2020-09-01", "2026-01-31")], TODAY) == []
    assert pairs(B, [Enrolment("inst-b", "RB0", "2020-09-01")], TODAY) == []
    assert pairs(Enrolment("inst-b", "RB", "2026-02-01", "2026-03-01"), [A], TODAY) == []


def test_an_orderly_move_written_ahead_makes_no_pair() -> None:
    ahead = Enrolment("inst-a", "RA", "2020-09-01", "2026-08-31", "MOVED_LT")
    assert pairs(Enrolment("inst-b", "RB", "2026-09-01"), [ahead], TODAY) == []
    no_reason = Enrolment("inst-a", "RA", "2020-09-01", "2026-08-31")
    assert len(pairs(Enrolment("inst-b", "RB", "2026-09-01"), [no_reason], TODAY)) == 1


def test_closing_needs_a_date_and_a_reason_not_far_ahead() -> None:
    assert not closes(Enrolment("inst-a", "RA", "2020-09-01", "2026-03-01"), "2026-02-01", TODAY)
    assert closes(Enrolment("inst-a", "RA", "2020-09-01", "2026-03-01", "MOVED_LT"), "2026-02-01", TODAY)
    assert closes(Enrolment("inst-a", "RA", "2020-09-01", "2026-08-31", "MOVED_LT"), "2026-09-01", TODAY)
    assert not closes(Enrolment("inst-a", "RA", "2020-09-01", "2030-06-30", "OTHER"), "2026-02-01", TODAY)


def test_overdue_since_counts_back_the_days() -> None:
    assert overdue_since(TODAY, 30) == "2026-02-08"
    assert overdue_since(TODAY, 0) == TODAY.isoformat()
