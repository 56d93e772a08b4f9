"""Share links: `/me/shares` for the person, `GET /shared/{secret}` for whoever holds the link."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.problems import correlation_id
from chalicelib.handlers.requests import json_object
from chalicelib.handlers.security import caller, jwt_auth

blueprint = Blueprint(__name__)


def _no_store(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


@blueprint.route("/me/shares", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Share chosen records through a link (at most a year)", "ShareCreated", 201, "ShareInput",
                     errors=(409,)))
def create_share() -> Response:
    from chalicelib.services.shares import create_link

    request = blueprint.current_request
    return _no_store(shaped("ShareCreated", create_link(caller(request).person_id, json_object(request))), 201)


@blueprint.route("/me/shares", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("My share links", "Shares"))
def my_shares() -> Response:
    from chalicelib.services.shares import list_links

    return _no_store(shaped("Shares", {"shares": list_links(caller(blueprint.current_request).person_id)}))


@blueprint.route("/me/shares/{share_id}", methods=["DELETE"], authorizer=jwt_auth)
@documented(RouteDoc("Revoke a share link, at once", status=204, response_types=(), errors=(404,)))
def revoke_share(share_id: str) -> Response:
    from chalicelib.services.shares import revoke_link

    revoke_link(caller(blueprint.current_request).person_id, share_id)
    return Response(body="", status_code=204)


@blueprint.route("/shared/{secret}", methods=["GET"])
@documented(RouteDoc("What a share link shows (no login; each view is in the person's journal)", "SharedView",
                     auth=False, errors=(404, 503)))
def shared(secret: str) -> Response:
    from chalicelib.services.shares import view_link

    request = blueprint.current_request
    view = view_link(secret, correlation_id(request))
    return Response(body=shaped("SharedView", view), headers={"Cache-Control": "no-store",
                                                             "Referrer-Policy": "no-referrer"})

