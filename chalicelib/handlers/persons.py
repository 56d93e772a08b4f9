"""Other people's data: `GET /persons/{person_id}/history` (guardians, representatives, ministry)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, PURPOSE, RouteDoc, documented, shaped
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import json_object, purpose, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.route("/persons/{person_id}/history", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("A person's history, for their guardian, an institution they attend(ed), or the ministry "
                     "(journaled)", "History", errors=(400, 404, 503),
                     query=(*PAGING, PURPOSE, ("institution_id", "the institution a representative acts for")),
                     headers=(("X-Purpose", "why the data is read"),)))
def person_history(person_id: str) -> Response:
    from chalicelib.services.history import read_history
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    body = read_history(
        caller_facts_for(request), person_id, purpose=purpose(request),
        institution=query(request, "institution_id"), cursor=query(request, "cursor"),
        limit=page_size(query(request, "limit")), correlation_id=correlation_id(request),
    )
    return Response(body=shaped("History", body), headers={"Cache-Control": "no-store"})


@blueprint.route("/persons/{person_id}", methods=["PUT"], authorizer=jwt_auth)
@documented(RouteDoc("Create or correct a person", "PersonSaved", request="PersonInput", errors=(404, 409),
                     extra_statuses={201: "Created"}))
def put_person(person_id: str) -> Response:
    from chalicelib.domain.person_id import normalise_person_id
    from chalicelib.services.persons import put_person as put

    request = blueprint.current_request
    version, created = put(caller_facts_for(request), person_id, json_object(request), correlation_id(request))
    return Response(body=shaped("PersonSaved", {"person_id": normalise_person_id(person_id), "version": version}),
                    status_code=201 if created else 200,
                    headers={"Cache-Control": "no-store"})
