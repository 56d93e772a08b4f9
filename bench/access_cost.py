"""What access checks and the journal cost per request: DynamoDB calls counted exactly, and the
time of a journaled read (a representative's) against the person's own read, side by side.
Runs on moto in this process with the demo register."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import botocore.client

from bench.harness import per_call_seconds
from bench.world import demo_register, token_for


def run() -> dict[str, dict[str, Any]]:
    with demo_register() as people:
        return _measure(people)


def _measure(people: dict[str, str]) -> dict[str, dict[str, Any]]:
    from chalice.test import Client

    from app import app

    graduate, rep = token_for(people["graduate"]), token_for(people["rep_vilnius"])
    # The demo ministry person holds two ministry roles (ADMINISTRATOR, OFFICIAL) and the auditor one:
    # their roles come from the `officials` Query every request makes anyway (docs/ACCESS.md).
    ministry = token_for(people["ministry"])
    history = f"/persons/{people['graduate']}/history"
    counter: Counter[str] = Counter()
    original: Callable[..., Any] = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        # The test client runs the authoriser on every request; its session read is another
        # function's, cached per token in AWS, and measured in bench/session_check.py.
        if not (operation == "GetItem" and str(params.get("TableName", "")).endswith("-sessions")):
            counter[operation] += 1
        return original(self, operation, params)

    botocore.client.BaseClient._make_api_call = counting
    try:
        with Client(app, stage_name="local") as client:
            def get(bearer: str, path: str) -> Callable[[], object]:
                return lambda: client.http.get(path, headers={"Authorization": f"Bearer {bearer}"})

            own_read, rep_read = get(graduate, history), get(rep, history + "?purpose=bench")
            ministry_read = get(ministry, history + "?purpose=bench")
            calls = {}
            for name, request in (("own read", own_read), ("representative read", rep_read),
                                  ("ministry read", ministry_read)):
                counter.clear()
                request()
                calls[name] = dict(counter)
            timings = per_call_seconds({"own read": own_read, "representative read": rep_read}, calls=20, rounds=7)
    finally:
        botocore.client.BaseClient._make_api_call = original
    today = date.today().isoformat()

    def total(name: str) -> int:
        return sum(calls[name].values())

    return {
        "dynamodb_calls_own_history_read": {
            "value": total("own read"), "unit": "calls", "measured_at": today,
            "goal": f"informative: {calls['own read']}"},
        "dynamodb_calls_representative_history_read": {
            "value": total("representative read"), "unit": "calls", "measured_at": today,
            "goal": f"journal adds 1 PutItem; permits re-read per request: {calls['representative read']}"},
        "dynamodb_calls_ministry_history_read": {
            "value": total("ministry read"), "unit": "calls", "measured_at": today,
            "goal": "ministry roles add no call: they come from the officials Query every request makes: "
                    f"{calls['ministry read']}"},
        "representative_read_vs_own_read_time": {
            "value": round(timings["representative read"] / timings["own read"], 2), "unit": "×", "measured_at": today,
            "goal": "informative (moto in process: relative cost of the extra calls)"},
    }
