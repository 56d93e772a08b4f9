"""A correction to moto's DynamoDB `TransactWriteItems`, for the embedded stack, the tests and the
benchmarks (never the Lambda package: AWS is the real thing there).

Moto 5.2 backs a transaction up by deep-copying every table it touches — once per item of the
transaction — and, when any condition fails, puts those copies back. That costs O(table) per item
(a 100-item transaction on a table of 100,000 items copies ten million items), so bulk uploads,
which write every row through a conditional transaction, could not be measured on moto; and under
the threaded server a cancelled transaction put back a stale copy of the whole table, erasing what
other requests wrote meanwhile.

Moto's single-item writes check their condition and then write, as separate steps too: two
threads of one process (the tests drive concurrent requests through moto in-process) could both
pass the check. Every write of the backend is therefore made under one lock here, so each is
atomic, as on DynamoDB (the dev server also lets one request in at a time, devstack/moto_server.py).

This version keeps DynamoDB's semantics — every condition is checked before anything is written,
all items are written or none, `CancellationReasons` one per item in order — with an item-level
undo log instead: it touches only the items the transaction names. Install it with `install()`
before the first request (idempotent).
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Callable
from typing import Any

_INSTALLED = "_register_item_level_transactions"
# Reentrant: a transaction's writes go through the single-item methods, under the same lock.
_WRITING = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    if getattr(DynamoDBBackend.transact_write_items, _INSTALLED, False):
        return
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    for name in _WRITES:
        setattr(DynamoDBBackend, name, _one_at_a_time(getattr(DynamoDBBackend, name)))
    setattr(DynamoDBBackend.transact_write_items, _INSTALLED, True)


def _one_at_a_time(write: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(write)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _WRITING:
            return write(*args, **kwargs)

    return locked


def _key_of(backend: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


Operation = tuple[str, dict[str, Any], dict[str, Any]]  # (type, request, key)
Reason = tuple[str | None, str | None, Any]  # (code, message, old item): moto's cancellation reason


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb.exceptions import TransactionCanceledException

    operations = _operations(self, transact_items)
    reasons = _conditions(self, operations)
    if any(code is not None for code, _, _ in reasons):
        raise TransactionCanceledException(reasons)
    _write_all_or_nothing(self, operations)


def _operations(backend: Any, transact_items: list[dict[str, Any]]) -> list[Operation]:
    """The request's operations, refused as DynamoDB refuses them: too many, or one item twice."""
    from moto.dynamodb.exceptions import (
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    operations: list[Operation] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        key = _key_of(backend, op_type, op)
        unique = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if unique in seen:
            raise MultipleTransactionsException()
        seen.add(unique)
        operations.append((op_type, op, key))
    return operations


def _conditions(backend: Any, operations: list[Operation]) -> list[Reason]:
    """Every condition against the state before the transaction; nothing is written yet."""
    from moto.dynamodb.comparisons import get_filter_expression

    reasons: list[Reason] = []
    for _, op, key in operations:
        expression = op.get("ConditionExpression")
        if expression is None:
            reasons.append((None, None, None))
            continue
        current = backend.get_item(op["TableName"], key)
        condition = _parsed_condition(expression, op.get("ExpressionAttributeNames"),
                                      op.get("ExpressionAttributeValues"), get_filter_expression)
        if condition.expr(current):
            reasons.append((None, None, None))
            continue
        old = current.to_json()["Attributes"] if current and op.get(
            "ReturnValuesOnConditionCheckFailure") == "ALL_OLD" else None
        reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
    return reasons


_PARSED: dict[str, Any] = {}


def _parsed_condition(expression: str, names: Any, values: Any, parse: Callable[..., Any]) -> Any:
    """Moto parses every condition afresh (a tenth of its time in a bulk upload); a bulk upload's
    items repeat a few conditions, so the parsed form is kept, keyed by all it was parsed from."""
    key = json.dumps([expression, names, values], sort_keys=True)
    parsed = _PARSED.get(key)
    if parsed is None:
        if len(_PARSED) > 10_000:
            _PARSED.clear()
        parsed = _PARSED[key] = parse(expression, names, values)
    return parsed


def _write_all_or_nothing(backend: Any, operations: list[Operation]) -> None:
    """Write, remembering each item as it was; on an error put those items back."""
    from moto.dynamodb.exceptions import MockValidationException, TransactionCanceledException

    undo: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for index, (op_type, op, key) in enumerate(operations):
            if op_type == "ConditionCheck":
                continue
            table_name = op["TableName"]
            undo.append((table_name, key, copy.deepcopy(backend.get_item(table_name, key))))
            try:
                _write(backend, op_type, op, key)
            except MockValidationException:
                raise
            except Exception as exc:  # what moto reports as that item's cancellation reason
                failed: list[Reason] = [(None, None, None)] * len(operations)
                failed[index] = (type(exc).__name__, str(exc), None)
                raise TransactionCanceledException(failed) from exc
    except Exception:
        for table_name, key, before in reversed(undo):
            if before is None:
                backend.delete_item(table_name, key)
            else:
                backend.put_item(table_name, before.to_json()["Attributes"])
        raise


def _write(backend: Any, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    if op_type == "Put":
        backend.put_item(op["TableName"], op["Item"])
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key)
    else:
        backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"],
                            expression_attribute_names=op.get("ExpressionAttributeNames"),
                            expression_attribute_values=op.get("ExpressionAttributeValues"))
