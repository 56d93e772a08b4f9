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
        assert set(body) == {"type", "title", "status", "detail", "code", "messages", "errors", "correlation_id"}


def test_one_client_cannot_exhaust_the_shared_budgets() -> None:
    """A WAF web ACL on the API's stage limits each IP address on /auth/*, /me/transcript and /shared/*,
    each limit a template parameter with a default, and answers 429 problem JSON when it blocks."""
    import re

    template = json.loads((INFRA / "app.json").read_text())
    resources, parameters = template["Resources"], template["Parameters"]
    acls = [name for name, r in resources.items() if r.get("Type") == "AWS::WAFv2::WebACL"]
    assert acls == ["ApiRateLimits"]
    acl = resources["ApiRateLimits"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    association = next(r["Properties"] for r in resources.values()
                       if r.get("Type") == "AWS::WAFv2::WebACLAssociation")
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiRateLimits", "Arn"]}
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${RestAPI}/stages/${RestAPI.Stage}")

    paths = {"/auth/login": "AuthRateLimit", "/api/auth/token": "AuthRateLimit", "/auth/callback": "AuthRateLimit",
             "/me/transcript": "TranscriptRateLimit", "/api/me/transcript": "TranscriptRateLimit",
             "/shared/" + "A" * 43: "SharedRateLimit", "/api/shared/x": "SharedRateLimit",
             "/me": None, "/me/history": None, "/me/transcripts": None, "/sharedx": None, "/static/auth/x": None,
             "/transcripts/verify": None, "/persons/x/history": None}
    limited: dict[str, str | None] = dict.fromkeys(paths)
    for rule in acl["Rules"]:
        statement = rule["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "IP" and statement["EvaluationWindowSec"] == 300
        parameter = statement["Limit"]["Ref"]
        assert 10 <= parameters[parameter]["MinValue"] <= parameters[parameter]["Default"], parameter
        assert parameters[parameter]["Type"] == "Number" and parameters[parameter]["Description"]
        scope = statement["ScopeDownStatement"]["RegexMatchStatement"]
        assert scope["FieldToMatch"] == {"UriPath": {}}
        for path in paths:
            if re.search(scope["RegexString"], path):
                assert limited[path] is None, path  # one rule per path
                limited[path] = parameter
        response = rule["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
        assert (body["status"], body["code"]) == (429, "request.rate_limited")
        assert set(body) == {"type", "title", "status", "detail", "code", "messages", "errors", "correlation_id"}
        assert {"Name": "Retry-After", "Value": "300"} in response["ResponseHeaders"]
        assert rule["VisibilityConfig"]["SampledRequestsEnabled"] is False  # samples would show tokens
    assert limited == paths
    assert {p: parameters[p]["Default"] for p in ("AuthRateLimit", "TranscriptRateLimit", "SharedRateLimit")} == {
        "AuthRateLimit": 600, "TranscriptRateLimit": 100, "SharedRateLimit": 300}
