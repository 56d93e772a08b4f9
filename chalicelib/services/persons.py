"""Reading and recording persons. Every write goes through `save_person`, which keeps the person's
summary at the head of their records partition in step (models/records.py) in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import observability
from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.errors import DomainValidationError, FieldError
from chalicelib.domain.person_id import normalise_person_id, person_id_error
from chalicelib.domain.personal_code import parse_personal_code
from chalicelib.domain.persons import PersonInput, birth_date_conflict
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.text import fold
from chalicelib.domain.validation import validate_model
from chalicelib.errors import Problem, invalid
from chalicelib.models.base import transaction
from chalicelib.models.institutions import institution_profile
from chalicelib.models.persons import Person
from chalicelib.models.records import PERSON_SUMMARY_KEY, PersonSummary
from chalicelib.services.access import person_enrollments, require
from chalicelib.services.journal import CREATE, UPDATE, Actor, new_event

GATEWAY_SOURCE = "VIISP"


def find_person(person_id: str, consistent: bool = False) -> Person | None:
    try:
        return Person.get(person_id, consistent_read=consistent)
    except Person.DoesNotExist:
        return None


def display_names(person_ids: set[str]) -> dict[str, str]:
    """"Given Family" of each person in the register (one BatchGet); absent ones are left out. For
    the ministry's lists of the people it appointed (representatives, officials)."""
    return {p.person_id: f"{p.given_name} {p.family_name}" for p in Person.batch_get(person_ids)}


def summary_of(person: Person) -> PersonSummary:
    return PersonSummary(person.person_id, PERSON_SUMMARY_KEY, given_name=person.given_name,
                         family_name=person.family_name, birth_date=person.birth_date,
                         disputed_institutions=person.disputed_institutions or None)


def add_person_writes(tx: TransactWrite, person: Person, *, new: bool) -> None:
    """The person and their summary, into a transaction (optimistic: a stale version fails it)."""
    if new:
        tx.save(person, condition=Person.person_id.does_not_exist())
    else:
        tx.save(person)  # VersionAttribute: conditional on the version read
    tx.save(summary_of(person))


def record_gateway_login(personal_code: str, given_name: str, family_name: str) -> Person:
    """Create or refresh a person from the gateway's data: the Population Register is the
    authority on names, so its spelling replaces what an institution typed."""
    code = parse_personal_code(personal_code)
    now = datetime.now(UTC)
    person = find_person(code.value)
    new = person is None
    if person is None:
        person = Person(code.value, created_at=now)
    elif (person.given_name, person.family_name, person.source) == (given_name, family_name, GATEWAY_SOURCE):
        return person  # nothing new: no write at every login
    typed_by = person.created_institution if person.source != GATEWAY_SOURCE else None
    if typed_by and not _same_names((person.given_name, person.family_name), (given_name, family_name)):
        # The institution that put this person in the register named them otherwise than the
        # Population Register: its enrolment was not made on this person's identity, and stops
        # granting reads until it names them as the register does (docs/ACCESS.md).
        person.disputed_institutions = set(person.disputed_institutions or ()) | {typed_by}
        observability.metric("IdentityDisputes")
        observability.log("identity_disputed", "WARNING", institution_id=typed_by)
    person.given_name, person.family_name = given_name, family_name
    if code.birth_date:
        person.birth_date = code.birth_date.isoformat()
    person.sex, person.source, person.updated_at, person.updated_by = code.sex, GATEWAY_SOURCE, now, code.value
    with transaction(Person) as tx:
        add_person_writes(tx, person, new=new)
    return person


def _same_names(typed: tuple[str, str], registered: tuple[str, str]) -> bool:
    return all(fold(a) == fold(b) for a, b in zip(typed, registered, strict=True))


def put_person(
    caller: CallerFacts, person_id: str, body: dict[str, Any], correlation_id: str | None
) -> tuple[int, bool]:
    """`PUT /persons/{person_id}`: create or correct. Returns (version, created)."""
    person_id = normalise_person_id(person_id)
    reason = person_id_error(person_id)
    if reason:
        raise invalid([FieldError("person_id", reason)], "The person id is not valid.")
    try:
        data = validate_model(PersonInput, body)
    except DomainValidationError as exc:
        raise invalid(exc.errors) from None
    if birth_date_conflict(person_id, data.birth_date):
        raise invalid([FieldError("birth_date", "mismatch")], "The birth date contradicts the personal code.")
    person = find_person(person_id, consistent=True)
    enrolled = person_enrollments(person_id) if person is not None and not caller.is_ministry else frozenset()
    decision = require(policy.manage_person(
        caller, exists=person is not None, enrolled_at=enrolled,
        names_from_population_register=person is not None and person.source == GATEWAY_SOURCE,
        created_by_institution=person.created_institution if person is not None else None,
    ))
    if person is not None and data.version is not None and data.version != person.version:
        raise Problem(P.person.conflict, f"The person was changed meanwhile (version {person.version}).")
    now = datetime.now(UTC)
    before = _visible(person) if person else None
    new = person is None
    if person is None:
        person = Person(person_id, created_at=now, source="MINISTRY" if caller.is_ministry else "INSTITUTION",
                        created_institution=decision.acting_institution)
    person.given_name, person.family_name = data.given_name, data.family_name
    if data.birth_date:
        person.birth_date = data.birth_date.isoformat()
    person.updated_at, person.updated_by = now, caller.person_id
    name = None
    if decision.acting_institution:
        profile = institution_profile(decision.acting_institution)
        name = profile.name if profile else None
    actor = Actor(caller.person_id, decision.acting_role, decision.acting_institution, name)
    try:
        with transaction(Person) as tx:
            add_person_writes(tx, person, new=new)
            tx.save(new_event(person_id, CREATE if new else UPDATE, actor, before=before, after=_visible(person),
                              correlation_id=correlation_id))
    except TransactWriteError:
        raise Problem(P.person.conflict, "The person was changed at the same time; read again.") from None
    return int(person.version or 1), new


def _visible(person: Person) -> dict[str, Any]:
    return {"given_name": person.given_name, "family_name": person.family_name, "birth_date": person.birth_date}


def minor_children(person_id: str) -> list[dict[str, str | None]]:
    """The person's children under 18 (the Population Register source), with names where known:
    what a guardian may switch to."""
    from chalicelib.domain.access import is_minor
    from chalicelib.domain.dates import vilnius_today
    from chalicelib.services.population import population_register

    today = vilnius_today()
    codes = [c.person_id for c in population_register().children_of(person_id) if is_minor(c.birth_date, today)]
    known = {p.person_id: p for p in Person.batch_get(codes)} if codes else {}
    return [{"person_id": code, "given_name": known[code].given_name if code in known else None,
             "family_name": known[code].family_name if code in known else None} for code in codes]
