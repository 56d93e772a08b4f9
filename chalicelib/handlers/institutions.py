"""Institutions, their permits and representatives (the ministry), and records they submit."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.contract import (
    PAGING,
    PURPOSE,
    RouteDoc,
    documented,
    shaped,
)
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import json_object, purpose, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _json(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


@blueprint.route("/institutions", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Register an institution (ministry)", "InstitutionOut", 201, "InstitutionInput", errors=(409,)))
def create_institution() -> Response:
    from chalicelib.services.institutions import create_institution as create

    request = blueprint.current_request
    return _json(shaped("InstitutionOut", create(caller_facts_for(request), json_object(request))), 201)


@blueprint.route("/institutions", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Institutions: all for the ministry, one's own for a representative", "Institutions"))
def list_institutions() -> Response:
    from chalicelib.services.institutions import list_institutions as listed

    return _json(shaped("Institutions", {"institutions": listed(caller_facts_for(blueprint.current_request))}))


@blueprint.route("/institutions/{institution_id}/staff", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("An institution's representatives", "Representatives", errors=(404,)))
def list_representatives(institution_id: str) -> Response:
    from chalicelib.services.institutions import list_representatives as listed

    people = listed(caller_facts_for(blueprint.current_request), institution_id)
    return _json(shaped("Representatives", {"representatives": people}))


@blueprint.route("/institutions/{institution_id}/activity", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("When the institution last reported, and whether it is overdue", "Activity", errors=(404,)))
def institution_activity(institution_id: str) -> Response:
    from chalicelib.services.reporting import institution_activity as activity

    return _json(shaped("Activity", activity(caller_facts_for(blueprint.current_request), institution_id)))


@blueprint.route("/reporting", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Institutions' reporting activity: every one (ministry) or one municipality's (ministry, "
                     "its officials); JSON a page at a time, or every page as CSV or XLSX", "Reporting",
                     errors=(400,), response_types=("application/json", "text/csv", XLSX),
                     query=(("municipality", "a municipality's code (LT-57) or name; required of an official"),
                            ("overdue", "true or false"), ("format", "json (default), csv or xlsx: every page"),
                            ("lang", "the files' headers: lt (default) or en"), *PAGING)))
def reporting() -> Response:
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services import reporting as service
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    overdue = query(request, "overdue")
    if overdue not in (None, "true", "false"):
        raise Problem(P.request.overdue)
    wanted, language = query(request, "format") or "json", query(request, "lang") or "lt"
    if wanted not in ("json", "csv", "xlsx") or language not in ("lt", "en"):
        raise Problem(P.request.format, "format must be json, csv or xlsx, lang lt or en.")
    caller, municipality = caller_facts_for(request), query(request, "municipality")
    wanted_overdue = None if overdue is None else overdue == "true"
    if wanted == "json":
        body = service.reporting_page(caller, municipality, wanted_overdue, query(request, "cursor"),
                                      page_size(query(request, "limit")))
        return _json(shaped("Reporting", body))
    rows = service.reporting_rows(caller, municipality, wanted_overdue)
    content, content_type = (service.as_xlsx(rows, language), XLSX) if wanted == "xlsx" else (
        service.as_csv(rows, language), "text/csv; charset=utf-8")
    disposition = f'attachment; filename="{service.file_name(municipality, wanted)}"'
    return Response(body=content, headers={"Content-Type": content_type, "Content-Disposition": disposition,
                                           "Cache-Control": "no-store"})


@blueprint.route("/institutions/{institution_id}/permits", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("An institution's data-processing permits", "Permits"))
def list_permits(institution_id: str) -> Response:
    from chalicelib.services.institutions import list_permits as permits

    return _json(shaped("Permits", {"permits": permits(caller_facts_for(blueprint.current_request), institution_id)}))


@blueprint.route("/institutions/{institution_id}/permits", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Grant a permit (ministry)", "PermitOut", 201, "PermitInput", errors=(404,)))
def grant_permit(institution_id: str) -> Response:
    from chalicelib.services.institutions import grant_permit as grant

    request = blueprint.current_request
    return _json(shaped("PermitOut", grant(caller_facts_for(request), institution_id, json_object(request))), 201)


@blueprint.route("/institutions/{institution_id}/permits/{permit_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Revoke (default) or suspend a permit, effective at once (ministry)", "PermitOut",
                     errors=(400, 404), query=(("action", "revoke or suspend"),)))
def end_permit(institution_id: str, permit_id: str) -> Response:
    from chalicelib.services.institutions import end_permit as end

    request = blueprint.current_request
    ended = end(caller_facts_for(request), institution_id, permit_id, query(request, "action") or "revoke")
    return _json(shaped("PermitOut", ended))


@blueprint.route("/institutions/{institution_id}/staff/{person_id}", methods=["PUT"], authorizer=jwt_auth)
@documented(RouteDoc("Appoint a representative or administrator, or replace the role and validity (ministry; "
                     "the institution's administrator: its representatives)", "StaffOut", request="StaffInput",
                     errors=(404, 409, 422), extra_statuses={201: "Added"}))
def add_representative(institution_id: str, person_id: str) -> Response:
    from chalicelib.services.institutions import add_representative as add

    request = blueprint.current_request
    # The body is optional: none appoints a representative until removed.
    body = json_object(request) if request.raw_body else {}
    view, added = add(caller_facts_for(request), institution_id, person_id, body)
    return _json(shaped("StaffOut", view), 201 if added else 200)


@blueprint.route("/institutions/{institution_id}/staff/{person_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Remove a representative (ministry; the institution's administrator: its representatives)",
                     status=204, response_types=(), errors=(404, 422)))
def remove_representative(institution_id: str, person_id: str) -> Response:
    from chalicelib.services.institutions import remove_representative as remove

    remove(caller_facts_for(blueprint.current_request), institution_id, person_id)
    return Response(body="", status_code=204)


@blueprint.route("/institutions/{institution_id}/staff/{person_id}/suspension", methods=["DELETE"],
                 authorizer=jwt_auth)
@documented(RouteDoc("Lift a representative's suspension after too many identity mismatches (ministry)", status=204,
                     response_types=(), errors=(404,)))
def lift_suspension(institution_id: str, person_id: str) -> Response:
    from chalicelib.domain.person_id import normalise_person_id
    from chalicelib.services.suspension import lift_suspension as lift

    lift(caller_facts_for(blueprint.current_request), institution_id, normalise_person_id(person_id))
    return Response(body="", status_code=204)


@blueprint.route("/institutions/{institution_id}/records", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Submit a record; the same source_id again updates it", "RecordSaved", 201, "RECORD_INPUT",
                     errors=(404, 409), extra_statuses={200: "The same record: updated, or unchanged"}))
def submit_record(institution_id: str) -> Response:
    from chalicelib.services.records import submit_record as submit

    request = blueprint.current_request
    outcome = submit(caller_facts_for(request), institution_id, json_object(request), correlation_id(request))
    return _json(shaped("RecordSaved", {"record_id": outcome.record_id, "version": outcome.version}),
                 201 if outcome.created else 200)


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("A record with every earlier version", "RecordDetail", errors=(404,)))
def get_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import record_with_versions

    detail = record_with_versions(caller_facts_for(blueprint.current_request), institution_id, record_id)
    return _json(shaped("RecordDetail", detail))


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["PUT"], authorizer=jwt_auth)
@documented(RouteDoc("Correct a record, with the version read", "RecordSaved", request="RECORD_CORRECTION",
                     errors=(404, 409)))
def correct_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import correct_record as correct

    request = blueprint.current_request
    outcome = correct(caller_facts_for(request), institution_id, record_id, json_object(request),
                      correlation_id=correlation_id(request))
    return _json(shaped("RecordSaved", {"record_id": outcome.record_id, "version": outcome.version}))


@blueprint.route("/institutions/{institution_id}/records/{record_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Annul a record with a reason (it stays in its versions and the journal)", "RecordSaved",
                     request="AnnulmentInput", errors=(404, 409)))
def annul_record(institution_id: str, record_id: str) -> Response:
    from chalicelib.services.records import annul_record as annul

    request = blueprint.current_request
    outcome = annul(caller_facts_for(request), institution_id, record_id, json_object(request),
                    correlation_id(request))
    return _json(shaped("RecordSaved", {"record_id": outcome.record_id, "version": outcome.version,
                                      "status": "ANNULLED"}))


@blueprint.route("/institutions/{institution_id}/learners", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("The list of learners in the current register's columns (journaled per pupil)",
                     response_types=("text/csv", XLSX),
                     errors=(400, 503), query=(("format", "csv (default) or xlsx"), PURPOSE)))
def learners(institution_id: str) -> Response:
    """The list of learners, CSV (default) or XLSX (`?format=xlsx`), as the current register exports it."""
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services import roster

    request = blueprint.current_request
    wanted = query(request, "format") or "csv"
    if wanted not in ("csv", "xlsx"):
        raise Problem(P.request.format, "format must be csv or xlsx.")
    rows = roster.current_learners(caller_facts_for(request), institution_id, purpose=purpose(request),
                                   correlation_id=correlation_id(request))
    body, content_type = (roster.as_xlsx(rows), roster.XLSX_TYPE) if wanted == "xlsx" else (
        roster.as_csv(rows), "text/csv; charset=utf-8")
    # The file name names the institution, never a pupil.
    disposition = f'attachment; filename="besimokantys-{institution_id}.{wanted}"'
    return Response(body=body, headers={"Content-Type": content_type, "Content-Disposition": disposition,
                                        "Cache-Control": "no-store"})
