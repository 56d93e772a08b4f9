"""Checkov check CKV_MR_1: an IAM role of the register grants no wildcard action on data services
and no data action on every resource. checkov's own checks look at `Resource: "*"`; this one also
refuses `dynamodb:*` (or `s3:Get*`) on a named table, which they let through.

Run as `checkov --external-checks-dir infra/checks ...` (tests/infra/test_iac.py, `make test`).
"""

from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

DATA_SERVICES = ("dynamodb", "s3", "sqs", "kms", "secretsmanager", "logs", "sns")
# Actions AWS only offers on every resource.
RESOURCE_STAR_ALLOWED = frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"})


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def problems(document: dict[str, Any]) -> list[str]:
    """What is too broad in one policy document (empty: least privilege as far as this can tell)."""
    found = []
    for statement in _list(document.get("Statement", [])):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = [a for a in _list(statement.get("Action", [])) if isinstance(a, str)]
        if "NotAction" in statement or "NotResource" in statement:
            found.append(f"{statement.get('Sid', '?')}: NotAction/NotResource")
        for action in actions:
            service, _, name = action.partition(":")
            if action == "*" or (service.lower() in DATA_SERVICES and "*" in name):
                found.append(f"{statement.get('Sid', '?')}: wildcard action {action}")
        if "*" in _list(statement.get("Resource", [])) and not set(actions) <= RESOURCE_STAR_ALLOWED:
            found.append(f"{statement.get('Sid', '?')}: every resource for {', '.join(actions)}")
    return found


class LeastPrivilegeRole(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="The register's roles grant named actions on named resources only",
            id="CKV_MR_1",
            categories=(CheckCategories.IAM,),
            supported_resources=("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties", {})
        documents = [p.get("PolicyDocument", {}) for p in properties.get("Policies", [])]
        if "PolicyDocument" in properties:
            documents.append(properties["PolicyDocument"])
        if any(problems(d) for d in documents if isinstance(d, dict)):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = LeastPrivilegeRole()
