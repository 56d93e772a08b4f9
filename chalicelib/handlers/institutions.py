"""Institutions, their permits and representatives (the ministry), and records they submit."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import json_object, purpose, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


def _json(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


@blueprint.route("/institutions", methods=["POST"], authorizer=jwt_auth)
def create_institution() -> Response:
    from chalicelib.services.institutions import create_institution as create

    request = blueprint.current_request
    return _json(create(caller_facts_for(request), json_object(request)), 201)


@blueprint.route("/institutions/{institution_id}/permits", methods=["GET"], authorizer=jwt_auth)
def list_permits(institution_id: str) -> Response:
    from chalicelib.services.institutions import list_permits as permits

    return _json({"permits": permits(caller_facts_for(blueprint.current_request), institution_id)})


@blueprint.route("/institutions/{institution_id}/permits", methods=["POST"], authorizer=jwt_auth)
def grant_permit(institution_id: str) -> Response:
    from chalicelib.services.institutions import grant_permit as grant

    request = blueprint.current_request
    return _json(grant(caller_facts_for(request), institution_id, json_object(request)), 201)


@blueprint.route("/institutions/{institution_id}/permits/{permit_id}", methods=["DELETE"], authorizer=jwt_auth)
def end_permit(institution_id: str, permit_id: str) -> Response:
    from chalicelib.services.institutions import end_permit as end

    request = blueprint.current_request
    return _json(end(caller_facts_for(request), institution_id, permit_id, query(request, "action") or "revoke"))


@blueprint.route("/institutions/{institution_id}/staff/{person_id}", methods=["PUT"], authorizer=jwt_auth)
def add_representative(institution_id: str, person_id: str) -> Response:
    from chalicelib.services.institutions import add_representative as add

    added = add(caller_facts_for(blueprint.current_request), institution_id, person_id)
    return _json({"institution_id": institution_id, "person_id": person_id}, 201 if added else 200)


@blueprint.route("/institutions/{institution_id}/staff/{person_id}", methods=["DELETE"], authorizer=jwt_auth)
def remove_representative(institution_id: str, person_id: str) -> Response:
    from chalicelib.services.institutions import remove_representative as remove

    remove(caller_facts_for(blueprint.current_request), institution_id, person_id)
    return Response(body="", status_code=204)


@blueprint.route("/institutions/{institution_id}/records", methods=["POST"], authorizer=jwt_auth)
def submit_record(institution_id: str) -> Response:
    from chalicelib.services.records import submit_record as submit

    request = blueprint.current_request
    outcome = submit(caller_facts_for(request), institution_id, json_object(request), correlation_id(request))
    return _json({"record_id": outcome.record_id, "version": outcome.version}, 201 if outcome.created else 200)


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["GET"], authorizer=jwt_auth)
def get_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import record_with_versions

    return _json(record_with_versions(caller_facts_for(blueprint.current_request), institution_id, record_id))


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["PUT"], authorizer=jwt_auth)
def correct_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import correct_record as correct

    request = blueprint.current_request
    outcome = correct(caller_facts_for(request), institution_id, record_id, json_object(request),
                      correlation_id=correlation_id(request))
    return _json({"record_id": outcome.record_id, "version": outcome.version})


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["DELETE"], authorizer=jwt_auth)
def annul_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import annul_record as annul

    request = blueprint.current_request
    outcome = annul(caller_facts_for(request), institution_id, record_id, json_object(request),
                    correlation_id(request))
    return _json({"record_id": outcome.record_id, "version": outcome.version, "status": "ANNULLED"})


@blueprint.route("/institutions/{institution_id}/learners", methods=["GET"], authorizer=jwt_auth)
def learners(institution_id: str) -> Response:
    """The list of learners, CSV (default) or XLSX (`?format=xlsx`), as the current register exports it."""
    from chalicelib.errors import Problem
    from chalicelib.services import roster

    request = blueprint.current_request
    wanted = query(request, "format") or "csv"
    if wanted not in ("csv", "xlsx"):
        raise Problem(400, "request.format", "format must be csv or xlsx.")
    rows = roster.current_learners(caller_facts_for(request), institution_id, purpose=purpose(request),
                                   correlation_id=correlation_id(request))
    body, content_type = (roster.as_xlsx(rows), roster.XLSX_TYPE) if wanted == "xlsx" else (
        roster.as_csv(rows), "text/csv; charset=utf-8")
    # The file name names the institution, never a pupil.
    disposition = f'attachment; filename="besimokantys-{institution_id}.{wanted}"'
    return Response(body=body, headers={"Content-Type": content_type, "Content-Disposition": disposition,
                                        "Cache-Control": "no-store"})
