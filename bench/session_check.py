"""What the logout check costs the authoriser: the DynamoDB calls it makes per token (counted
exactly), the size of the item it reads (which sets the read units billed), and its time side by
side on moto in this process — the authoriser with the check, the token part alone (what the
authoriser did before the check), and a bare boto3 GetItem of the same item."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

import boto3
import botocore.client
from chalice.app import AuthRequest

from bench.harness import per_call_seconds
from bench.token_verification import authorise_token_part
from bench.world import demo_register

ARN = "arn:aws:execute-api:eu-north-1:1:api/api/GET/me/history"
READ_UNIT_BYTES = 4096  # a strongly consistent read of up to 4 KB is one read request unit


def run() -> dict[str, dict[str, Any]]:
    with demo_register() as people:
        return _measure(people["graduate"])


def item_bytes(item: dict[str, dict[str, str]]) -> int:
    """An item's size as DynamoDB bills it: attribute names plus values (strings in UTF-8; a number
    about one byte per two digits, plus one)."""
    size = 0
    for name, value in item.items():
        (kind, raw), = value.items()
        size += len(name.encode()) + (len(raw.encode()) if kind == "S" else math.ceil(len(raw.lstrip("-")) / 2) + 1)
    return size


def _measure(person_id: str) -> dict[str, dict[str, Any]]:
    from chalicelib.config import settings
    from chalicelib.handlers.security import authorize
    from chalicelib.services.sessions import access_token_for, open_session

    session_id = open_session(person_id, "bench").session_id
    request = AuthRequest("TOKEN", f"Bearer {access_token_for(person_id, session_id)[0]}", ARN)
    table, key = settings().table_name("sessions"), {"session_key": {"S": f"SESSION#{session_id}"}}
    client = boto3.client("dynamodb")

    calls: list[tuple[str, bool]] = []
    original: Callable[..., Any] = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls.append((operation, bool(params.get("ConsistentRead"))))
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        assert authorize(request).routes == ["*"]
    finally:
        botocore.client.BaseClient._make_api_call = original
    size = item_bytes(client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"])

    timings = per_call_seconds({
        "token only": lambda: authorise_token_part(request),
        "authorise with the session check": lambda: authorize(request),
        "bare GetItem": lambda: client.get_item(TableName=table, Key=key, ConsistentRead=True),
    }, calls=50, rounds=9)
    check = timings["authorise with the session check"] - timings["token only"]
    today = date.today().isoformat()
    return {
        "logout_check_dynamodb_calls": {
            "value": len(calls), "unit": "calls", "measured_at": today,
            "goal": f"1 strongly consistent GetItem per token the authoriser sees: {calls}"},
        "logout_check_read_units": {
            "value": math.ceil(size / READ_UNIT_BYTES), "unit": "RRU", "measured_at": today,
            "goal": f"1 per uncached token (session item {size} B ≤ 4 KB; strongly consistent)"},
        "logout_check_vs_bare_get_item": {
            "value": round(check / timings["bare GetItem"], 2), "unit": "×", "measured_at": today,
            "goal": "informative: PynamoDB and reading the settings, over the bare read"},
        "authoriser_with_vs_without_logout_check": {
            "value": round(timings["authorise with the session check"] / timings["token only"], 2), "unit": "×",
            "measured_at": today,
            "goal": "informative (moto in process; in AWS the read is a few ms, once per token per 60 s)"},
    }
