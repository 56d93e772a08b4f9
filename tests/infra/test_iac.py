"""The deployable set, checked statically (nothing can be deployed from here): `chalice package`
merged with infra/app.json, and infra/register.yaml, through cfn-lint, checkov (with the register's
own least-privilege check, infra/checks/) and comparisons with the code."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
IAC_BIN = ROOT / ".venv-iac" / "bin"  # `make test` installs it (requirements-iac.txt)
FUNCTIONS = {"APIHandler": "api_handler", "JwtAuth": "jwt_auth", "IngestUpload": "ingest_upload",
             "TransferQualifications": "transfer_qualifications"}
sys.path.insert(0, str(ROOT / "infra"))
from package import package  # noqa: E402


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    out = tmp_path_factory.mktemp("dist")
    stages = {}
    for stage in ("dev", "prod"):
        package(stage, out / stage, Path(sys.executable).with_name("chalice"))
        stages[stage] = out / stage
    yield stages


def template(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text()))


def checkov(*targets: Path) -> dict[str, Any]:
    """checkov on each target (a folder or a file; one run each: it ignores files next to a folder)."""
    failed, skipped, returncode = [], [], 0
    for target in targets:
        done = subprocess.run([
            str(IAC_BIN / "checkov"), "--framework", "cloudformation", "--skip-download", "--output", "json",
            "--external-checks-dir", str(ROOT / "infra" / "checks"), "-d" if target.is_dir() else "-f", str(target),
        ], capture_output=True, text=True, timeout=300, check=False)
        reports = json.loads(done.stdout)
        for report in reports if isinstance(reports, list) else [reports]:
            failed += report["results"].get("failed_checks", [])
            skipped += report["results"].get("skipped_checks", [])
        returncode = returncode or done.returncode
    return {"failed": failed, "skipped": skipped, "returncode": returncode}


def test_every_function_has_its_own_least_privilege_role(packaged: dict[str, Path]) -> None:
    for stage, out in packaged.items():
        resources = template(out / "sam.json")["Resources"]
        functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
        assert set(functions) == set(FUNCTIONS), stage
        roles = {name: f["Properties"]["Role"]["Fn::GetAtt"][0] for name, f in functions.items()}
        assert len(set(roles.values())) == 4 and "DefaultRole" not in resources, stage
        for name, role in roles.items():
            document = resources[role]["Properties"]["Policies"][0]["PolicyDocument"]
            written = json.loads((ROOT / ".chalice" / "policies" / f"{FUNCTIONS[name]}.json").read_text())
            assert document == written, (stage, name)
            assert resources[name]["Properties"]["Tracing"] == "Active"
            assert resources[name]["Properties"]["KmsKeyArn"] == {
                "Fn::ImportValue": {"Fn::Sub": "mr-${Stage}-DataKeyArn"}}
        assert template(out / "sam.json")["Parameters"]["Stage"]["AllowedValues"] == [stage]
        env = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
        assert env["REGISTER_STAGE"] == stage and env["TABLE_PREFIX"] == f"mr-{stage}"
        assert not {"SIGNING_KEY_PEM", "SIGNING_KEY_FILE", "CURSOR_SECRET", "AWS_ENDPOINT_URL"} & set(env)
        assert "CURSOR_SECRET_ARN" in env and "VIISP_CLIENT_KEY_SECRET_ARN" in env


def test_the_package_leaves_the_sdk_to_the_runtime_and_xml_signing_to_the_api_layer(
    packaged: dict[str, Path],
) -> None:
    names = zipfile.ZipFile(packaged["prod"] / "deployment.zip").namelist()
    tops = {n.split("/", 1)[0] for n in names}
    assert not {"boto3", "botocore", "s3transfer", "lxml", "signxml"} & tops
    assert {"app.py", "chalicelib", "pynamodb", "jose", "pydantic", "openpyxl", "defusedxml", "cryptography"} <= tops
    assert "chalicelib/web/static/app.js" in names and "chalicelib/domain/transfer.py" in names
    layer = zipfile.ZipFile(packaged["prod"] / "xml-signature-layer.zip").namelist()
    assert {n.split("/", 2)[1] for n in layer} >= {"lxml", "signxml"} and all(n.startswith("python/") for n in layer)
    resources = template(packaged["prod"] / "sam.json")["Resources"]
    assert resources["XmlSignatureLayer"]["Properties"]["ContentUri"] == "./xml-signature-layer.zip"
    assert resources["APIHandler"]["Properties"]["Layers"] == [{"Ref": "XmlSignatureLayer"}]
    assert all("Layers" not in resources[name]["Properties"] for name in FUNCTIONS if name != "APIHandler")


BLOCK_XML_STACK = """
import sys
class Absent:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("lxml", "signxml"):
            raise ModuleNotFoundError(name)
sys.meta_path.insert(0, Absent())
"""


def test_the_functions_without_the_layer_never_need_it(tmp_path: Path) -> None:
    """The authoriser, the ingest (XLSX included) and the transfer run without lxml and signxml."""
    script = BLOCK_XML_STACK + """
import io, openpyxl
import chalicelib.handlers.security, chalicelib.handlers.uploads, chalicelib.handlers.transfer
from chalicelib.services import ingest
book = openpyxl.Workbook(); sheet = book.active
sheet.append(["kind", "person_id", "source_id"]); sheet.append(["EXAM", "39001010000", "s1"])
data = io.BytesIO(); book.save(data); data.seek(0)
problems = []
rows = list(ingest._sheet_rows(data, problems))
assert len(rows) == 1 and not problems, (rows, problems)
assert "lxml" not in sys.modules
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False, env={**__import__("os").environ, "OPENPYXL_LXML": "False"})
    assert done.stdout.strip() == "ok", done.stderr


def test_cfn_lint_passes(packaged: dict[str, Path]) -> None:
    targets = [str(packaged[s] / "sam.json") for s in packaged] + [str(ROOT / "infra" / "register.yaml")]
    done = subprocess.run([str(IAC_BIN / "cfn-lint"), *targets], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_checkov_finds_nothing_unsuppressed_and_every_suppression_says_why(packaged: dict[str, Path]) -> None:
    result = checkov(ROOT / "infra", packaged["prod"] / "sam.json")
    assert result["failed"] == [] and result["returncode"] == 0, [
        (c["check_id"], c["resource"]) for c in result["failed"]]
    assert {c["check_id"] for c in result["skipped"]} >= {"CKV_AWS_117", "CKV_AWS_120"}
    for path in (ROOT / "infra" / "register.yaml", ROOT / "infra" / "app.json"):
        for name, resource in template(path)["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert len(skip.get("comment", "")) >= 40, (path.name, name, skip)


@pytest.mark.parametrize("broken", [
    {"Action": "dynamodb:*"},
    {"Action": ["dynamodb:GetItem", "s3:Get*"]},
    {"Resource": "*"},
    {"Action": "*"},
])
def test_a_broken_policy_is_caught(packaged: dict[str, Path], tmp_path: Path, broken: dict[str, Any]) -> None:
    sam = template(packaged["prod"] / "sam.json")
    role = sam["Resources"]["APIHandler"]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = sam["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    tables = next(s for s in statements if s["Sid"] == "RegisterTables")
    tables.update(broken)
    (tmp_path / "sam.json").write_text(json.dumps(sam))
    result = checkov(tmp_path / "sam.json")
    assert result["returncode"] != 0
    assert {c["check_id"] for c in result["failed"]} >= {"CKV_MR_1"}


def test_the_policies_name_only_their_own_tables() -> None:
    """Each function's DynamoDB access: only the tables its code uses."""
    expected = {
        "api_handler": {"persons", "records", "institutions", "uploads", "journal", "sessions", "shares"},
        "jwt_auth": set(),
        "ingest_upload": {"persons", "records", "institutions", "uploads", "journal"},
        "transfer_qualifications": {"persons", "records", "institutions", "journal"},
    }
    for name, tables in expected.items():
        document = json.loads((ROOT / ".chalice" / "policies" / f"{name}.json").read_text())
        named = {r["Fn::Sub"].split("table/mr-${Stage}-")[1].split("/")[0]
                 for s in document["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                          else [s["Resource"]])
                 if isinstance(r, dict) and "Fn::Sub" in r and ":table/" in r["Fn::Sub"]}
        assert named == tables, name
        for statement in document["Statement"]:  # the journal is appended to, never changed
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if any(isinstance(r, dict) and str(r.get("Fn::Sub", "")).endswith("-journal") for r in resources):
                assert not {"dynamodb:UpdateItem", "dynamodb:DeleteItem"} & set(statement["Action"]), name


def keys(schema: list[dict[str, str]]) -> list[dict[str, str]]:
    """A key schema as CloudFormation writes it: the hash key first."""
    return sorted(({"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema),
                  key=lambda k: k["KeyType"])


def test_the_tables_are_the_models() -> None:
    """infra/register.yaml declares every table with the keys, indexes and TTL the models use."""
    from pynamodb.attributes import TTLAttribute

    from chalicelib.models.tables import ALL_MODELS

    resources = template(ROOT / "infra" / "register.yaml")["Resources"]
    tables = {r["Properties"]["TableName"]["Fn::Sub"].removeprefix("mr-${Stage}-"): r["Properties"]
              for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"}
    assert set(tables) == {model.logical_table() for model in ALL_MODELS}
    for model in ALL_MODELS:
        declared = tables[model.logical_table()]
        schema: Any = model._get_schema()
        assert declared["KeySchema"] == keys(schema["key_schema"]), model
        assert sorted(map(str, declared["AttributeDefinitions"])) == sorted(map(str, [
            {"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
            for a in schema["attribute_definitions"]])), model
        indexes = {i["index_name"]: i for i in schema.get("global_secondary_indexes", [])}
        assert {i["IndexName"]: i["KeySchema"] for i in declared.get("GlobalSecondaryIndexes", [])} == {
            name: keys(i["key_schema"]) for name, i in indexes.items()}, model
        ttl = [n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute)]
        assert declared.get("TimeToLiveSpecification", {}).get("AttributeName") == (ttl[0] if ttl else None), model
        assert declared["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert declared["DeletionProtectionEnabled"] is True and declared["SSESpecification"]["SSEType"] == "KMS"
