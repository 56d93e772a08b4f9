"""What every table model shares: its physical name, region and endpoint come from configuration
when used, not when imported.

PynamoDB reads `Meta.table_name` / `region` / `host` and caches a connection on the model class.
Chalice's test client and `chalice local` set a stage's environment only while a request runs, and
tests switch moto instances, so a name frozen at import would point at the wrong table. Here `Meta`
attributes are properties over `config.table_binding()`, and `_get_connection` drops the cached
connection whenever that binding changes (PynamoDB itself only compares the table name).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from pynamodb.connection.table import TableConnection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import table_binding


class TableMeta(type):
    """Metaclass for a model's `Meta`: set `table` to the logical name (`persons`, `records`, ...)."""

    table: str

    @property
    def table_name(cls) -> str:
        return table_binding().table_name(cls.table)

    @property
    def region(cls) -> str:
        return table_binding().region

    @property
    def host(cls) -> str | None:
        return table_binding().endpoint_url


class RegisterMeta(metaclass=TableMeta):
    table = ""
    billing_mode = PAY_PER_REQUEST_BILLING_MODE
    # Short timeouts and bounded retries: an API call should fail fast, not hang a Lambda.
    connect_timeout_seconds = 5
    read_timeout_seconds = 10
    max_retry_attempts = 4


class RegisterModel(Model):
    _bound_to: ClassVar[tuple[str, str | None, str | None] | None] = None

    @classmethod
    def _get_connection(cls) -> TableConnection:
        tables = table_binding()
        meta: Any = cls.Meta
        binding = (tables.table_name(meta.table), tables.region, tables.endpoint_url)
        if cls.__dict__.get("_bound_to") != binding:
            cls._connection = None
            cls._bound_to = binding
        return super()._get_connection()

    @classmethod
    def logical_table(cls) -> str:
        meta: Any = cls.Meta
        return str(meta.table)


def transaction(model: type[RegisterModel], client_request_token: str | None = None) -> TransactWrite:
    """A write transaction on the connection `model` already holds (all tables share a region and
    endpoint): no new botocore client per transaction."""
    return TransactWrite(connection=model._get_connection().connection, client_request_token=client_request_token)


def condition_failed(exc: PynamoDBException) -> bool:
    """Whether a write failed only because its condition did not hold (not throttling, not an outage)."""
    return exc.cause_response_code == "ConditionalCheckFailedException"


def failed_conditions(exc: PynamoDBException) -> list[int]:
    """The positions (in the order PynamoDB sends a transaction's items: condition checks,
    deletes, puts, updates) of the items whose condition failed; empty for any other cancellation."""
    reasons = list(getattr(exc, "cancellation_reasons", None) or [])
    return [index for index, reason in enumerate(reasons)
            if reason is not None and reason.code == "ConditionalCheckFailed"]


class Refused(Exception):
    """A transaction cancelled because conditions failed: `tags` names the writes whose did."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(", ".join(tags))
        self.tags = frozenset(tags)


class Writes:
    """One transaction's writes, each with a tag, sent in the order PynamoDB sends them (condition
    checks, deletes, puts, updates), so that a cancellation says which tagged write's condition
    failed (`Refused.tags`) instead of a position to work out."""

    _ORDER = ("check", "delete", "put", "update")

    def __init__(self) -> None:
        self._writes: list[tuple[str, str, Callable[[TransactWrite], None]]] = []

    def check(self, tag: str, model: type[RegisterModel], hash_key: str, range_key: str, condition: Any) -> None:
        self._writes.append(("check", tag, lambda tx: tx.condition_check(model, hash_key, range_key,
                                                                          condition=condition)))

    def delete(self, tag: str, item: RegisterModel, condition: Any) -> None:
        self._writes.append(("delete", tag, lambda tx: tx.delete(item, condition=condition,
                                                                 add_version_condition=False)))

    def put(self, tag: str, item: RegisterModel, condition: Any = None) -> None:
        self._writes.append(("put", tag, lambda tx: tx.save(item, condition=condition)))

    def update(self, tag: str, item: RegisterModel, actions: list[Any], condition: Any) -> None:
        self._writes.append(("update", tag, lambda tx: tx.update(item, actions=actions, condition=condition,
                                                                 add_version_condition=False)))

    def commit(self, model: type[RegisterModel], attempts: int = 3) -> None:
        """All or nothing; raises `Refused` when conditions failed, anything else as it comes. A
        transaction cancelled only because another one was writing the same items at that moment
        (`TransactionConflict`: two reviewers at once) wrote nothing: it is sent again, and then
        its conditions decide — so a race ends in `Refused`, not in an error."""
        ordered = [write for action in self._ORDER for write in self._writes if write[0] == action]
        for attempt in range(attempts):
            try:
                with transaction(model) as tx:
                    for _, _, add in ordered:
                        add(tx)
                return
            except TransactWriteError as exc:
                failed = failed_conditions(exc)
                if failed:
                    raise Refused([ordered[index][1] for index in failed if index < len(ordered)]) from None
                reasons = {reason.code for reason in getattr(exc, "cancellation_reasons", None) or [] if reason}
                if "TransactionConflict" not in reasons or attempt == attempts - 1:
                    raise
                time.sleep(0.05 * 2 ** attempt)
