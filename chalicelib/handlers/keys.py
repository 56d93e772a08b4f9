"""`GET /.well-known/jwks.json`: the public keys that verify the register's tokens."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped

blueprint = Blueprint(__name__)


@blueprint.route("/.well-known/jwks.json", methods=["GET"])
@documented(RouteDoc("Public keys that verify the register's access tokens", "Jwks", auth=False))
def jwks() -> Response:
    return Response(
        body=json.dumps(shaped("Jwks", _jwks())),
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )


def _jwks() -> dict[str, Any]:
    from chalicelib.auth.keys import key_ring

    return key_ring().jwks()
