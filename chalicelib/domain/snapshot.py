"""What the nightly pass over enrolments knows (docs/STATE.md sections 3 and 5), as plain data.

The pass reads every institution's enrolments (one Query each of the records' sparse
`enrolments_by_institution` index, never the whole table) and turns each into an `EnrolmentFacts`.
From them it derives the statistics (section 3) and, per person, a `PersonStanding`: whether they
hold an open enrolment on the day and, if not, where and why they last left — what the list of
children outside education (section 5) shows. Pure functions: tested without AWS.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from chalicelib.domain.reporting import annual_date_in
from chalicelib.domain.statistics import grade_of, sex_of


@dataclass(frozen=True)
class EnrolmentFacts:
    """One active enrolment record as the nightly pass reads it (ISO dates)."""

    person_id: str
    institution_id: str
    start_date: str
    end_date: str | None = None
    leaving_reason: str | None = None
    programme: str | None = None
    learning_form: str | None = None
    class_name: str | None = None

    def open_on(self, day: date) -> bool:
        """Started on or before `day` and not ended before it (the end date is the last day)."""
        iso = day.isoformat()
        return self.start_date <= iso and (self.end_date is None or self.end_date >= iso)


@dataclass(frozen=True)
class PersonStanding:
    enrolled: bool  # an open enrolment on the day
    last_institution: str | None = None  # when not enrolled: the enrolment that ended last
    last_end_date: str | None = None
    last_leaving_reason: str | None = None


def person_standings(enrolments: Iterable[EnrolmentFacts], day: date) -> dict[str, PersonStanding]:
    """Per person met among `enrolments`: enrolled on `day`, or their latest ended enrolment.
    An enrolment starting after `day` neither enrols nor ends anything."""
    iso = day.isoformat()
    enrolled: set[str] = set()
    latest: dict[str, EnrolmentFacts] = {}
    for facts in enrolments:
        if facts.open_on(day):
            enrolled.add(facts.person_id)
        elif facts.end_date is not None and facts.end_date < iso:
            seen = latest.get(facts.person_id)
            if seen is None or (seen.end_date or "") < facts.end_date:
                latest[facts.person_id] = facts
    standings = {person: PersonStanding(True) for person in enrolled}
    for person, facts in latest.items():
        if person not in enrolled:
            standings[person] = PersonStanding(False, facts.institution_id, facts.end_date, facts.leaving_reason)
    return standings


class CountKey(NamedTuple):
    """What a pupil is counted by (docs/STATE.md section 3); None where the record does not say."""

    grade: int | None
    programme: str | None
    learning_form: str | None
    sex: str | None

    def stored(self) -> str:
        """`8|201001001|DAILY|F`, unknown parts empty (the statistics item's map key)."""
        return "|".join("" if part is None else str(part) for part in self)

    @classmethod
    def parse(cls, stored: str) -> CountKey:
        grade, programme, form, sex = stored.split("|")
        return cls(int(grade) if grade else None, programme or None, form or None, sex or None)


def count_key(facts: EnrolmentFacts) -> CountKey:
    return CountKey(grade_of(facts.class_name), facts.programme, facts.learning_form, sex_of(facts.person_id))


class Tally:
    """One institution's counts on a day, added to enrolment by enrolment (memory: one entry per
    distinct key, never per pupil). A pupil enrolled twice at the same institution on the day (a
    data error) is counted once."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.counts: Counter[CountKey] = Counter()
        self._counted: set[str] = set()

    def add(self, facts: EnrolmentFacts) -> None:
        if facts.open_on(self.day) and facts.person_id not in self._counted:
            self._counted.add(facts.person_id)
            self.counts[count_key(facts)] += 1

    @property
    def open_enrolments(self) -> int:
        return sum(self.counts.values())

    def stored(self) -> dict[str, int]:
        return {key.stored(): count for key, count in sorted(self.counts.items(), key=lambda kv: kv[0].stored())}


def is_reference_date(day: date, month_day: tuple[int, int]) -> bool:
    """Is `day` the year's open-data reference date (`(month, day)`; 29 February falls on the
    28th in a common year, as the annual reporting date does)?"""
    return day == annual_date_in(day.year, month_day)


def latest_reference_date(today: date, month_day: tuple[int, int]) -> date:
    """The newest reference date on or before `today`."""
    this_year = annual_date_in(today.year, month_day)
    return this_year if this_year <= today else annual_date_in(today.year - 1, month_day)
