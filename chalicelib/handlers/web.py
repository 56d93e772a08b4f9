"""The start page and the static files of the web pages (an allow-list: no path from the URL
ever reaches the file system)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.config import settings
from chalicelib.handlers.contract import RouteDoc, documented
from chalicelib.handlers.problems import problem
from chalicelib.web.pages import security_headers

blueprint = Blueprint(__name__)
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
ASSETS = {path.name: path for path in STATIC.iterdir() if path.suffix in CONTENT_TYPES}


@blueprint.route("/", methods=["GET"])
@documented(RouteDoc("The start page", auth=False, response_types=("text/html",)))
def index() -> Response:
    config = settings()
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    for name, value in (("support_phone_dial", config.support_phone.replace(" ", "")),
                        ("support_phone", config.support_phone), ("support_email", config.support_email)):
        page = page.replace("{{" + name + "}}", escape(value))
    return Response(body=page, headers=security_headers())


@blueprint.route("/static/{name}", methods=["GET"])
@documented(RouteDoc("Style sheets and scripts of the pages", auth=False,
                     response_types=("text/css", "text/javascript"), errors=(404,)))
def asset(name: str) -> Response:
    path = ASSETS.get(name)
    if path is None:
        return problem(404, "static.not_found", "No such file.", blueprint.current_request)
    return Response(
        body=path.read_text(encoding="utf-8"),
        headers={"Content-Type": CONTENT_TYPES[path.suffix], "Cache-Control": "public, max-age=300",
                 "X-Content-Type-Options": "nosniff"},
    )
