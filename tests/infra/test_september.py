"""September on paper (docs/OPERATIONS.md "September: 1,000 uploads at once"): the numbers in
.chalice/config.json, the ingest's decorator, its IAM policy, infra/app.json and infra/register.yaml
agree with each other and with the doc. Static: reads the files, deploys nothing (the packaged
template's copy of the same settings: tests/infra/test_iac.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
QUEUE_ARN = {"Fn::ImportValue": {"Fn::Sub": "mr-${Stage}-UploadsQueueArn"}}
DATA_KEY_ARN = {"Fn::ImportValue": {"Fn::Sub": "mr-${Stage}-DataKeyArn"}}
PARTS = {"Fn::Sub": "arn:${AWS::Partition}:s3:::mr-${Stage}-uploads/parts/*"}
# The doc's assumptions behind the write budget (docs/OPERATIONS.md "September"): the faster of the
# two per-invocation rates (docs/PERFORMANCE.md, the AWS-like estimate) and the records table's
# write units per new row of a typical school file: 2.05 items (record, head, a new pupil's
# summary), two units each as every row is written in a transaction.
FAST_ROWS_PER_SECOND = 770
RECORDS_WRITE_UNITS_PER_ROW = 4.1
LAMBDA_ACCOUNT_CONCURRENCY = 1000  # the default quota
LAMBDA_UNRESERVED_MINIMUM = 100  # Lambda keeps this much for functions without a reservation


def config() -> dict[str, Any]:
    return dict(json.loads((ROOT / ".chalice" / "config.json").read_text())["lambda_functions"]["ingest_upload"])


def register() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "infra" / "register.yaml").read_text()))


def app_template() -> dict[str, Any]:
    return dict(json.loads((ROOT / "infra" / "app.json").read_text()))


def policy() -> list[dict[str, Any]]:
    return list(json.loads((ROOT / ".chalice" / "policies" / "ingest_upload.json").read_text())["Statement"])


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def section() -> str:
    """docs/OPERATIONS.md's September section, up to the next section."""
    text = (ROOT / "docs" / "OPERATIONS.md").read_text()
    start = text.index("## September: 1,000 uploads at once")
    end = text.find("\n## ", start + 3)
    return text[start:end if end > 0 else None]


def test_the_ingest_runs_on_one_full_vcpu_for_the_whole_lease() -> None:
    """1,769 MB is one full vCPU (the scan and the writes are CPU-bound Python); the lease a run
    holds lasts at least as long as Lambda lets it run, and runs out before SQS shows the message
    again, so a redelivery after a crash can claim it."""
    from chalicelib.services.ingest import LEASE

    settings = config()
    assert settings["lambda_memory_size"] == 1769
    assert settings["lambda_timeout"] == 900
    queue = register()["Resources"]["UploadsQueue"]["Properties"]
    assert settings["lambda_timeout"] <= LEASE.total_seconds() <= queue["VisibilityTimeout"]


def test_the_queue_outlasts_the_function_and_the_backlog() -> None:
    resources = register()["Resources"]
    queue, dead = resources["UploadsQueue"]["Properties"], resources["UploadsDeadLetterQueue"]["Properties"]
    timeout = config()["lambda_timeout"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # AWS's advice for an SQS event source
    assert queue["VisibilityTimeout"] <= 43200  # SQS's maximum, 12 hours
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["UploadsDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    # A message's age counts from its first enqueue, also in the dead-letter queue: it must keep longer.
    assert dead["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"] >= 4 * 86400
    assert queue["KmsMasterKeyId"] == {"Ref": "DataKey"}


def test_the_event_source_stays_under_the_reserved_concurrency_and_leaves_the_api_its_share() -> None:
    from chalicelib.handlers.uploads import INGEST_BATCH_SIZE, INGEST_MAXIMUM_CONCURRENCY

    reserved = config()["reserved_concurrency"]
    assert INGEST_BATCH_SIZE == 1
    assert 2 <= INGEST_MAXIMUM_CONCURRENCY <= reserved  # 2: the least SQS's ScalingConfig accepts
    # One place only: infra/app.json must not override what config.json packages.
    functions = app_template()["Resources"]
    assert "ReservedConcurrentExecutions" not in functions["IngestUpload"]["Properties"]
    others = {name: functions[name]["Properties"]["ReservedConcurrentExecutions"]
              for name in ("APIHandler", "JwtAuth", "TransferQualifications", "SnapshotStatistics")}
    assert others["APIHandler"] >= 400 and others["JwtAuth"] >= 200
    assert sum(others.values()) + reserved + LAMBDA_UNRESERVED_MINIMUM <= LAMBDA_ACCOUNT_CONCURRENCY


def test_the_records_table_is_warm_for_what_the_cap_lets_through() -> None:
    """On-demand takes only double its previous peak within 30 minutes: the records table is
    pre-warmed for the ingest's cap at the faster per-invocation rate."""
    from chalicelib.handlers.uploads import INGEST_MAXIMUM_CONCURRENCY

    template = register()
    warm = template["Resources"]["RecordsTable"]["Properties"]["WarmThroughput"]
    assert warm["WriteUnitsPerSecond"] == {"Ref": "RecordsWarmWriteUnits"}
    needed = INGEST_MAXIMUM_CONCURRENCY * FAST_ROWS_PER_SECOND * RECORDS_WRITE_UNITS_PER_ROW
    default = template["Parameters"]["RecordsWarmWriteUnits"]["Default"]
    assert needed <= default <= 40000  # 40,000: DynamoDB's default per-table quota, nothing to request
    assert warm["ReadUnitsPerSecond"] >= INGEST_MAXIMUM_CONCURRENCY * FAST_ROWS_PER_SECOND  # a head read a row
    # No table-wide cost cap: it would throttle the API and the transfer along with the ingest.
    assert "OnDemandThroughput" not in template["Resources"]["RecordsTable"]["Properties"]


def alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: r["Properties"] for name, r in resources.items() if r.get("Type") == "AWS::CloudWatch::Alarm"}


def test_the_alarms_show_when_it_falls_behind() -> None:
    from chalicelib.handlers.uploads import INGEST_MAXIMUM_CONCURRENCY

    template = register()
    stage = alarms(template["Resources"])

    def on(metric: str, **dimensions: Any) -> list[dict[str, Any]]:
        return [a for a in stage.values() if a["MetricName"] == metric
                and {d["Name"]: d["Value"] for d in a["Dimensions"]} == dimensions]

    queue_name = {"Fn::GetAtt": ["UploadsQueue", "QueueName"]}
    backlog = on("ApproximateAgeOfOldestMessage", QueueName=queue_name)
    assert len(backlog) == 1 and backlog[0]["Namespace"] == "AWS/SQS" and backlog[0]["Statistic"] == "Maximum"
    assert backlog[0]["Threshold"] == 3600
    assert on("ApproximateNumberOfMessagesVisible", QueueName={"Fn::GetAtt": ["UploadsDeadLetterQueue", "QueueName"]})
    records = {"Ref": "RecordsTable"}
    assert on("WriteThrottleEvents", TableName=records)
    indexes = [i["IndexName"] for i in template["Resources"]["RecordsTable"]["Properties"]["GlobalSecondaryIndexes"]]
    for index in indexes:  # an index that cannot keep up throttles the table's writes
        assert on("WriteThrottleEvents", TableName=records, GlobalSecondaryIndexName=index), index
    for alarm in stage.values():
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm["AlarmName"]

    app = alarms(app_template()["Resources"])
    ingest = {a["MetricName"]: a for a in app.values()
              if a["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "IngestUpload"}}]}
    assert {"Errors", "Throttles", "ConcurrentExecutions"} <= set(ingest)
    assert ingest["Throttles"]["Threshold"] == 0 and ingest["Throttles"]["Statistic"] == "Sum"
    at_cap = ingest["ConcurrentExecutions"]
    assert at_cap["Threshold"] == INGEST_MAXIMUM_CONCURRENCY
    assert at_cap["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and at_cap["Statistic"] == "Maximum"


def test_the_ingest_sends_only_to_its_own_queue_and_spools_only_under_parts() -> None:
    statements = policy()
    for statement in statements:
        actions = as_list(statement["Action"])
        assert not any(a in ("*", "sqs:*", "s3:*") for a in actions), statement["Sid"]
        if any(a.startswith("sqs:") for a in actions):
            assert as_list(statement["Resource"]) == [QUEUE_ARN], statement["Sid"]
        if "s3:DeleteObject" in actions:
            assert as_list(statement["Resource"]) == [PARTS], statement["Sid"]
    sending = [s for s in statements if "sqs:SendMessage" in as_list(s["Action"])]
    assert len(sending) == 1 and set(sending[0]["Action"]) == {"sqs:GetQueueUrl", "sqs:SendMessage"}
    spool = [s for s in statements if PARTS in as_list(s["Resource"])]
    assert len(spool) == 1
    assert set(spool[0]["Action"]) == {"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"}
    # The queue is encrypted with the data key: sending needs GenerateDataKey, receiving Decrypt.
    keys = [s for s in statements if DATA_KEY_ARN in as_list(s["Resource"])]
    assert {"kms:GenerateDataKey", "kms:Decrypt"} <= {a for s in keys for a in as_list(s["Action"])}
    # The queue's own key is the one the policy names.
    assert register()["Resources"]["UploadsQueue"]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}
    assert register()["Outputs"]["DataKeyArn"]["Value"] == {"Fn::GetAtt": ["DataKey", "Arn"]}


def test_parts_expire_as_a_backstop_and_never_start_an_ingest() -> None:
    template = register()
    bucket = template["Resources"]["UploadsBucket"]["Properties"]
    rules = {r["Prefix"]: r for r in bucket["LifecycleConfiguration"]["Rules"] if "Prefix" in r}
    parts = rules["parts/"]
    assert parts["Status"] == "Enabled" and parts["ExpirationInDays"] == {"Ref": "PartsDays"}
    assert parts["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}  # the bucket is versioned
    dead_letter_days = template["Resources"]["UploadsDeadLetterQueue"]["Properties"]["MessageRetentionPeriod"] / 86400
    # A part redriven from the dead-letter queue on its last day still finds the other parts' spools.
    assert template["Parameters"]["PartsDays"]["Default"] > dead_letter_days
    notified = [q["Filter"]["S3Key"]["Rules"] for q in bucket["NotificationConfiguration"]["QueueConfigurations"]]
    assert notified == [[{"Name": "prefix", "Value": "incoming/"}]]


def test_the_doc_states_the_settings_and_cites_aws() -> None:
    from chalicelib.handlers.uploads import INGEST_MAXIMUM_CONCURRENCY

    text = section()
    template = register()
    queue = template["Resources"]["UploadsQueue"]["Properties"]
    figures = {
        "maximum concurrency": f"`maximum_concurrency` {INGEST_MAXIMUM_CONCURRENCY}",
        "reserved concurrency": f"`reserved_concurrency` {config()['reserved_concurrency']}",
        "memory": "1,769 MB",
        "visibility": f"{queue['VisibilityTimeout']:,} s",
        "receives": f"`maxReceiveCount` {queue['RedrivePolicy']['maxReceiveCount']}",
        "warm writes": f"{template['Parameters']['RecordsWarmWriteUnits']['Default']:,}",
        "write budget": f"{INGEST_MAXIMUM_CONCURRENCY * FAST_ROWS_PER_SECOND * RECORDS_WRITE_UNITS_PER_ROW:,.0f}",
        "parts days": f"{template['Parameters']['PartsDays']['Default']} days",
    }
    for what, figure in figures.items():
        assert figure in text, (what, figure)
    cited = set(re.findall(r"https://[^\s)>]+", text))
    for page in ("https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html",
                 "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html",
                 "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-dynamodb-table-warmthroughput.html"):
        assert page in cited, page
