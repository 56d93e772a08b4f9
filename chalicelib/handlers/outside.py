"""Children outside education (docs/STATE.md section 5): an official's list of their municipality's
school-age residents with no open enrolment (journaled per child), and the ministry's counts."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import purpose, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)


@blueprint.route("/municipalities/{code}/outside-education", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("School-age residents of the municipality with no open enrolment, for its official "
                     "(each child shown is journaled)", "OutsideEducation", errors=(400, 503),
                     query=(*PAGING, ("purpose", "why the list is read (required)")),
                     headers=(("X-Purpose", "why the list is read (required)"),)))
def outside_education(code: str) -> Response:
    from chalicelib.services.outside_education import outside_page
    from chalicelib.services.paging import page_size

    request = blueprint.current_request
    body = outside_page(caller_facts_for(request), code, purpose=purpose(request), cursor=query(request, "cursor"),
                        limit=page_size(query(request, "limit")), correlation_id=correlation_id(request))
    return Response(body=shaped("OutsideEducation", body), headers={"Cache-Control": "no-store"})


@blueprint.route("/outside-education/counts", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Children outside education per municipality on a date (ministry; no names)",
                     "OutsideCounts", errors=(400, 404),
                     query=(("date", "YYYY-MM-DD (default: the latest list)"),)))
def outside_counts() -> Response:
    from datetime import date

    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services.outside_education import outside_counts as counts

    request = blueprint.current_request
    raw = query(request, "date")
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise Problem(P.outside.date) from None
    return Response(body=shaped("OutsideCounts", counts(caller_facts_for(request), day)),
                    headers={"Cache-Control": "no-store"})
