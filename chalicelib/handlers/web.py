"""The start page, the static files of the web pages (an allow-list: no path from the URL ever
reaches the file system) and the pages' texts by language."""

from __future__ import annotations

import os
from functools import lru_cache

from chalice import Blueprint, Response

from chalicelib.config import settings
from chalicelib.handlers.contract import RouteDoc, documented
from chalicelib.handlers.problems import problem

blueprint = Blueprint(__name__)
STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web", "static")
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@lru_cache(maxsize=1)
def assets() -> dict[str, str]:
    """The files that may be served, by name (listed once, on first use, not at cold start)."""
    return {name: os.path.join(STATIC, name) for name in os.listdir(STATIC)
            if os.path.splitext(name)[1] in CONTENT_TYPES}


@blueprint.route("/", methods=["GET"])
@documented(RouteDoc("The start page", auth=False, response_types=("text/html",)))
def index() -> Response:
    from html import escape

    config = settings()
    with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as handle:
        page = handle.read()
    for name, value in (("support_phone_dial", config.support_phone.replace(" ", "")),
                        ("support_phone", config.support_phone), ("support_email", config.support_email)):
        page = page.replace("{{" + name + "}}", escape(value))
    from chalicelib.web.pages import security_headers

    return Response(body=page, headers=security_headers())


@blueprint.route("/static/{name}", methods=["GET"])
@documented(RouteDoc("Style sheets and scripts of the pages", auth=False,
                     response_types=("text/css", "text/javascript"), errors=(404,)))
def asset(name: str) -> Response:
    path = assets().get(name)
    if path is None:
        from chalicelib.domain import problems as P

        return problem(P.static.not_found, blueprint.current_request)
    with open(path, encoding="utf-8") as handle:
        body = handle.read()
    return Response(
        body=body,
        headers={"Content-Type": CONTENT_TYPES[os.path.splitext(path)[1]], "Cache-Control": "public, max-age=300",
                 "X-Content-Type-Options": "nosniff"},
    )


@blueprint.route("/texts/{language}", methods=["GET"])
@documented(RouteDoc("The pages' texts in one language (untranslated ones in Lithuanian) and the languages offered",
                     "PageTexts", auth=False, errors=(404,)))
def texts(language: str) -> Response:
    import json

    from chalicelib.handlers.contract import shaped
    from chalicelib.web.texts import document

    found = document(language)
    if found is None:
        from chalicelib.domain import problems as P

        return problem(P.language.not_found, blueprint.current_request)
    # The same for everyone and changed only by a deployment: caches may keep it as long as the scripts.
    return Response(body=json.dumps(shaped("PageTexts", found), ensure_ascii=False),
                    headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"})
