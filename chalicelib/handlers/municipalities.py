"""Municipalities and their officials (docs/STATE.md section 2): the code list, a municipality's
landing data for its officials and the ministry, and the ministry's appointments."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.requests import json_object
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


def _json(body: object, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


@blueprint.route("/municipalities", methods=["GET"])
@documented(RouteDoc("Lithuania's 60 municipalities: ISO 3166-2:LT code and name by language", "Municipalities",
                     auth=False))
def municipalities() -> Response:
    from chalicelib.services.officials import municipalities as listed

    # The code list changes only with a deployment: caches may keep it an hour.
    return Response(body=shaped("Municipalities", {"municipalities": listed()}),
                    headers={"Cache-Control": "public, max-age=3600"})


@blueprint.route("/municipalities/{code}", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("A municipality and its institutions (its officials, the ministry)", "MunicipalityOut",
                     errors=(400,)))
def municipality(code: str) -> Response:
    from chalicelib.services.officials import municipality_view

    return _json(shaped("MunicipalityOut", municipality_view(caller_facts_for(blueprint.current_request), code)))


@blueprint.route("/municipalities/{code}/officials", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("A municipality's officials and their validity (ministry)", "Officials", errors=(400,)))
def list_officials(code: str) -> Response:
    from chalicelib.services.officials import list_officials as listed

    return _json(shaped("Officials", {"officials": listed(caller_facts_for(blueprint.current_request), code)}))


@blueprint.route("/municipalities/{code}/officials/{person_id}", methods=["PUT"], authorizer=jwt_auth)
@documented(RouteDoc("Appoint an official of the municipality, or change the validity (ministry)", "OfficialOut",
                     request="OfficialInput", errors=(400, 422), extra_statuses={201: "Appointed"}))
def appoint_official(code: str, person_id: str) -> Response:
    from chalicelib.services.officials import appoint_official as appoint

    request = blueprint.current_request
    body, created = appoint(caller_facts_for(request), code, person_id, json_object(request))
    return _json(shaped("OfficialOut", body), 201 if created else 200)


@blueprint.route("/municipalities/{code}/officials/{person_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Remove an official, effective on their next request (ministry)", status=204,
                     response_types=(), errors=(400, 404, 422)))
def remove_official(code: str, person_id: str) -> Response:
    from chalicelib.services.officials import remove_official as remove

    remove(caller_facts_for(blueprint.current_request), code, person_id)
    return Response(body="", status_code=204)
