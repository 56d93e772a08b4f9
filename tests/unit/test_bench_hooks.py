"""The benchmarks' botocore hooks (bench/aws_hooks.py): the latency hook waits before every call
of the clients the ingest uses (boto3's and PynamoDB's), and the item counter counts what a
DynamoDB request writes. No wall-clock assertion: the wait goes through a recording `sleep`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from bench.aws_hooks import ItemCounter, Latency, install_on_new_clients, latency_from_env


@pytest.fixture
def moto() -> Iterator[None]:
    with mock_aws():
        yield


def test_the_latency_hook_waits_before_each_dynamodb_and_s3_call(moto: None) -> None:
    slept: list[float] = []
    latency = Latency({"dynamodb": 8.0, "s3": 20.0, "other": 5.0}, sleep=slept.append)
    undo = install_on_new_clients(latency)
    try:
        boto3.client("dynamodb").list_tables()
        boto3.client("s3").list_buckets()
        boto3.client("sqs").list_queues()
    finally:
        undo()
    assert slept == [0.008, 0.02, 0.005]
    assert latency.calls == {"dynamodb": 1, "s3": 1, "sqs": 1}


def test_pynamodb_connections_wait_too(moto: None) -> None:
    from pynamodb.connection import Connection

    slept: list[float] = []
    undo = install_on_new_clients(Latency({"dynamodb": 8.0}, sleep=slept.append))
    try:
        Connection(region="eu-north-1").list_tables()
    finally:
        undo()
    assert slept == [0.008]


def test_without_the_hook_nothing_waits(moto: None) -> None:
    slept: list[float] = []
    undo = install_on_new_clients(Latency({"dynamodb": 8.0}, sleep=slept.append))
    undo()
    boto3.client("dynamodb").list_tables()  # a client created after the undo
    assert slept == []


def test_latency_figures_come_from_the_environment() -> None:
    assert latency_from_env({}) == {"dynamodb": 8.0, "s3": 20.0, "other": 20.0}
    assert latency_from_env({"BENCH_LATENCY_DYNAMODB_MS": "3", "BENCH_LATENCY_S3_MS": "0"})["dynamodb"] == 3.0
    assert latency_from_env({"BENCH_LATENCY_S3_MS": "0"})["s3"] == 0.0


def _table(client: Any, name: str) -> None:
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")


def test_the_counter_counts_the_items_each_request_writes(moto: None) -> None:
    counter = ItemCounter()
    undo = install_on_new_clients(counter)
    try:
        client = boto3.client("dynamodb")
        _table(client, "a")
        _table(client, "b")
        client.put_item(TableName="a", Item={"k": {"S": "1"}})
        client.batch_write_item(RequestItems={
            "a": [{"PutRequest": {"Item": {"k": {"S": "2"}}}}, {"PutRequest": {"Item": {"k": {"S": "3"}}}}],
            "b": [{"PutRequest": {"Item": {"k": {"S": "1"}}}}]})
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "b", "Item": {"k": {"S": "2"}}}},
            {"Update": {"TableName": "a", "Key": {"k": {"S": "1"}}, "UpdateExpression": "SET v = :v",
                        "ExpressionAttributeValues": {":v": {"S": "x"}}}},
            {"ConditionCheck": {"TableName": "a", "Key": {"k": {"S": "2"}},
                                "ConditionExpression": "attribute_exists(k)"}}])
        client.update_item(TableName="a", Key={"k": {"S": "3"}}, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": {"S": "y"}})
        client.delete_item(TableName="b", Key={"k": {"S": "1"}})
        client.get_item(TableName="a", Key={"k": {"S": "1"}})  # a read writes nothing
    finally:
        undo()
    assert counter.items == {"a": 5, "b": 3}
    assert counter.total == 8
    assert counter.requests["GetItem"] == 1 and counter.requests["TransactWriteItems"] == 1
    # What the table really holds agrees: a has 1, 2, 3; b has 2 (1 deleted).
    assert boto3.client("dynamodb").scan(TableName="a")["Count"] == 3


def test_the_counter_ignores_other_services(moto: None) -> None:
    counter = ItemCounter()
    undo = install_on_new_clients(counter)
    try:
        boto3.client("s3").list_buckets()
    finally:
        undo()
    assert counter.requests == {} and counter.total == 0
