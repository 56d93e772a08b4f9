"""The embedded stack's correction to moto's TransactWriteItems (devstack/moto_fixes.py) keeps
DynamoDB's semantics — all or nothing, one cancellation reason per item — while touching only the
items a transaction names."""

from __future__ import annotations

import copy
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib.config import settings


def _put(table: str, key: str, condition: str | None = None, **values: Any) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table, "Item": {"person_id": {"S": key}} | {
        name: {"S": value} for name, value in values.items()}}
    if condition:
        put |= {"ConditionExpression": condition}
    return {"Put": put}


@pytest.fixture
def persons(aws: None) -> str:
    return settings().table_name("persons")


def test_a_failed_condition_writes_nothing_and_names_the_item(persons: str) -> None:
    client = boto3.client("dynamodb")
    client.put_item(TableName=persons, Item={"person_id": {"S": "taken"}, "given_name": {"S": "Old"}})
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=[
            _put(persons, "new", given_name="New"),
            _put(persons, "taken", "attribute_not_exists(person_id)", given_name="Overwritten"),
        ])
    reasons = [r["Code"] for r in refused.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in client.get_item(TableName=persons, Key={"person_id": {"S": "new"}})
    kept = client.get_item(TableName=persons, Key={"person_id": {"S": "taken"}})["Item"]
    assert kept["given_name"]["S"] == "Old"


def test_an_error_half_way_puts_back_what_was_written(persons: str) -> None:
    client = boto3.client("dynamodb")
    client.put_item(TableName=persons, Item={"person_id": {"S": "a"}, "given_name": {"S": "Before"}})
    client.put_item(TableName=persons, Item={"person_id": {"S": "b"}, "given_name": {"S": "Text"}})
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[
            _put(persons, "a", given_name="After"),
            {"Update": {"TableName": persons, "Key": {"person_id": {"S": "b"}},
                        "UpdateExpression": "ADD given_name :n",  # ADD to a string: refused by DynamoDB
                        "ExpressionAttributeValues": {":n": {"N": "1"}}}},
        ])
    assert client.get_item(TableName=persons, Key={"person_id": {"S": "a"}})["Item"]["given_name"]["S"] == "Before"


def test_a_transaction_copies_only_the_items_it_names(persons: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Moto's own version deep-copied the whole table once per item: O(table) per transaction."""
    from moto.dynamodb.models.table import Table

    client = boto3.client("dynamodb")
    for start in range(0, 200, 25):
        client.batch_write_item(RequestItems={persons: [
            {"PutRequest": {"Item": {"person_id": {"S": f"p{n}"}}}} for n in range(start, start + 25)]})
    copied: list[str] = []
    real = copy.deepcopy

    def counting(value: Any, *args: Any) -> Any:
        copied.append(type(value).__name__)
        return real(value, *args)

    monkeypatch.setattr(copy, "deepcopy", counting)
    client.transact_write_items(TransactItems=[_put(persons, f"new{n}", "attribute_not_exists(person_id)")
                                              for n in range(10)])
    assert Table.__name__ not in copied
    assert client.describe_table(TableName=persons)["Table"]["ItemCount"] in (0, 210)  # moto may not count
    assert len(client.scan(TableName=persons)["Items"]) == 210
