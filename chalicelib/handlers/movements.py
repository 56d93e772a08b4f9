"""Pupils moving school: a school's open movement items, and the state's overdue ones."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.route("/institutions/{institution_id}/movements", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("The institution's open movement items: pupils who left for another school, and pupils who "
                     "arrived from one", "InstitutionMovements", errors=(404,), query=PAGING))
def institution_movements(institution_id: str) -> Response:
    from chalicelib.services.movements import institution_movements as listed
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    body = listed(caller_facts_for(request), institution_id, query(request, "cursor"),
                  page_size(query(request, "limit")), correlation_id(request))
    return Response(body=shaped("InstitutionMovements", body), status_code=200,
                    headers={"Cache-Control": "no-store"})


@blueprint.route("/movements", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Movement items open longer than MOVEMENT_OVERDUE_DAYS (the ministry; a municipality's "
                     "officials)", "OverdueMovements", errors=(400,),
                     query=(("municipality", "the old school's municipality (a code, e.g. LT-57)"), *PAGING)))
def overdue_movements() -> Response:
    from chalicelib.services.movements import overdue_movements as listed
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    body = listed(caller_facts_for(request), query(request, "municipality"), query(request, "cursor"),
                  page_size(query(request, "limit")))
    return Response(body=shaped("OverdueMovements", body), status_code=200, headers={"Cache-Control": "no-store"})
