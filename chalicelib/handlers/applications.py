"""Permit applications (docs/APPLICATIONS.md) and an institution's own log: parse, call the
service, shape the answer."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.requests import json_object, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


def _json(body: object, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


def _page_size() -> int:
    from chalicelib.services.paging import page_size

    return page_size(query(blueprint.current_request, "limit"))


@blueprint.route("/applications", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Apply for a data-processing permit on behalf of an education provider (anyone logged in)",
                     "ApplicationOut", 201, "ApplicationInput", errors=(409, 422)))
def apply() -> Response:
    from chalicelib.services.applications import apply as submit

    request = blueprint.current_request
    return _json(shaped("ApplicationOut", submit(caller_facts_for(request), json_object(request))), 201)


@blueprint.route("/applications", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Pending applications, oldest first (ministry)", "Applications", errors=(400,), query=PAGING))
def pending() -> Response:
    from chalicelib.services.applications import pending_applications

    request = blueprint.current_request
    page = pending_applications(caller_facts_for(request), query(request, "cursor"), _page_size())
    return _json(shaped("Applications", page))


@blueprint.route("/me/applications", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("My permit applications, newest first, with their status and the ministry's reason",
                     "Applications", errors=(400,), query=PAGING))
def mine() -> Response:
    from chalicelib.services.applications import my_applications

    request = blueprint.current_request
    return _json(shaped("Applications", my_applications(caller_facts_for(request), query(request, "cursor"),
                                                        _page_size())))


@blueprint.route("/applications/{application_id}", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("One application (its applicant; the ministry)", "ApplicationOut", errors=(404,)))
def one(application_id: str) -> Response:
    from chalicelib.services.applications import read_application

    return _json(shaped("ApplicationOut", read_application(caller_facts_for(blueprint.current_request),
                                                           application_id)))


@blueprint.route("/applications/{application_id}/approval", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Approve: create the institution if new, grant the permit, appoint the responsible person "
                     "its administrator (ministry)", "ApplicationOut", request="ApprovalInput",
                     errors=(404, 409, 422)))
def approve(application_id: str) -> Response:
    from chalicelib.services.applications import approve as approved

    request = blueprint.current_request
    return _json(shaped("ApplicationOut", approved(caller_facts_for(request), application_id, json_object(request))))


@blueprint.route("/applications/{application_id}/rejection", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Reject with a reason the applicant reads (ministry)", "ApplicationOut",
                     request="RejectionInput", errors=(404, 409, 422)))
def reject(application_id: str) -> Response:
    from chalicelib.services.applications import reject as rejected

    request = blueprint.current_request
    return _json(shaped("ApplicationOut", rejected(caller_facts_for(request), application_id, json_object(request))))


@blueprint.route("/institutions/{institution_id}/log", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("The institution's own log, newest first (ministry; the institution's administrator)",
                     "InstitutionLog", errors=(400, 404), query=PAGING))
def institution_log(institution_id: str) -> Response:
    from chalicelib.services.institution_log import log_page

    request = blueprint.current_request
    page = log_page(caller_facts_for(request), institution_id, query(request, "cursor"), _page_size())
    return _json(shaped("InstitutionLog", page))
