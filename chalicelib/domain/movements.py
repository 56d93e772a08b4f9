"""Pupils moving school (docs/STATE.md section 4): which enrolments make a movement item, and what
closes one. Pure: the write path (`services/records.py`) reads the facts and writes the items.

A movement item stands for two enrolments of one person open at two institutions at once: the
*old* one (institution A, which should end it) and the *new* one (institution B). It is keyed by
the pair of records, so writing the same enrolment again, or a retried write, makes it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Enrolment:
    """An enrolment record as the movement rules need it."""

    institution_id: str
    record_id: str
    start_date: str  # ISO
    end_date: str | None = None
    leaving_reason: str | None = None
    institution_name: str | None = None
    version: int = 0  # the record's version as read (the new enrolment's write is conditional on it)


def is_open(end_date: str | None, today: date) -> bool:
    """An enrolment is open with no end date or with an end in the future (a future end is how a
    school could keep a former pupil's enrolment alive: it counts as open)."""
    return end_date is None or end_date > today.isoformat()


def pairs(written: Enrolment, others: list[Enrolment], today: date) -> list[tuple[Enrolment, Enrolment]]:
    """The (old, new) movement pairs an open enrolment makes with the person's other open ones
    at other institutions. The old one is the one that started first (ties: the other school's,
    as the written one is the newcomer): a new enrolment at B makes A's the old one, and a school
    that re-opens its own long-ended enrolment while the pupil attends B is the one asked to close.
    None when the old one already ends as `closes` asks (a move recorded in order by both)."""
    if not is_open(written.end_date, today):
        return []
    found = []
    for other in others:
        if other.institution_id == written.institution_id or not is_open(other.end_date, today):
            continue
        old, new = (written, other) if written.start_date < other.start_date else (other, written)
        if not closes(old, new.start_date, today):  # an orderly move written ahead is no item
            found.append((old, new))
    return found


def closes(old: Enrolment, arrived_on: str, today: date) -> bool:
    """Whether the old enrolment, as written, closes its movement items: it has an end date and a
    coded leaving reason (a date alone does not: the issue asks for both), and the end is not
    later than today or the day the pupil started at the new school — a school recording on
    25 August that a pupil leaves on 31 August for a school starting on 1 September closes it; an
    end moved years ahead does not."""
    if old.end_date is None or not old.leaving_reason:
        return False
    return old.end_date <= max(today.isoformat(), arrived_on)


def overdue_since(today: date, overdue_days: int) -> str:
    """Items opened on or before this date are overdue (`MOVEMENT_OVERDUE_DAYS`)."""
    return date.fromordinal(today.toordinal() - overdue_days).isoformat()
