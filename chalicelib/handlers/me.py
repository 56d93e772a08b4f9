"""`GET /me`: who is logged in."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.requests import query
from chalicelib.handlers.security import caller, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.route("/me", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Who is logged in", "Me"))
def me() -> dict[str, Any]:
    from chalicelib.domain.municipalities import municipality_name
    from chalicelib.services.identity import login_identity
    from chalicelib.services.institutions import acted_for
    from chalicelib.services.persons import find_person, minor_children

    who = caller(blueprint.current_request)
    # Roles as the register stands now, not as the token said at issue: the page shows what the
    # caller may do, and a removed representative must not see their school's pages any longer.
    now = login_identity(who.person_id)
    person = find_person(who.person_id)
    return shaped("Me", {
        "person_id": who.person_id,
        "given_name": person.given_name if person else None,
        "family_name": person.family_name if person else None,
        "roles": sorted(now.roles),
        "institutions": sorted(now.institutions),
        "acts_for": acted_for(now.staff_scopes, now.administers),
        "children": minor_children(who.person_id) if "guardian" in now.roles else [],
        "municipalities": [{"code": code, "name": municipality_name(code)} for code in now.municipalities],
    })


@blueprint.route("/me/journal", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Who looked at my data and what changed, newest first", "Journal", errors=(400,), query=PAGING))
def my_journal() -> Response:
    """Who looked at my data and what changed, newest first."""
    from chalicelib.services.journal import journal_page
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    events, cursor = journal_page(caller(request).person_id, query(request, "cursor"),
                                  page_size(query(request, "limit")))
    body = shaped("Journal", {"events": events, "next_cursor": cursor})
    return Response(body=body, headers={"Cache-Control": "no-store"})


@blueprint.route("/me/history", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("My learning history, grouped for reading, one page at a time", "History", errors=(400,),
                     query=PAGING))
def my_history() -> Response:
    """My learning history: one DynamoDB Query per page."""
    from chalicelib.services.history import my_history as history
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    body = history(caller(request).person_id, cursor=query(request, "cursor"), limit=page_size(query(request, "limit")))
    return Response(body=shaped("History", body), headers={"Cache-Control": "no-store"})
