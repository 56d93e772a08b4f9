"""`GET /openapi.json`: OpenAPI 3.1 built from Chalice's route table (paths, methods, path
parameters, which routes need the token, accepted content types) and each route's `RouteDoc`
with the pydantic models the handlers validate requests and shape responses with."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from chalice import Blueprint, Chalice
from chalice.app import RouteEntry

from chalicelib.errors import Problem
from chalicelib.handlers.contract import RouteDoc, documented, model

blueprint = Blueprint(__name__)
REF = "#/components/schemas/{model}"
PROBLEM = "application/problem+json"
STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No content", 303: "See other", 400: "Bad request",
    401: "Missing or invalid token", 403: "Refused", 404: "Not found (or not yours to know about)",
    405: "Method not allowed", 409: "Conflict (version or state)", 413: "Too large",
    415: "Unsupported media type", 422: "Invalid data", 503: "Unavailable (gateway or journal)",
}


def _schema(name: str, mode: str, components: dict[str, Any]) -> dict[str, Any]:
    from pydantic import TypeAdapter

    schema = TypeAdapter(model(name)).json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    components.update(schema.pop("$defs", {}))
    if "title" in schema and schema.get("type") == "object":
        name = schema["title"]
        components[name] = schema
        return {"$ref": REF.format(model=name)}
    return schema


def build_spec(app: Chalice) -> dict[str, Any]:
    components: dict[str, Any] = {}
    problem_ref = _schema("ProblemOut", "serialization", components)
    paths: dict[str, dict[str, Any]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            doc: RouteDoc | None = getattr(entry.view_function, "__route_doc__", None)
            if doc is None:
                raise RuntimeError(f"{method} {path} has no RouteDoc")
            paths.setdefault(path, {})[method.lower()] = _operation(entry, doc, components, problem_ref)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mokinių registras (Student Register)", "version": "1.0.0",
                 "description": "Lithuania's Student Register. Errors are application/problem+json with a "
                                "stable dotted `code`."},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT (RS256), from POST /auth/token"}}},
    }


def _parameters(entry: RouteEntry, doc: RouteDoc) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "string", "minLength": 1, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f/]+$"}}
        for name in entry.view_args
    ]
    for place, declared in (("query", doc.query), ("header", doc.headers)):
        parameters += [{"name": name, "in": place, "required": False, "description": description,
                        "schema": {"type": "string"}} for name, description in declared]
    return parameters


def _operation(entry: RouteEntry, doc: RouteDoc, components: dict[str, Any], problem_ref: Any) -> dict[str, Any]:
    operation: dict[str, Any] = {"summary": doc.summary, "operationId": entry.view_name,
                                 "parameters": _parameters(entry, doc), "responses": {}}
    if doc.request is not None:
        content_type = (entry.content_types or [doc.request_type])[0]
        operation["requestBody"] = {"required": True, "content": {
            content_type: {"schema": _schema(doc.request, "validation", components)}}}
    success: dict[str, Any] = {"description": STATUS_TEXT.get(doc.status, "OK")}
    if doc.response is not None:
        schema = _schema(doc.response, "serialization", components)
        # A route that also answers files (CSV, XLSX) describes the model for JSON only.
        success["content"] = {kind: {"schema": schema if kind.endswith("json") else {"type": "string"}}
                              for kind in doc.response_types}
    elif doc.response_types and doc.status != 204:
        success["content"] = {kind: {"schema": {"type": "object" if kind.endswith("json") else "string"}}
                              for kind in doc.response_types}
    operation["responses"][str(doc.status)] = success
    for status, description in (doc.extra_statuses or {}).items():
        operation["responses"][str(status)] = {"description": description}
    # 404 and 405: a path that matches no route, or not with this method (the gateway answers).
    errors = set(doc.errors) | {404, 405} | ({401, 403} if entry.authorizer else set())
    errors.add(400)  # an unknown query parameter is refused (query_guard)
    if doc.request is not None and doc.request_type == "application/json" and not entry.content_types[1:]:
        errors |= {400, 413, 415, 422}
    errors -= set(doc.extra_statuses or {})  # described there (not problem+json, e.g. HTML pages)
    for status in sorted(errors):
        operation["responses"][str(status)] = {"description": STATUS_TEXT.get(status, "Error"),
                                               "content": {PROBLEM: {"schema": problem_ref}}}
    if entry.authorizer:
        operation["security"] = [{"bearer": []}]
    return operation


@lru_cache(maxsize=1)
def _cached(app_id: int, app: Chalice) -> dict[str, Any]:
    return build_spec(app)


@blueprint.route("/openapi.json", methods=["GET"])
@documented(RouteDoc("This description (OpenAPI 3.1)", auth=False))
def openapi() -> dict[str, Any]:
    app = blueprint.current_app
    return _cached(id(app), app)


def query_guard(app: Chalice) -> Callable[[Any, Callable[[Any], Any]], Any]:
    """Middleware: a query parameter the route does not describe is refused (400), as unknown body
    fields are; a typo such as `purpoze` must not silently read without a purpose."""

    def guard(request: Any, get_response: Callable[[Any], Any]) -> Any:
        params = request.query_params or {}
        if params:
            context = request.context or {}
            entry = app.routes.get(context.get("resourcePath", ""), {}).get(request.method)
            doc: RouteDoc | None = getattr(entry.view_function, "__route_doc__", None) if entry else None
            allowed = {name for name, _ in doc.query} if doc else set()
            # No route for this method: Chalice answers 405 itself, whatever the query says.
            if entry is not None and set(params) - allowed:
                from chalicelib.domain import problems as P

                raise Problem(P.request.unknown_parameter,
                              f"Unknown query parameter(s); this route takes: {', '.join(sorted(allowed)) or 'none'}.")
        return get_response(request)

    return guard
