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
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parents[2]
IAC_BIN = ROOT / ".venv-iac" / "bin"  # `make test` installs it (requirements-iac.txt)
FUNCTIONS = {"APIHandler": "api_handler", "JwtAuth": "jwt_auth", "IngestUpload": "ingest_upload",
             "TransferQualifications": "transfer_qualifications", "SnapshotStatistics": "snapshot_statistics"}
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


BROKEN = [  # the API function's table statement widened, each in a way the least-privilege check must catch
    {"Action": "dynamodb:*"},
    {"Action": ["dynamodb:GetItem", "s3:Get*"]},
    {"Resource": "*"},
    {"Action": "*"},
]


def checkov(target: Path | list[Path]) -> tuple[int, list[dict[str, Any]]]:
    """One checkov run over a folder, or over a list of files (it cannot take both at once), with
    the register's own checks: its exit code and its reports."""
    where = ["-d", str(target)] if isinstance(target, Path) else ["-f", *map(str, target)]
    done = subprocess.run([
        str(IAC_BIN / "checkov"), "--framework", "cloudformation", "--skip-download", "--output", "json",
        "--external-checks-dir", str(ROOT / "infra" / "checks"), *where,
    ], capture_output=True, text=True, timeout=300, check=False)
    reports = json.loads(done.stdout)
    return done.returncode, reports if isinstance(reports, list) else [reports]


def findings(reports: list[dict[str, Any]], kind: str, file: Path | None = None) -> list[dict[str, Any]]:
    """The reports' checks of one kind (failed, skipped, passed), of one file if named."""
    return [check for report in reports for check in report["results"].get(f"{kind}_checks", [])
            if file is None or Path(check["file_abs_path"]).resolve() == file.resolve()]


@pytest.fixture(scope="module")
def checkov_runs(packaged: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """checkov over infra/ (one run), and over the packaged template with a broken copy of it for
    each of BROKEN (one run for all the files: checkov takes ~15 s to start and ~5 s a file, and
    six runs made the slowest part of the suite). Each file's findings are told apart by its path."""
    folder = tmp_path_factory.mktemp("broken")
    broken_files = []
    for number, broken in enumerate(BROKEN):
        sam = template(packaged["prod"] / "sam.json")
        role = sam["Resources"]["APIHandler"]["Properties"]["Role"]["Fn::GetAtt"][0]
        statements = sam["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        tables = next(s for s in statements if s["Sid"] == "RegisterTables")
        tables.update(broken)
        broken_files.append(folder / f"broken-{number}.json")
        broken_files[-1].write_text(json.dumps(sam))
    infra_code, infra_reports = checkov(ROOT / "infra")
    files_code, files_reports = checkov([packaged["prod"] / "sam.json", *broken_files])
    return {"infra": (infra_code, infra_reports), "files": (files_code, files_reports), "broken": broken_files}


def test_every_function_has_its_own_least_privilege_role(packaged: dict[str, Path]) -> None:
    for stage, out in packaged.items():
        resources = template(out / "sam.json")["Resources"]
        functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
        assert set(functions) == set(FUNCTIONS), stage
        roles = {name: f["Properties"]["Role"]["Fn::GetAtt"][0] for name, f in functions.items()}
        assert len(set(roles.values())) == len(FUNCTIONS) and "DefaultRole" not in resources, stage
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


def test_the_rate_limits_reach_the_packaged_template(packaged: dict[str, Path]) -> None:
    """infra/app.json's web ACL (its rules: tests/unit/test_infra.py) survives the merge, on the API's stage."""
    for stage, out in packaged.items():
        packaged_template = template(out / "sam.json")
        resources = packaged_template["Resources"]
        assert resources["ApiRateLimits"]["Type"] == "AWS::WAFv2::WebACL", stage
        assert len(resources["ApiRateLimits"]["Properties"]["Rules"]) == 3, stage
        association = resources["ApiRateLimitsAssociation"]["Properties"]
        assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiRateLimits", "Arn"]}, stage
        assert resources["RestAPI"]["Properties"]["StageName"] == "api"  # what ${RestAPI.Stage} resolves to
        assert {"AuthRateLimit", "TranscriptRateLimit", "SharedRateLimit"} <= set(packaged_template["Parameters"])


def test_the_authoriser_cache_lets_a_logout_take_at_most_a_minute(packaged: dict[str, Path]) -> None:
    """API Gateway answers a cached token without asking the authoriser, so a logged-out session's
    tokens work until the cached decision expires: at most 60 s (docs/AUTH.md). The authoriser reads
    the session from the stage's table (its environment names the prefix)."""
    for stage, out in packaged.items():
        resources = template(out / "sam.json")["Resources"]
        definitions = resources["RestAPI"]["Properties"]["DefinitionBody"]["securityDefinitions"]
        ttl = definitions["jwt_auth"]["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"]
        assert 0 < ttl <= 60, stage
        assert resources["JwtAuth"]["Properties"]["Environment"]["Variables"]["TABLE_PREFIX"] == f"mr-{stage}"


def test_the_ingest_is_packaged_with_its_september_settings(packaged: dict[str, Path]) -> None:
    """What .chalice/config.json and the decorator say reaches the template (docs/OPERATIONS.md
    "September"; the settings' agreement with each other: tests/infra/test_september.py)."""
    from chalicelib.handlers.uploads import INGEST_BATCH_SIZE, INGEST_MAXIMUM_CONCURRENCY

    settings = json.loads((ROOT / ".chalice" / "config.json").read_text())["lambda_functions"]["ingest_upload"]
    for stage, out in packaged.items():
        ingest = template(out / "sam.json")["Resources"]["IngestUpload"]["Properties"]
        assert ingest["MemorySize"] == settings["lambda_memory_size"] == 1769, stage
        assert ingest["Timeout"] == settings["lambda_timeout"], stage
        assert ingest["ReservedConcurrentExecutions"] == settings["reserved_concurrency"], stage
        [event] = ingest["Events"].values()
        assert event["Type"] == "SQS" and event["Properties"]["BatchSize"] == INGEST_BATCH_SIZE, stage
        assert event["Properties"]["Queue"]["Fn::Sub"].endswith(":mr-uploads"), stage
        assert event["Properties"]["ScalingConfig"] == {"MaximumConcurrency": INGEST_MAXIMUM_CONCURRENCY}, stage


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


LAMBDA_CALLS = """
import json, sys, types
sys.path[:0] = PATHS
context = types.SimpleNamespace(function_name="f", memory_limit_in_mb=256, aws_request_id="req-1",
                                invoked_function_arn="arn:aws:lambda:eu-north-1:1:function:f",
                                get_remaining_time_in_millis=lambda: 60_000)
module, _, name = HANDLER.rpartition(".")
handler = getattr(__import__(module, fromlist=[name]), name)
results = {}
if HANDLER == "app.app":
    for path in ("/health", "/openapi.json", "/"):
        event = {"resource": path, "path": path, "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
                 "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
                 "stageVariables": None, "body": None, "isBase64Encoded": False,
                 "requestContext": {"resourcePath": path, "httpMethod": "GET", "requestId": "r1", "stage": "api"}}
        results[path] = handler(event, context)["statusCode"]
    import lxml.etree, signxml  # from the layer
elif HANDLER.endswith(".jwt_auth"):
    # The sessions table lives in a moto server the test started (AWS_ENDPOINT_URL).
    from chalicelib.models.tables import create_tables
    from chalicelib.services.sessions import access_token_for, end_session, open_session
    create_tables()
    opened = open_session("39001010000", "test")
    token, _ = access_token_for("39001010000", opened.session_id)
    arn = "arn:aws:execute-api:eu-north-1:1:abc/api/GET/me"

    def decide(label, value):
        answer = handler({"type": "TOKEN", "authorizationToken": value, "methodArn": arn}, context)
        # Chalice's deny: an Allow on no resource at all (API Gateway answers 403).
        results[label] = sorted(r for st in answer["policyDocument"]["Statement"] for r in st["Resource"])

    decide("bad", "Bearer a.b.c")
    decide("good", "Bearer " + token)
    end_session(opened.refresh_token)
    decide("logged out", "Bearer " + token)
elif HANDLER.endswith(".ingest_upload"):
    body = json.dumps({"Event": "s3:TestEvent"})
    message = {"messageId": "m", "receiptHandle": "r", "body": body, "attributes": {}, "messageAttributes": {},
               "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-north-1:1:mr-uploads",
               "awsRegion": "eu-north-1"}
    handler({"Records": [message]}, context)
    import io, openpyxl
    from chalicelib.services import ingest
    book = openpyxl.Workbook(); book.active.append(["kind", "person_id", "source_id"])
    book.active.append(["EXAM", "39001010000", "s1"])
    data = io.BytesIO(); book.save(data); data.seek(0)
    problems = []
    results["xlsx_rows"] = len(list(ingest._sheet_rows(data, problems))) - len(problems)
elif HANDLER.endswith(".snapshot_statistics"):
    results["snapshot"] = callable(handler)  # imported; a run needs the tables (tests/api/test_statistics.py)
else:
    results["transfer"] = handler({"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
                                   "account": "1", "time": "", "region": "eu-north-1", "resources": [], "detail": {}},
                                  context)
results["lxml_loaded"] = "lxml" in sys.modules
print(json.dumps(results))
"""


def test_each_packaged_handler_answers_as_lambda_calls_it(packaged: dict[str, Path], tmp_path: Path) -> None:
    """The shipped zip, unpacked, on a path with nothing else but the standard library and the
    runtime's SDK (and the layer for the API function): each function's Handler string is imported
    and called with the event Lambda would pass. lxml and signxml are not there for the others."""
    import os

    import botocore
    from package import RUNTIME_PROVIDED

    code, layer, runtime = tmp_path / "task", tmp_path / "opt", tmp_path / "runtime"
    zipfile.ZipFile(packaged["prod"] / "deployment.zip").extractall(code)
    zipfile.ZipFile(packaged["prod"] / "xml-signature-layer.zip").extractall(layer)
    runtime.mkdir()
    site = Path(botocore.__file__).resolve().parent.parent
    for entry in site.iterdir():
        if entry.name.removesuffix(".py").lower() in RUNTIME_PROVIDED:
            (runtime / entry.name).symlink_to(entry)
    resources = template(packaged["prod"] / "sam.json")["Resources"]
    from chalicelib.auth.keys import generate_pem

    env = {"PATH": os.environ["PATH"], "OPENPYXL_LXML": "False", "REGISTER_STAGE": "local",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "eu-north-1",
           "SIGNING_KEY_PEM": generate_pem().decode(), "TOKEN_ISSUER": "https://register.test",
           "TOKEN_AUDIENCE": "register-api-test"}
    answers = {}
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        for name in FUNCTIONS:
            handler = resources[name]["Properties"]["Handler"]
            paths = [str(code)] + ([str(layer / "python")] if "Layers" in resources[name]["Properties"] else []) + [
                str(runtime)]
            script = f"PATHS = {paths!r}\nHANDLER = {handler!r}\n" + LAMBDA_CALLS
            # Only the authoriser reads a table here; the others must not find one.
            endpoint = {"AWS_ENDPOINT_URL": f"http://{host}:{port}"} if name == "JwtAuth" else {}
            done = subprocess.run([sys.executable, "-S", "-c", script], cwd=code, env=env | endpoint,
                                  capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, (name, done.stderr[-3000:])
            answers[name] = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        moto.stop()
    assert answers["APIHandler"] == {"/health": 200, "/openapi.json": 200, "/": 200, "lxml_loaded": True}
    assert answers["JwtAuth"] == {"bad": [], "good": ["arn:aws:execute-api:eu-north-1:1:abc/api/*/*"],
                                  "logged out": [], "lxml_loaded": False}
    assert answers["IngestUpload"] == {"xlsx_rows": 1, "lxml_loaded": False}
    assert answers["TransferQualifications"] == {"transfer": {}, "lxml_loaded": False}
    assert answers["SnapshotStatistics"] == {"snapshot": True, "lxml_loaded": False}


def test_cfn_lint_passes(packaged: dict[str, Path]) -> None:
    targets = [str(packaged[s] / "sam.json") for s in packaged] + [str(ROOT / "infra" / "register.yaml")]
    done = subprocess.run([str(IAC_BIN / "cfn-lint"), *targets], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_checkov_finds_nothing_unsuppressed_and_every_suppression_says_why(
    packaged: dict[str, Path], checkov_runs: dict[str, Any],
) -> None:
    infra_code, infra_reports = checkov_runs["infra"]
    _, files_reports = checkov_runs["files"]  # its exit code speaks for the broken copies too
    sam = packaged["prod"] / "sam.json"
    failed = findings(infra_reports, "failed") + findings(files_reports, "failed", sam)
    assert failed == [] and infra_code == 0, [(c["check_id"], c["resource"]) for c in failed]
    assert findings(files_reports, "passed", sam), "the packaged template was not checked at all"
    skipped = findings(infra_reports, "skipped") + findings(files_reports, "skipped", sam)
    assert {c["check_id"] for c in skipped} >= {"CKV_AWS_117", "CKV_AWS_120"}
    for path in (ROOT / "infra" / "register.yaml", ROOT / "infra" / "app.json"):
        for name, resource in template(path)["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert len(skip.get("comment", "")) >= 40, (path.name, name, skip)


@pytest.mark.parametrize("number", range(len(BROKEN)), ids=[f"broken{n}" for n in range(len(BROKEN))])
def test_a_broken_policy_is_caught(checkov_runs: dict[str, Any], number: int) -> None:
    files_code, files_reports = checkov_runs["files"]
    assert files_code != 0
    assert {c["check_id"] for c in findings(files_reports, "failed", checkov_runs["broken"][number])} >= {"CKV_MR_1"}


def test_the_policies_name_only_their_own_tables() -> None:
    """Each function's DynamoDB access: only the tables its code uses."""
    expected = {
        "api_handler": {"persons", "records", "institutions", "uploads", "journal", "sessions", "shares",
                        "transcripts", "officials", "movements", "outside_education", "statistics",
                        "applications"},
        "jwt_auth": {"sessions"},  # the logout check: one GetItem, nothing else
        "ingest_upload": {"persons", "records", "institutions", "uploads", "journal", "movements"},
        "transfer_qualifications": {"persons", "records", "institutions", "journal"},
        # No person's data, no journal; the list of children outside education is written from the pass.
        "snapshot_statistics": {"records", "institutions", "statistics", "outside_education", "movements"},
    }
    for name, tables in expected.items():
        document = json.loads((ROOT / ".chalice" / "policies" / f"{name}.json").read_text())
        named = {r["Fn::Sub"].split("table/mr-${Stage}-")[1].split("/")[0]
                 for s in document["Statement"] for r in (s["Resource"] if isinstance(s["Resource"], list)
                                                          else [s["Resource"]])
                 if isinstance(r, dict) and "Fn::Sub" in r and ":table/" in r["Fn::Sub"]}
        assert named == tables, name
        if name == "jwt_auth":
            assert {a for st in document["Statement"] for a in st["Action"] if a.startswith("dynamodb:")} == {
                "dynamodb:GetItem"}
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
        assert {i["IndexName"]: i["Projection"] for i in declared.get("GlobalSecondaryIndexes", [])} == {
            name: {"ProjectionType": i["projection"]["ProjectionType"]} | (
                {"NonKeyAttributes": i["projection"]["NonKeyAttributes"]} if "NonKeyAttributes" in i["projection"]
                else {}) for name, i in indexes.items()}, model
        ttl = [n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute)]
        assert declared.get("TimeToLiveSpecification", {}).get("AttributeName") == (ttl[0] if ttl else None), model
        assert declared["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert declared["DeletionProtectionEnabled"] is True and declared["SSESpecification"]["SSEType"] == "KMS"


def test_every_index_a_function_may_query_exists() -> None:
    """A policy that names an index by name (least privilege) names one the models declare: a
    renamed index must not leave a function allowed to query only the old one."""
    from chalicelib.models.tables import ALL_MODELS

    declared = {(model.logical_table(), i["index_name"]) for model in ALL_MODELS
                for i in model._get_schema().get("global_secondary_indexes", [])}
    named = set()
    for path in (ROOT / ".chalice" / "policies").glob("*.json"):
        for statement in json.loads(path.read_text())["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                arn = resource.get("Fn::Sub", "") if isinstance(resource, dict) else ""
                if "/index/" in arn and not arn.endswith("/index/*"):
                    table, index = arn.split("table/mr-${Stage}-")[1].split("/index/")
                    named.add((table, index))
    assert named and named <= declared, named - declared


def test_every_metric_the_code_alarms_on_has_an_alarm() -> None:
    """Metrics whose rise needs a person (docs/OPERATIONS.md) each have an alarm on the stage."""
    alarms = {resource["Properties"].get("MetricName") for resource in
              template(ROOT / "infra" / "register.yaml")["Resources"].values()
              if resource["Type"] == "AWS::CloudWatch::Alarm"}
    assert {"DakprDeadLetters", "RepresentativesSuspended"} <= alarms
    source = (ROOT / "chalicelib" / "services" / "suspension.py").read_text()
    assert 'metric("RepresentativesSuspended"' in source


def test_the_ingest_writes_to_institutions_only_what_an_upload_notes() -> None:
    """An upload notes its institution's activity, counts a representative's identity mismatches,
    suspends them and logs the suspension: UpdateItem/PutItem on `institutions`, limited to those
    items' attributes (`dynamodb:Attributes`), so the ingest's role cannot write what grants a right
    (a staff entry's person, role or validity; a permit's scope, validity or state)."""
    from chalicelib.models.institutions import InstitutionActivity, InstitutionLogEntry, Permit, StaffMember

    document = json.loads((ROOT / ".chalice" / "policies" / "ingest_upload.json").read_text())
    statement = next(s for s in document["Statement"] if s["Sid"] == "NoteActivityAndSuspensions")
    assert set(statement["Action"]) == {"dynamodb:UpdateItem", "dynamodb:PutItem"}
    assert [r["Fn::Sub"].rsplit("-", 1)[1] for r in statement["Resource"]] == ["institutions"]
    allowed = set(statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"])

    def names(model: Any, *fields: str) -> set[str]:
        return {model.get_attributes()[field].attr_name for field in fields}

    written = (names(InstitutionActivity, "institution_id", "item", "item_type", "created_at", "created_by",
                     "last_upload_at", "last_upload_id", "last_upload_status", "last_upload_rows_written",
                     "last_upload_rows_rejected")
               | names(StaffMember, "mismatch_day", "mismatch_count", "suspended_at")
               | {a.attr_name for a in InstitutionLogEntry.get_attributes().values()})
    assert written <= allowed
    granting = names(StaffMember, "staff_person_id", "role", "valid_from", "valid_to") | names(
        Permit, "scope", "state", "permit_id")
    assert not granting & allowed
    # No other statement lets the ingest write to the table.
    for other in document["Statement"]:
        if other is statement:
            continue
        resources = other["Resource"] if isinstance(other["Resource"], list) else [other["Resource"]]
        if any(isinstance(r, dict) and str(r.get("Fn::Sub", "")).endswith("-institutions") for r in resources):
            assert not {"dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:DeleteItem",
                        "dynamodb:BatchWriteItem"} & set(other["Action"])
