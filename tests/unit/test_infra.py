"""API Gateway's own refusals in infra/app.json (the IaC checks as a whole: tests/infra/)."""

import json
from pathlib import Path

INFRA = Path(__file__).resolve().parents[2] / "infra"


def test_gateway_refusals_are_problem_json_with_the_request_id() -> None:
    template = json.loads((INFRA / "app.json").read_text())
    responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in template["Resources"].values()
                 if r.get("Type") == "AWS::ApiGateway::GatewayResponse"}
    expected = {"UNAUTHORIZED", "ACCESS_DENIED", "MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"}
    assert expected <= set(responses)
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401"
    assert responses["ACCESS_DENIED"]["StatusCode"] == "403"
    for kind, properties in responses.items():
        assert properties["RestApiId"] == {"Ref": "RestAPI"}, kind
        assert properties["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        body = json.loads(properties["ResponseTemplates"]["application/json"])
        assert body["correlation_id"] == "$context.requestId", kind
        assert set(body) == {"type", "title", "status", "detail", "code", "errors", "correlation_id"}
