"""`python -m bench ingest_latency`: the real `ingest_object` (one sequential writer) on the same
2,000-row file (1,000 new pupils, two exams each), without and with AWS-like latency
(bench/aws_hooks.py: by default 8 ms per DynamoDB request and 20 ms per S3 request, from
`BENCH_LATENCY_DYNAMODB_MS`, `BENCH_LATENCY_S3_MS`), side by side in one run on one moto server,
each run on fresh tables; then a 500,000-row upload's time projected from the per-row time with
latency, against the 15-minute Lambda limit. The baseline a parallel writer must beat by 4×.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from datetime import date
from typing import Any

from bench.aws_hooks import DYNAMODB, OTHER, S3, latency_from_env
from bench.ingest_throughput import ROOT, _free_port, _wait, _worker

ROWS = 2_000
ROUNDS = 2  # off, on, off, on: a noisy neighbour slows both alike
LARGEST_FILE = 500_000
LAMBDA_LIMIT_MINUTES = 15


def run() -> dict[str, dict[str, Any]]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "devstack.moto_server", "-p", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    seconds: dict[str, list[float]] = {"off": [], "on": []}
    cpu: list[float] = []
    calls: dict[str, int] = {}
    try:
        _wait(endpoint)
        for index in range(ROUNDS):
            for mode, env in (("off", {}), ("on", {"BENCH_LATENCY": "1"})):
                result = _worker(endpoint, "timed", ROWS, extra_env=env, prefix=f"mr-bench-lat-{mode}-{index}")
                if result["status"] != "DONE":
                    raise RuntimeError(f"latency bench ({mode}) ended {result['status']}")
                seconds[mode].append(result["seconds"])
                calls = result.get("aws_calls", calls)
                cpu.append(result["cpu_seconds"])
    finally:
        server.kill()
        server.wait(timeout=60)
    off, on = statistics.median(seconds["off"]), statistics.median(seconds["on"])
    latency = latency_from_env()
    per_row_on = on / ROWS
    projected = per_row_on * LARGEST_FILE / 60
    # The added waits alone (each call's latency, no moto time): what a sequential writer could not
    # go below even with an infinitely fast server.
    waited = sum(count * latency.get(service, latency[OTHER]) / 1000 for service, count in calls.items())
    waits_only = waited / ROWS * LARGEST_FILE / 60
    # On AWS the server's time is inside the latency figure, and moto's own time (another process
    # here) is not the project's: the ingest's own CPU time plus the waits.
    own_cpu = statistics.median(cpu)
    estimate = (own_cpu + waited) / ROWS * LARGEST_FILE / 60
    today = date.today().isoformat()
    assumed = f"{latency[DYNAMODB]:g} ms per DynamoDB call, {latency[S3]:g} ms per S3 call"
    print(f"{ROWS} rows: {off:.2f} s without latency, {on:.2f} s with {assumed}; "
          f"{LARGEST_FILE:,} rows projected {projected:.1f} min (limit {LAMBDA_LIMIT_MINUTES}); "
          f"calls {calls}, of which waits alone {waits_only:.1f} min; ingest CPU {own_cpu:.2f} s, "
          f"CPU + waits projected {estimate:.1f} min")
    return {
        "ingest_2k_rows_per_second_no_latency": {
            "value": round(ROWS / off), "unit": "rows/s", "goal": "informative (moto server, side by side)",
            "measured_at": today},
        "ingest_2k_rows_per_second_aws_latency": {
            "value": round(ROWS / on), "unit": "rows/s",
            "goal": f"informative: sequential writer with {assumed}", "measured_at": today},
        "ingest_500k_rows_projected_minutes_aws_latency": {
            "value": round(projected, 1), "unit": "min",
            "goal": f"informative: one writer, wall time here (Lambda's limit {LAMBDA_LIMIT_MINUTES}; a big file "
                    "is cut into parts: ingest_500k_rows_projected_minutes_in_parts)", "measured_at": today},
        "ingest_aws_calls_per_1k_rows": {
            "value": round(sum(calls.values()) * 1000 / ROWS), "unit": "calls",
            "goal": f"informative: {calls} for {ROWS} rows", "measured_at": today},
        "ingest_500k_rows_projected_minutes_latency_waits_only": {
            "value": round(waits_only, 1), "unit": "min",
            "goal": "informative: the added round trips alone (no server time), sequential", "measured_at": today},
        "ingest_500k_rows_projected_minutes_own_cpu_plus_latency": {
            "value": round(estimate, 1), "unit": "min",
            "goal": f"informative: one writer's CPU time plus the waits, without moto's time (the AWS-like "
                    f"estimate; Lambda's limit {LAMBDA_LIMIT_MINUTES})", "measured_at": today},
    }
