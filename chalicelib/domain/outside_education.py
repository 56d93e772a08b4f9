"""Which school-age residents are not in education on a day (docs/STATE.md section 5), as plain data.

The Population Register says who lives where and when they were born (`services/population.py`);
the nightly pass over enrolments says, per person, whether they hold an open enrolment on the day
and, if not, where and why they last left (`domain/snapshot.PersonStanding`). A resident whose age
on the day is within the compulsory ages and who holds no open enrolment is on the list. Pure:
tested without AWS.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.snapshot import PersonStanding


@dataclass(frozen=True)
class Resident:
    """One line of the Population Register's residents feed."""

    person_id: str
    municipality: str  # the declared place of residence, as its ISO 3166-2:LT code (LT-57)
    birth_date: date


@dataclass(frozen=True)
class OutsideChild:
    """A row of the list: a school-age resident with no open enrolment on the day."""

    person_id: str
    municipality: str
    birth_date: date
    age: int
    last_institution: str | None  # None: never enrolled (as far as the register knows)
    leaving_reason: str | None
    since: str | None  # the last enrolment's end date (ISO); None if never enrolled


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day`. Born on 29 February: a year older on 1 March of a common year (as
    `domain/access.is_minor` counts coming of age)."""
    years = day.year - birth_date.year
    birthday = (birth_date.month, birth_date.day)
    if birthday == (2, 29) and not _leap(day.year):
        birthday = (3, 1)
    return years - 1 if (day.month, day.day) < birthday else years


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def born_between(day: date, ages: tuple[int, int]) -> tuple[date, date]:
    """The birth dates (earliest, latest, both included) of everyone whose age on `day` is within
    `ages`: what to ask the Population Register for, so the feed is the school-age cohort and not
    the whole population. Checked again per resident by `age_on`."""
    youngest, oldest = ages
    # Born on or before `day` minus `youngest` years, and after `day` minus `oldest + 1` years;
    # the window is a day wider at the old end (and 29 February maps to the 28th): `age_on` decides.
    return _years_before(day, oldest + 1), _years_before(day, youngest)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year
        return date(day.year - years, 2, 28)


def outside_education(
    residents: Iterable[Resident], standings: Mapping[str, PersonStanding], day: date, ages: tuple[int, int],
) -> Iterator[OutsideChild]:
    """The rows of the list, one per school-age resident with no open enrolment on `day`, in the
    feed's order. A generator: the feed is streamed (millions of residents), never held."""
    youngest, oldest = ages
    for resident in residents:
        age = age_on(resident.birth_date, day)
        if not youngest <= age <= oldest:
            continue
        standing = standings.get(resident.person_id)
        if standing is not None and standing.enrolled:
            continue
        yield OutsideChild(
            person_id=resident.person_id, municipality=resident.municipality, birth_date=resident.birth_date,
            age=age, last_institution=standing.last_institution if standing else None,
            leaving_reason=standing.last_leaving_reason if standing else None,
            since=standing.last_end_date if standing else None,
        )

