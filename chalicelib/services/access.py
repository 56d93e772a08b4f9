"""Facts for access decisions, read from the register's current data on every request.

The token says who the caller is; whether they may act for an institution, a child or a
municipality is re-read here, so a revoked permit, a removed representative or a removed official
stops them on the next request, whatever their token says.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.domain import problems as P
from chalicelib.domain.access import (
    MINISTRY_ADMINISTRATOR,
    MINISTRY_AUDITOR,
    MINISTRY_OFFICIAL,
    STAFF_ADMINISTRATOR,
    EnrolmentStanding,
    PermitFacts,
    enrolment_standing,
    in_period,
    is_minor,
    ministry_role,
    permit_is_valid,
    staff_entry_valid,
)
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.municipalities import is_municipality
from chalicelib.domain.policy import WRITE, CallerFacts, Decision
from chalicelib.errors import Problem
from chalicelib.models.institutions import Permit, appointments_of, permits_of
from chalicelib.models.officials import appointments_of as official_appointments
from chalicelib.models.officials import bootstrap_administrator
from chalicelib.models.records import enrolments_of
from chalicelib.services.population import population_register


def permit_facts(permit: Permit) -> PermitFacts:
    return PermitFacts(state=permit.state, valid_from=permit.valid_from, valid_to=permit.valid_to,
                       scope=frozenset(permit.scope or ()))


def caller_facts(person_id: str, today: date | None = None, *, officials: bool = True) -> CallerFacts:
    """`officials`: also read where the person is a municipality official today and which ministry
    roles they hold (one Query of the `officials` table's `by_person` index, both at once). The
    ingest, which only checks a representative's write, leaves it out: its function may not read
    that table at all."""
    today = today or vilnius_today()
    scopes: dict[str, frozenset[str]] = {}
    suspended, administers = set(), set()
    for appointment in appointments_of(person_id):
        if not staff_entry_valid(appointment.valid_from, appointment.valid_to, today):
            continue  # not yet valid, or expired: it grants nothing
        iid = appointment.institution_id
        if appointment.role == STAFF_ADMINISTRATOR:
            administers.add(iid)
        scopes[iid] = frozenset(
            scope for permit in permits_of(iid) for scope in (permit.scope or ())
            if permit_is_valid(permit_facts(permit), today, scope)
        )
        if appointment.suspended_at is not None:
            suspended.add(iid)
            scopes[iid] -= {WRITE}
    every_child = population_register().children_of(person_id)
    children = frozenset(child.person_id for child in every_child if is_minor(child.birth_date, today))
    municipalities, ministry = appointed(person_id, today) if officials else (frozenset(), frozenset())
    return CallerFacts(person_id=person_id, is_ministry=MINISTRY_OFFICIAL in ministry,
                       ministry_administrator=MINISTRY_ADMINISTRATOR in ministry,
                       auditor=MINISTRY_AUDITOR in ministry,
                       staff_scopes=scopes, minor_children=children, suspended=frozenset(suspended),
                       children=frozenset(child.person_id for child in every_child),
                       administers=frozenset(administers), municipalities=municipalities)


# How long an administrator made from `MINISTRY_STAFF` holds: long enough to appoint the ministry's
# people, short enough that the bootstrap identity does not outlive them unnoticed.
BOOTSTRAP_DAYS = 365


def appointed(person_id: str, today: date) -> tuple[frozenset[str], frozenset[str]]:
    """The municipalities where the person is an official today (docs/STATE.md section 2) and the
    ministry roles they hold today (docs/ACCESS.md, "Ministry roles"), from one Query."""
    municipalities, ministry = set(), set()
    for appointment in official_appointments(person_id):
        if not in_period(appointment.valid_from, appointment.valid_to, today):
            continue
        role = ministry_role(appointment.municipality)
        if role is not None:
            ministry.add(role)
        elif is_municipality(appointment.municipality):  # never a `MINISTRY#` partition
            municipalities.add(appointment.municipality)
    if MINISTRY_ADMINISTRATOR not in ministry and person_id in settings().ministry_staff \
            and bootstrap_administrator(person_id, today, today + timedelta(days=BOOTSTRAP_DAYS), datetime.now(UTC)):
        # The log says that it happened, never who: the item itself keeps the person.
        observability.log("ministry_administrator_bootstrapped", valid_from=today.isoformat(),
                          valid_to=(today + timedelta(days=BOOTSTRAP_DAYS)).isoformat())
        ministry.add(MINISTRY_ADMINISTRATOR)
    return frozenset(municipalities), frozenset(ministry)


def standing_of(person_id: str, today: date | None = None) -> EnrolmentStanding:
    """Which institutions read the person as a school attended now, and which only as former ones."""
    return enrolment_standing(enrolments_of(person_id), today or vilnius_today(),
                              settings().former_school_access_months)


def person_enrollments(person_id: str) -> frozenset[str]:
    """Institutions the person attends or left within the window (`FORMER_SCHOOL_ACCESS_MONTHS`)."""
    return standing_of(person_id).reading


def schools_of(person_id: str) -> frozenset[str]:
    """Every institution the person has an enrolment at (not annulled, not disputed), however long
    ago it ended: the identity rule's "their pupil" — a school corrects what it wrote of a former
    pupil by the code alone, as it always could; the window limits reading, not that."""
    return frozenset(institution for institution, _ in enrolments_of(person_id))


def require(decision: Decision) -> Decision:
    """Raise the refusal as a problem, or hand the decision back for the journal."""
    if not decision.allowed:
        raise refusal(decision)
    return decision


def refusal(decision: Decision) -> Problem:
    """A refusing decision as the problem the caller gets (its code's status and messages)."""
    return Problem(decision.code or P.access.denied)
