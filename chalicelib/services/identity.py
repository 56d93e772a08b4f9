"""Who a logged-in person is in the register: roles and institutions, from the register's own data.

Computed at every token issue (login and refresh), from the same facts every request's access
check reads (`services/access.caller_facts`), so a revoked permit or a removed representative is
gone from the next token too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from chalicelib.domain.access import login_roles
from chalicelib.services.access import caller_facts


@dataclass(frozen=True)
class LoginIdentity:
    person_id: str
    roles: list[str]
    institutions: list[str]
    municipalities: list[str]  # codes where the person is an official today
    # Every institution the person is staff of today, with the scopes its valid permits give
    # (empty: no valid permit) and the ones they administer: what `/me` names for the pages.
    staff_scopes: dict[str, list[str]] = field(default_factory=dict)
    administers: list[str] = field(default_factory=list)


def login_identity(person_id: str, today: date | None = None) -> LoginIdentity:
    facts = caller_facts(person_id, today)
    # An institution counts once a valid permit gives it any scope (read, or read and write).
    institutions = sorted(iid for iid, scopes in facts.staff_scopes.items() if scopes)
    municipalities = sorted(facts.municipalities)
    roles = login_roles(is_ministry=facts.is_ministry, represented_institutions=institutions,
                        has_minor_children=bool(facts.minor_children), municipalities=municipalities,
                        ministry_administrator=facts.ministry_administrator, auditor=facts.auditor)
    return LoginIdentity(person_id=person_id, roles=roles, institutions=institutions, municipalities=municipalities,
                         staff_scopes={iid: sorted(scopes) for iid, scopes in facts.staff_scopes.items()},
                         administers=sorted(facts.administers))
