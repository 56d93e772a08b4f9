"""`GET /health`: the load balancer's and the operator's first question. No data is touched."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.handlers.contract import RouteDoc, documented

blueprint = Blueprint(__name__)


@blueprint.route("/health", methods=["GET"])
@documented(RouteDoc("Liveness: answers without touching data", "Health", auth=False))
def health() -> dict[str, str]:
    return {"status": "ok"}
