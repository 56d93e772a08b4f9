"""Benchmark-only botocore hooks: count the DynamoDB items each request writes, and add an
AWS-like latency to every AWS call. Never imported by chalicelib/ (production is the real thing).

Both hooks go on every botocore client created after `install_on_new_clients()`: boto3's clients
(`chalicelib/storage.py`'s S3 client) and PynamoDB's (its `Connection.client` creates one per
thread from a fresh `botocore.session.get_session()`), since both end in
`botocore.session.Session.create_client`. Install before the first AWS call of the process: a
client created earlier (and cached, as PynamoDB's connection is) keeps no hook.

The hooks are registered first in a client's chain so that moto's in-process stub (a `before-send`
handler of its own that answers the request) does not skip them.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

# The default round trip per request, in milliseconds (docs/PERFORMANCE.md says where they come
# from). Any other service (SQS, KMS, Secrets Manager) takes OTHER's figure.
DYNAMODB, S3 = "dynamodb", "s3"
DEFAULT_LATENCY_MS = {DYNAMODB: 8.0, S3: 20.0}
OTHER = "other"
DEFAULT_OTHER_MS = 20.0
WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems")


def latency_from_env(env: dict[str, str] | None = None) -> dict[str, float]:
    """Milliseconds per service: `BENCH_LATENCY_DYNAMODB_MS`, `BENCH_LATENCY_S3_MS`,
    `BENCH_LATENCY_OTHER_MS` (any other service) override the defaults."""
    source = os.environ if env is None else env
    figures = DEFAULT_LATENCY_MS | {OTHER: DEFAULT_OTHER_MS}
    return {service: float(source.get(f"BENCH_LATENCY_{service.upper()}_MS", default))
            for service, default in figures.items()}


class Latency:
    """Sleeps before every request a client sends (each retry too, as a real round trip would)."""

    def __init__(self, milliseconds: dict[str, float], sleep: Callable[[float], None] = time.sleep) -> None:
        self.milliseconds, self.sleep = milliseconds, sleep
        self.calls: Counter[str] = Counter()

    def delay_for(self, service: str) -> float:
        return self.milliseconds.get(service, self.milliseconds.get(OTHER, 0.0)) / 1000

    def attach(self, client: Any) -> None:
        service = client.meta.service_model.service_id.hyphenize()
        seconds = self.delay_for(service)

        def wait(**_: Any) -> None:  # None: botocore goes on and sends the request
            self.calls[service] += 1
            if seconds > 0:
                self.sleep(seconds)

        client.meta.events.register_first(f"before-send.{service}", wait, unique_id=f"bench-latency-{id(self)}")


def _table_of(entry: dict[str, Any]) -> str:
    for action in ("Put", "Update", "Delete"):
        if action in entry:
            return str(entry[action]["TableName"])
    return ""


class ItemCounter:
    """Counts what is actually sent: DynamoDB requests by operation, items written by table
    (PutItem/UpdateItem/DeleteItem 1, BatchWriteItem its requests, TransactWriteItems its
    Put/Update/Delete entries — a ConditionCheck writes nothing)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.items: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.items.values())

    def reset(self) -> None:
        self.requests.clear()
        self.items.clear()

    def note(self, operation: str, params: dict[str, Any]) -> None:
        self.requests[operation] += 1
        if operation not in WRITE_OPERATIONS:
            return
        if operation == "BatchWriteItem":
            for table, requests in params.get("RequestItems", {}).items():
                self.items[table] += len(requests)
        elif operation == "TransactWriteItems":
            for entry in params.get("TransactItems", []):
                if "ConditionCheck" not in entry:
                    self.items[_table_of(entry)] += 1
        else:
            self.items[str(params.get("TableName", ""))] += 1

    def attach(self, client: Any) -> None:
        if client.meta.service_model.service_id.hyphenize() != DYNAMODB:
            return

        def count(model: Any, params: dict[str, Any], **_: Any) -> None:
            self.note(model.name, params)

        # Once per API call (retries are not new items), with the call's own parameters: a
        # `before-call` handler sees only the serialised request (URL, headers, JSON body).
        client.meta.events.register_first("before-parameter-build.dynamodb.*", count,
                                          unique_id=f"bench-count-{id(self)}")


def install_on_new_clients(*hooks: Latency | ItemCounter) -> Callable[[], None]:
    """Attach the hooks to every botocore client created from now on; returns the undo."""
    from botocore.session import Session

    original = Session.create_client

    def create_client(self: Session, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        for hook in hooks:
            hook.attach(client)
        return client

    Session.create_client = create_client

    def undo() -> None:
        Session.create_client = original

    return undo
