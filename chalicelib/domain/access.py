"""Facts about access that need no database: permit validity, minors, the roles a login carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from chalicelib.domain.personal_code import PersonalCodeError, parse_personal_code

RESIDENT = "resident"
GUARDIAN = "guardian"
REPRESENTATIVE = "representative"
MINISTRY = "ministry"
# An institution's administrator acting on its staff (appointing or removing representatives).
INSTITUTION_ADMINISTRATOR = "institution_administrator"
# The roles a staff entry of an institution holds: an administrator is also a representative
# (reads and writes as the permit allows) and manages the institution's representatives.
STAFF_REPRESENTATIVE, STAFF_ADMINISTRATOR = "REPRESENTATIVE", "ADMINISTRATOR"
STAFF_ROLES = frozenset({STAFF_REPRESENTATIVE, STAFF_ADMINISTRATOR})
MUNICIPALITY = "municipality"
# The ministry's roles kept in the register (docs/ACCESS.md, "Ministry roles"), independent of one
# another: an ADMINISTRATOR appoints and removes the ministry's people, an OFFICIAL acts as the
# ministry (`CallerFacts.is_ministry`), an AUDITOR (data-protection auditor) sees who stood behind
# each entry of a person's journal, for a stated case.
MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR = "ADMINISTRATOR", "OFFICIAL", "AUDITOR"
MINISTRY_ROLES = (MINISTRY_ADMINISTRATOR, MINISTRY_OFFICIAL, MINISTRY_AUDITOR)
# The roles a login shows for the first and the last (an official shows as `ministry`).
MINISTRY_ADMINISTRATOR_ROLE, AUDITOR = "ministry_administrator", "auditor"
AGE_OF_MAJORITY = 18
# Ministry appointments share the `officials` table with municipality officials, under these partitions.
MINISTRY_PREFIX = "MINISTRY#"
# Every change of a ministry appointment is kept under this partition of the same table (who acted,
# role, person, validity, when). It is not a role: `ministry_role` answers None for it.
MINISTRY_LOG_PARTITION = MINISTRY_PREFIX + "LOG"
# A removal or a validity change of a ministry ADMINISTRATOR is refused unless another administrator
# stays valid from today for at least this many days. Why: an administrator whose appointment ends
# tomorrow could otherwise remove every other one and leave the ministry with none from the day after
# (only MINISTRY_STAFF could then bootstrap one). A month gives the one who stays time to appoint a
# successor; an appointment that simply runs out is not prevented (docs/ACCESS.md).
ADMINISTRATOR_COVER_DAYS = 30


def ministry_partition(role: str) -> str:
    return MINISTRY_PREFIX + role


def ministry_role(partition: str) -> str | None:
    """The ministry role an `officials` partition holds, or None (a municipality's, or the bootstrap
    marker, which grants nothing)."""
    role = partition.removeprefix(MINISTRY_PREFIX)
    return role if partition.startswith(MINISTRY_PREFIX) and role in MINISTRY_ROLES else None


@dataclass(frozen=True)
class PermitFacts:
    state: str  # ACTIVE / SUSPENDED / REVOKED
    valid_from: str  # ISO dates, both inclusive
    valid_to: str
    scope: frozenset[str]


def in_period(valid_from: str, valid_to: str, today: date) -> bool:
    """Whether a grant's period (ISO dates, both inclusive) covers `today`."""
    return valid_from <= today.isoformat() <= valid_to


def staff_entry_valid(valid_from: str | None, valid_to: str | None, today: date) -> bool:
    """Whether an institution's staff entry counts today. Entries stored before validities existed
    (and new ones given none) have no period and hold until removed."""
    if valid_from is None or valid_to is None:
        return True
    return in_period(valid_from, valid_to, today)


def permit_is_valid(permit: PermitFacts, today: date, needed: str = "read") -> bool:
    """An ACTIVE permit whose period covers today and whose scope includes `needed`."""
    return permit.state == "ACTIVE" and in_period(permit.valid_from, permit.valid_to, today) and needed in permit.scope


class EnrolmentStanding(NamedTuple):
    """What a pupil's enrolments give their institutions now: `reading` — institutions whose
    enrolment is open or ended within the window (they read the pupil as a school attended);
    `former` — institutions whose every enrolment ended before it (they read only what they wrote)."""

    reading: frozenset[str]
    former: frozenset[str]


def enrolment_standing(
    enrolments: Iterable[tuple[str, str | None]], today: date, months: int
) -> EnrolmentStanding:
    """`enrolments`: (institution, end date or None) of every enrolment in force (not annulled)."""
    reading, former = set(), set()
    for institution, end_date in enrolments:
        if end_date is None or today <= add_months(date.fromisoformat(end_date), months):
            reading.add(institution)
        else:
            former.add(institution)
    return EnrolmentStanding(frozenset(reading), frozenset(former - reading))


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day where it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")


def is_minor(birth_date: date | None, today: date) -> bool:
    """Under 18 on `today`. Guardianship ends on the 18th birthday; an unknown date is not a minor."""
    if birth_date is None:
        return False
    try:
        adult_on = birth_date.replace(year=birth_date.year + AGE_OF_MAJORITY)
    except ValueError:  # born on 29 February: of age on 1 March of a common year
        adult_on = date(birth_date.year + AGE_OF_MAJORITY, 3, 1)
    return today < adult_on


def minor_by_code(person_id: str, today: date) -> bool:
    """Whether a personal code says its person is under 18 on `today`, by the birth date it holds;
    a code giving the year only counts from that year's last day, so no minor passes. A
    register-issued id says nothing here: False. Pure, from the code alone: refusing on it tells
    nothing about the register."""
    try:
        parsed = parse_personal_code(person_id)
    except PersonalCodeError:
        return False
    born = parsed.birth_date or (date(parsed.birth_year, 12, 31) if parsed.birth_year else None)
    return is_minor(born, today)


def login_roles(
    *, is_ministry: bool, represented_institutions: Iterable[str], has_minor_children: bool,
    municipalities: Iterable[str] = (), ministry_administrator: bool = False, auditor: bool = False,
) -> list[str]:
    """The roles a login shows (the pages' links, a token's `roles`). They describe, they never
    grant: every request decides access from the register's current data (services/access.py)."""
    roles = [RESIDENT]
    if has_minor_children:
        roles.append(GUARDIAN)
    if list(represented_institutions):
        roles.append(REPRESENTATIVE)
    if list(municipalities):
        roles.append(MUNICIPALITY)
    if is_ministry:
        roles.append(MINISTRY)
    if ministry_administrator:
        roles.append(MINISTRY_ADMINISTRATOR_ROLE)
    if auditor:
        roles.append(AUDITOR)
    return roles
