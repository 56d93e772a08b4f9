"""`GET /schema/records`: every kind of record the register keeps — its title, its fields with
their labels, types and code lists — as `domain/kinds.py` declares them. The pages take every
kind title, field label and code label from here, and a form for any kind can be built from it.
Public: it holds no personal data, only the register's vocabulary."""

from __future__ import annotations

from functools import cache
from typing import Any

from chalice import Blueprint, Response

from chalicelib.handlers.contract import RouteDoc, documented, shaped

blueprint = Blueprint(__name__)


@cache
def _document() -> dict[str, Any]:
    from chalicelib.domain.kinds import schema_document

    return shaped("RecordSchema", schema_document())


@blueprint.route("/schema/records", methods=["GET"])
@documented(RouteDoc("Every kind of record in reading order: title, fields (label, type, required, code list), "
                     "each text by language", "RecordSchema", auth=False))
def record_schema() -> Response:
    # The same for everyone until the next deployment: browsers and caches may keep it an hour.
    return Response(body=_document(), headers={"Cache-Control": "public, max-age=3600"})
