"""The dev stack's moto server answers one request at a time (devstack/moto_server.py).

Moto's DynamoDB checks a transaction's conditions, then writes: on its threaded server another
request's transaction can run in between, so two transactions conditional on an item not existing
can both succeed — both writers acknowledged, one write gone. Here threads start together and race
transactions that each create one contested item (after 99 condition checks, which widen moto's
gap between check and write); at most one per item may succeed, and the item holds its content.
On moto's plain threaded server (`serialised=False`) this lost writes in every round (measured:
17 writes acknowledged for 5 items, so 12 lost).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import SerialMotoServer

THREADS, ROUNDS = 4, 5
# A condition that takes moto a while to parse: 99 of them keep a transaction between its first
# check and its first write for longer than Python's thread switch interval (5 ms).
LONG_CONDITION = "attribute_not_exists(pk) OR " + " OR ".join(f"writer = :v{i}" for i in range(40))
LONG_VALUES = {f":v{i}": {"S": f"nobody-{i}"} for i in range(40)}


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    server = SerialMotoServer("127.0.0.1").start()
    try:
        client = boto3.client("dynamodb", endpoint_url=server.url, region_name="eu-north-1")
        client.create_table(TableName="race", BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        yield client
    finally:
        server.stop()


def race(client: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    """(writers acknowledged per contested item, the writer each item names)."""
    keys = [f"k{n}" for n in range(ROUNDS)]
    won: dict[str, list[str]] = {key: [] for key in keys}
    start = threading.Barrier(THREADS)
    lock = threading.Lock()

    def writer(number: int) -> None:
        for key in keys:
            checks = [{"ConditionCheck": {"TableName": "race", "Key": {"pk": {"S": f"{key}-absent-{i}"}},
                                          "ConditionExpression": LONG_CONDITION,
                                          "ExpressionAttributeValues": LONG_VALUES}} for i in range(99)]
            start.wait()
            try:
                client.transact_write_items(TransactItems=[
                    {"Put": {"TableName": "race", "Item": {"pk": {"S": key}, "writer": {"S": str(number)}},
                             "ConditionExpression": "attribute_not_exists(pk)"}}, *checks])
            except ClientError as error:
                assert error.response["Error"]["Code"] == "TransactionCanceledException"
                continue
            with lock:
                won[key].append(str(number))

    with ThreadPoolExecutor(THREADS) as pool:
        for job in [pool.submit(writer, n) for n in range(THREADS)]:
            job.result()
    stored = {key: client.get_item(TableName="race", Key={"pk": {"S": key}},
                                   ConsistentRead=True)["Item"]["writer"]["S"] for key in keys}
    return won, stored


def test_racing_conditional_transactions_one_wins_and_is_kept(dynamodb: Any) -> None:
    won, stored = race(dynamodb)
    assert {key: len(writers) for key, writers in won.items()} == dict.fromkeys(won, 1)
    assert {key: writers[0] for key, writers in won.items()} == stored
