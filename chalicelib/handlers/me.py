"""`GET /me`: who is logged in."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.handlers.security import caller, jwt_auth
from chalicelib.services.persons import find_person

blueprint = Blueprint(__name__)


@blueprint.route("/me", methods=["GET"], authorizer=jwt_auth)
def me() -> dict[str, Any]:
    who = caller(blueprint.current_request)
    person = find_person(who.person_id)
    return {
        "person_id": who.person_id,
        "given_name": person.given_name if person else None,
        "family_name": person.family_name if person else None,
        "roles": sorted(who.roles),
        "institutions": sorted(who.institutions),
    }
