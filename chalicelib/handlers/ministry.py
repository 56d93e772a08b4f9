"""The ministry's own people (docs/ACCESS.md, "Ministry roles"): its administrators appoint and remove
administrators, officials and data-protection auditors; an auditor looks up who stood behind a
person's journal entries, for a stated case."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import json_object, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


def _json(body: object, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


@blueprint.route("/ministry/staff", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("The ministry's administrators, officials and auditors with their validity (ministry "
                     "administrator)", "MinistryStaff"))
def list_staff() -> Response:
    from chalicelib.services.ministry import list_ministry_staff

    return _json(shaped("MinistryStaff", {"staff": list_ministry_staff(caller_facts_for(blueprint.current_request))}))


@blueprint.route("/ministry/staff/{role}/{person_id}", methods=["PUT"], authorizer=jwt_auth)
@documented(RouteDoc("Appoint a ministry ADMINISTRATOR, OFFICIAL or AUDITOR, or change the validity (ministry "
                     "administrator; never themself)", "MinistryAppointmentOut", request="MinistryStaffInput",
                     errors=(400, 409, 422), extra_statuses={201: "Appointed"}))
def appoint_staff(role: str, person_id: str) -> Response:
    from chalicelib.services.ministry import appoint_ministry_staff

    request = blueprint.current_request
    body, created = appoint_ministry_staff(caller_facts_for(request), role, person_id, json_object(request))
    return _json(shaped("MinistryAppointmentOut", body), 201 if created else 200)


@blueprint.route("/ministry/staff/{role}/{person_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Remove a ministry role, effective on the person's next request (ministry administrator; "
                     "never themself)", status=204, response_types=(), errors=(400, 404, 409, 422)))
def remove_staff(role: str, person_id: str) -> Response:
    from chalicelib.services.ministry import remove_ministry_staff

    remove_ministry_staff(caller_facts_for(blueprint.current_request), role, person_id)
    return Response(body="", status_code=204)


@blueprint.route("/ministry/log", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Every appointment, change and removal of a ministry role, newest first (ministry "
                     "administrator, data-protection auditor)", "MinistryLog", errors=(400,), query=PAGING))
def ministry_log() -> Response:
    from chalicelib.services.ministry import ministry_log_page
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    page = ministry_log_page(caller_facts_for(request), query(request, "cursor"), page_size(query(request, "limit")))
    return _json(shaped("MinistryLog", page))


@blueprint.route("/audit/journal", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("A person's journal with who stood behind each entry, for a stated case (data-protection "
                     "auditor; the lookup is journaled on that person's journal first)", "AuditJournal",
                     request="AuditInput", errors=(400, 404, 422, 503)))
def audit_journal() -> Response:
    from chalicelib.services.audit import audit_journal as lookup

    request = blueprint.current_request
    body = lookup(caller_facts_for(request), json_object(request), correlation_id(request))
    return _json(shaped("AuditJournal", body))
