"""`GET /health`: the load balancer's and the operator's first question. No data is touched."""

from __future__ import annotations

from chalice import Blueprint

blueprint = Blueprint(__name__)


@blueprint.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}
