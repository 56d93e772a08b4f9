"""The HTTP contract's metadata: what each route declares (`documented`) and how handlers shape
answers. `GET /openapi.json` is generated from exactly these and from Chalice's own route table, so
the description cannot drift from the code: a route without metadata fails a test, and a response
that does not fit its model fails at the handler. Models are named as strings and live in
`schemas.py` (pydantic), imported on first use: loading the app does not build them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def model(name: str) -> Any:
    """A model (or type) of `schemas.py` by name."""
    from chalicelib.handlers import schemas

    return getattr(schemas, name)


def shaped(name: str, data: Any) -> dict[str, Any]:
    """`data` checked against the model `name` and returned as JSON-ready data."""
    result: dict[str, Any] = model(name).model_validate(data).model_dump(mode="json", by_alias=True)
    return result


class RouteDoc(NamedTuple):
    summary: str
    response: str | None = None  # a model of schemas.py
    status: int = 200
    request: str | None = None  # a model or type of schemas.py (TypeAdapter)
    errors: tuple[int, ...] = ()
    auth: bool = True
    query: tuple[tuple[str, str], ...] = ()  # (name, description)
    headers: tuple[tuple[str, str], ...] = ()
    request_type: str = "application/json"
    response_types: tuple[str, ...] = ("application/json",)
    extra_statuses: dict[int, str] | None = None


def documented(doc: RouteDoc) -> Callable[[F], F]:
    """Attach the route's contract to its view function (read by `openapi.build_spec`)."""

    def attach(view: F) -> F:
        view.__dict__["__route_doc__"] = doc
        return view

    return attach


PAGING = (("limit", "page size, 1-100 (default 50)"), ("cursor", "next_cursor of the previous page"))
PURPOSE = ("purpose", "why the data is read (required of the ministry)")
