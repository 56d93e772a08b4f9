"""Reading a person's learning history, as a given caller, for a given purpose.

Policy check on facts read now; a journal entry for anyone but the person, written before the
data is read (if it cannot be written, nothing is returned); then one Query per page.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain import policy
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import institution_profile
from chalicelib.models.persons import Person
from chalicelib.models.records import ACTIVE, Record
from chalicelib.services.access import person_enrollments, require
from chalicelib.services.journal import Actor, journal_read
from chalicelib.services.paging import next_cursor, start_key
from chalicelib.services.records import record_fields


def read_history(
    caller: CallerFacts, person_id: str, *, purpose: str | None, institution: str | None = None,
    cursor: str | None = None, limit: int = 50, correlation_id: str | None = None,
) -> dict[str, Any]:
    needs_enrollments = person_id != caller.person_id and person_id not in caller.minor_children \
        and bool(caller.institutions_with(policy.READ))
    enrolled = person_enrollments(person_id) if needs_enrollments else frozenset()
    decision = require(policy.read_person(caller, person_id, enrolled, purpose, institution))
    try:
        person = Person.get(person_id)
    except Person.DoesNotExist:
        raise Problem(404, "person.not_found", "No such person.") from None
    if decision.acting_role != "self":
        name = None
        if decision.acting_institution:
            profile = institution_profile(decision.acting_institution)
            name = profile.name if profile else None
        try:
            journal_read(person_id, Actor(caller.person_id, decision.acting_role, decision.acting_institution, name),
                         purpose, correlation_id)
        except PynamoDBException:
            # Fail closed: a read that cannot be journaled does not happen.
            raise Problem(503, "journal.unavailable", "The register cannot record this access now; try later.") \
                from None
    scope = f"history:{caller.person_id}:{person_id}"
    page = Record.query(person_id, filter_condition=Record.status == ACTIVE, limit=limit,
                        last_evaluated_key=start_key(cursor, scope))
    records = [record_view(record) for record in page]
    return {
        "person": {"person_id": person.person_id, "given_name": person.given_name,
                   "family_name": person.family_name, "birth_date": person.birth_date},
        "records": records,
        "next_cursor": next_cursor(page.last_evaluated_key, scope),
    }


def record_view(record: Record) -> dict[str, Any]:
    return {"record_id": record.record_id, "institution_id": record.institution_id,
            "institution_name": record.institution_name, "version": int(record.version),
            **record_fields(record)}
