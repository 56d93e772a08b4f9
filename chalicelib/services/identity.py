"""Who a logged-in person is in the register: roles and institutions, from the register's own data.

Computed at every token issue (login and refresh), so a revoked permit or a removed representative
is gone from the next token; handlers re-check permits per request on top of that (issue 4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.config import settings
from chalicelib.domain.access import PermitFacts, is_minor, login_roles, permit_is_valid
from chalicelib.models.institutions import Permit, institutions_staffed_by, permits_of
from chalicelib.services.population import population_register


@dataclass(frozen=True)
class LoginIdentity:
    person_id: str
    roles: list[str]
    institutions: list[str]


def permit_facts(permit: Permit) -> PermitFacts:
    return PermitFacts(state=permit.state, valid_from=permit.valid_from, valid_to=permit.valid_to,
                       scope=frozenset(permit.scope or ()))


def represented_institutions(person_id: str, today: date) -> list[str]:
    """Institutions where the person is staff and which hold a valid permit today."""
    return [
        iid for iid in institutions_staffed_by(person_id)
        if any(permit_is_valid(permit_facts(p), today) for p in permits_of(iid))
    ]


def login_identity(person_id: str, today: date | None = None) -> LoginIdentity:
    today = today or date.today()
    institutions = represented_institutions(person_id, today)
    children = population_register().children_of(person_id)
    roles = login_roles(
        is_ministry=person_id in settings().ministry_staff,
        represented_institutions=institutions,
        has_minor_children=any(is_minor(child.birth_date, today) for child in children),
    )
    return LoginIdentity(person_id=person_id, roles=roles, institutions=institutions)
