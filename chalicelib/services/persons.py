"""Reading and recording persons."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.personal_code import parse_personal_code
from chalicelib.models.persons import Person


def find_person(person_id: str) -> Person | None:
    try:
        return Person.get(person_id)
    except Person.DoesNotExist:
        return None


def record_gateway_login(personal_code: str, given_name: str, family_name: str) -> Person:
    """Create or refresh a person from the gateway's data: the Population Register is the
    authority on names, so its spelling replaces what an institution typed."""
    code = parse_personal_code(personal_code)
    now = datetime.now(UTC)
    person = find_person(code.value)
    if person is None:
        person = Person(code.value, created_at=now)
    person.given_name = given_name
    person.family_name = family_name
    if code.birth_date:
        person.birth_date = code.birth_date.isoformat()
    person.sex = code.sex
    person.source = "VIISP"
    person.updated_at = now
    person.updated_by = code.value
    person.save()
    return person
