"""`GET /.well-known/jwks.json`: the public keys that verify the register's tokens."""

from __future__ import annotations

import json

from chalice import Blueprint, Response

from chalicelib.auth.keys import key_ring

blueprint = Blueprint(__name__)


@blueprint.route("/.well-known/jwks.json", methods=["GET"])
def jwks() -> Response:
    return Response(
        body=json.dumps(key_ring().jwks()),
        headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"},
    )
