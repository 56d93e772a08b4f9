"""The OpenAPI description is generated from the code, complete, valid, and what the API does:
schemathesis generates requests from it and checks every response against it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from chalice.local import LocalGateway, LocalGatewayException
from chalice.test import Client
from hypothesis import HealthCheck, settings
from moto import mock_aws
from openapi_spec_validator import validate

from app import app
from chalicelib.handlers.openapi import build_spec
from chalicelib.models.tables import create_tables
from tests.api.conftest import World, build_world


def test_every_route_is_described_with_auth_and_errors() -> None:
    spec = build_spec(app)
    validate(spec)
    described = {(path, method.upper()) for path, methods in spec["paths"].items() for method in methods}
    routed = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert described == routed
    me = spec["paths"]["/me/history"]["get"]
    assert me["security"] == [{"bearer": []}]
    assert {"200", "401", "403"} <= set(me["responses"])
    post = spec["paths"]["/institutions/{institution_id}/records"]["post"]
    assert {"201", "400", "403", "409", "413", "415", "422"} <= set(post["responses"])
    assert post["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith("ProblemOut")
    assert "security" not in spec["paths"]["/health"]["get"]


def test_served_description_is_the_generated_one() -> None:
    with Client(app, stage_name="local") as client:
        response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.json_body == build_spec(app)


@pytest.fixture(scope="module")
def live_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with mock_aws(), pytest.MonkeyPatch.context() as monkeypatch:
        create_tables()
        yield from build_world(monkeypatch, tmp_path_factory.mktemp("world"))


ROOT = Path(__file__).resolve().parents[2]


def wsgi() -> Any:
    """A WSGI face for Chalice's local gateway (what `chalice local` and the test client run), so
    schemathesis can call the app in process. The test client itself cannot carry an OPTIONS
    answer (its body is None), hence the gateway directly, with the same stage configuration."""
    gateway = LocalGateway(app, Client(app, stage_name="local", project_dir=str(ROOT))._chalice_config)

    def application(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        path = environ["PATH_INFO"] + (f"?{environ['QUERY_STRING']}" if environ.get("QUERY_STRING") else "")
        try:
            response = gateway.handle_request(method=environ["REQUEST_METHOD"], path=path, headers=headers, body=body)
        except LocalGatewayException as refused:
            # API Gateway answers these itself, with the status and body infra/ configures for it.
            kind = {401: "UNAUTHORIZED", 403: "ACCESS_DENIED"}.get(refused.CODE)
            if refused.CODE == 403 and b"is not authorized" not in (refused.body or b""):
                kind = "MISSING_AUTHENTICATION_TOKEN"  # no route matches the path
            if kind is None:
                start_response(f"{refused.CODE} -", list(refused.headers.items()))
                return [refused.body or b""]
            status, template = GATEWAY_RESPONSES[kind]
            start_response(f"{status} -", [("Content-Type", "application/problem+json")])
            return [template.replace("$context.requestId", "local-request").encode()]
        raw = response.get("body") or ""
        data = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode()
        start_response(f"{response['statusCode']} -", [(k, str(v)) for k, v in response["headers"].items()])
        return [data]

    return application


def _gateway_responses() -> dict[str, tuple[int, str]]:
    template = json.loads((ROOT / "infra" / "app.json").read_text())
    return {
        r["Properties"]["ResponseType"]: (int(r["Properties"].get("StatusCode", 400)),
                                          r["Properties"]["ResponseTemplates"]["application/json"])
        for r in template["Resources"].values() if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
    }


GATEWAY_RESPONSES = _gateway_responses()
# The login start and the gateway's postback need the gateway itself: tests/auth drives them.
schema = schemathesis.openapi.from_wsgi("/openapi.json", wsgi()).exclude(path_regex="^/auth/(login|callback)$")


@pytest.mark.parametrize("who", ["ministry", "rep_a"])
@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_follows_its_description(case: Any, who: str, live_world: World) -> None:
    # Not checked: "schema-valid data is accepted". The schema cannot say that a personal code's
    # check digit must match, so schema-valid bodies are rightly refused with 422.
    case.call_and_validate(headers={"Authorization": f"Bearer {live_world.tokens[who]}"},
                           excluded_checks=[schemathesis.checks.positive_data_acceptance])
