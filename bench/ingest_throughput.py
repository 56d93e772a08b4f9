"""Bulk ingest on moto, side by side in one run:

- the real `ingest_object` on a 50,000-row CSV (1,000 new pupils, 50 exams each);
- (a) the limit: a bare boto3 `batch_write_item` loop writing exactly the items the ingest wrote
  (records, heads, journal entries, persons, summaries; versions where it wrote any), 25 a call;
- (b) the same items as conditional `transact_write_items`, 100 a call: what the ingest's
  conditions cost by themselves;
- (c) one `put_item` per item, on a tenth of them, scaled.

And peak memory of the ingest process for 50,000 and 500,000 rows (dry runs: the same reading,
validation, look-ups and report, without the writes, so moto's own storage does not count).
Moto runs as a separate server process (`python -m devstack.moto_server`: moto with item-level
transaction rollback, devstack/moto_fixes.py), so its memory is not the ingest's.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PUPILS = 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(endpoint: str, prefix: str) -> dict[str, str]:
    inherited = {name: value for name, value in os.environ.items() if name != "BENCH_LATENCY"}
    return inherited | {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                         "AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-north-1", "REGISTER_STAGE": "local",
                         "TABLE_PREFIX": prefix}


def run() -> dict[str, dict[str, Any]]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "devstack.moto_server", "-p", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        _wait(endpoint)
        ingest = _worker(endpoint, "ingest", 50_000)
        bare = _worker(endpoint, "bare", 50_000)
        transact = _worker(endpoint, "transact", 50_000)
        per_item = _worker(endpoint, "put", 50_000)
        memory_50k = _worker(endpoint, "dry", 50_000)
        memory_500k = _worker(endpoint, "dry", 500_000)
    finally:
        server.kill()  # its memory holds every item written: no point in a graceful stop
        server.wait(timeout=60)
    today = date.today().isoformat()
    per_item_seconds = per_item["seconds"] / per_item["items"] * bare["items"]
    return {
        "ingest_50k_rows_per_second": {"value": round(50_000 / ingest["seconds"]), "unit": "rows/s",
                                       "goal": "informative (moto server on this machine)", "measured_at": today},
        "ingest_vs_batch_write_limit": {"value": round(bare["seconds"] / ingest["seconds"], 2), "unit": "×",
                                        "goal": "informative: one writer, every chunk of 100 rows naming 100 pupils, "
                                                "vs a bare batch_write_item loop of the same items (the real path's "
                                                "≥ 0.7×: ingest_20k_items_vs_batch_write)",
                                        "measured_at": today},
        "conditional_transactions_vs_batch_write": {
            "value": round(bare["seconds"] / transact["seconds"], 2), "unit": "×",
            "goal": "informative: the same items as conditional 100-item transactions vs bare batch writes "
                    "(on DynamoDB a transactional write costs 2 write units instead of 1)", "measured_at": today},
        "ingest_items_per_new_row": {"value": round(bare["items"] / 50_000, 2), "unit": "items",
                                     "goal": "informative: every row a new pupil's or the 50th of one, 100 pupils "
                                             "a chunk (one journal item per row)", "measured_at": today},
        "ingest_vs_put_item_per_item": {"value": round(per_item_seconds / ingest["seconds"], 1), "unit": "×",
                                        "goal": "≥ 5× one put_item per item", "measured_at": today},
        "ingest_peak_memory_50k_rows": {"value": memory_50k["peak_mb"], "unit": "MB",
                                        "goal": "< 300 MB, flat", "measured_at": today},
        "ingest_peak_memory_500k_rows": {"value": memory_500k["peak_mb"], "unit": "MB",
                                         "goal": "< 300 MB, flat (same as 50k)", "measured_at": today},
    }


def _wait(endpoint: str) -> None:
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("moto_server did not start")


def _worker(endpoint: str, mode: str, rows: int, extra_env: dict[str, str] | None = None,
            prefix: str | None = None) -> dict[str, Any]:
    """Each measurement in a fresh process; the file and the upload are made by another process
    first, so the measured process's memory is the ingest's alone. `extra_env` is given to the
    measured process only (not to the preparation)."""
    prefix = prefix or f"mr-bench-{mode}-{rows}"
    command = [sys.executable, "-m", "bench.ingest_throughput"]
    if mode in ("ingest", "timed", "dry"):
        subprocess.run([*command, "prepare-dry" if mode == "dry" else "prepare-ingest", str(rows), prefix],
                       env=_env(endpoint, prefix), cwd=ROOT, capture_output=True, text=True, check=True)
    # One invocation writes the whole file, however big: this is the one writer's figure (the real
    # path cuts a big file into parts, bench/ingest_parts.py).
    one_writer = {"UPLOAD_SPLIT_BYTES": str(1 << 40)}
    result = subprocess.run([*command, mode, str(rows), prefix],
                            env=_env(endpoint, prefix) | one_writer | (extra_env or {}),
                            cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"bench worker {mode} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# --- inside the worker process ------------------------------------------------------------------


def _prepare(rows: int, dry_run: bool) -> str:
    """Tables, bucket, an institution with a permit and a representative, the file and its upload."""
    from datetime import timedelta

    from chalicelib.domain.personal_code import make_personal_code

    rep = setup_institution()
    lines = [HEADER]
    pupils = [make_personal_code("M" if i % 2 else "F", date(2008, 1, 1) + timedelta(days=i % 3000), i % 1000)
              for i in range(PUPILS)]
    for i in range(rows):
        lines.append(exam_row(pupils[i % PUPILS], f"row-{i}", i))
    return put_upload(f"up-{rows}", rep, lines, dry_run)  # the ingest modes use the same key


HEADER = "kind;person_id;given_name;family_name;source_id;subject;start_date;score;level"


def exam_row(person_id: str, source_id: str, i: int, score: int | None = None) -> str:
    return (f"EXAM;{person_id};Vardenis;Pavardenis;{source_id};Dalykas {i % 40};2025-06-{i % 28 + 1:02d};"
            f"{i % 101 if score is None else score};A")


def setup_institution() -> str:
    """Tables, bucket, the institution "inst" with a permit and a representative (returned)."""
    from datetime import UTC, datetime, timedelta

    import boto3

    from chalicelib.config import settings
    from chalicelib.domain.personal_code import make_personal_code
    from chalicelib.models.institutions import (
        PROFILE_ITEM,
        InstitutionProfile,
        Permit,
        StaffMember,
        permit_item,
        staff_item,
    )
    from chalicelib.models.tables import create_tables

    create_tables()
    boto3.client("s3").create_bucket(Bucket=settings().uploads_bucket,
                                     CreateBucketConfiguration={"LocationConstraint": settings().region})
    now, today = datetime.now(UTC), date.today()
    rep = make_personal_code("F", date(1980, 1, 1), 1)
    InstitutionProfile("inst", PROFILE_ITEM, name="Mokykla", legal_entity_code="211950810", municipality="LT-57",
                       created_at=now, created_by="bench").save()
    Permit("inst", permit_item("p"), permit_id="p", scope={"read", "write"}, state="ACTIVE",
           valid_from=(today - timedelta(days=1)).isoformat(), valid_to=(today + timedelta(days=1)).isoformat(),
           created_at=now, created_by="bench").save()
    StaffMember("inst", staff_item(rep), staff_person_id=rep, created_at=now, created_by="bench").save()
    return rep


def put_upload(upload_id: str, uploaded_by: str, lines: list[str], dry_run: bool = False) -> str:
    """The file in the bucket and its upload item; returns the object key ingest_object takes."""
    from datetime import UTC, datetime

    import boto3

    from chalicelib.config import settings
    from chalicelib.models.uploads import Upload

    now = datetime.now(UTC)
    key = f"incoming/inst/{upload_id}/bench.csv"
    boto3.client("s3").put_object(Bucket=settings().uploads_bucket, Key=key,
                                  Body=("\r\n".join(lines) + "\r\n").encode())
    Upload(upload_id, institution_id="inst", uploaded_by=uploaded_by, file_name="bench.csv", object_key=key,
           dry_run=dry_run, created_at=now, updated_at=now).save()
    return key


ITEMS_FILE = Path(tempfile.gettempdir()) / "mr-bench-ingest-items.jsonl"


def _peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not getrusage's ru_maxrss: Linux hands a
    child its parent's maximum at fork, so a child of a big parent would report the parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _record_writes() -> None:
    """During the timed ingest, note every item its transactions write (for the baselines)."""
    from chalicelib.services import records

    real = records.apply
    sink = ITEMS_FILE.open("w")

    def recording(plans: Any) -> None:
        real(plans)  # only what was committed is noted
        for plan in plans:
            for write in plan.writes:
                if write.action == "put":
                    sink.write(json.dumps([write.item.logical_table(), write.item.serialize()]) + "\n")

    vars(records)["apply"] = recording  # the name apply_in_groups calls


def _key_names(client: Any, table: str) -> str:
    return str(client.describe_table(TableName=table)["Table"]["KeySchema"][0]["AttributeName"])


def _written_items() -> list[tuple[str, dict[str, Any]]]:
    with ITEMS_FILE.open() as source:
        return [(table, item) for table, item in map(json.loads, source)]


def _main(mode: str, rows: int, prefix: str) -> dict[str, Any]:
    import boto3

    from chalicelib.config import settings

    if mode.startswith("prepare-"):
        return {"key": _prepare(rows, dry_run=mode == "prepare-dry")}
    if mode in ("ingest", "timed", "dry"):
        key = f"incoming/inst/up-{rows}/bench.csv"
        from chalicelib.services.ingest import ingest_object

        if mode == "ingest":
            _record_writes()  # costs a JSON line per item: the ingest's figure is, if anything, worse

        start, cpu = time.perf_counter(), time.process_time()
        status = ingest_object(key)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = _peak_rss_mb()
        # cpu_seconds: this process's own work (moto answers from another process).
        return {"seconds": seconds, "cpu_seconds": cpu, "status": status, "peak_mb": round(peak), "rows": rows}
    # The baselines write again exactly what the ingest wrote (noted by _record_writes), timed.
    items = _written_items()
    from chalicelib.models.tables import create_tables

    create_tables()
    client = boto3.client("dynamodb")
    tables = {t: settings().table_name(t) for t in {table for table, _ in items}}
    start = time.perf_counter()
    if mode == "bare":
        for index in range(0, len(items), 25):
            requests: dict[str, list[Any]] = {}
            for table, item in items[index:index + 25]:
                requests.setdefault(tables[table], []).append({"PutRequest": {"Item": item}})
            while requests:
                requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
        written = len(items)
    elif mode == "transact":
        # The same items, each conditional on being new, 100 to a TransactWriteItems: what the
        # conditions alone cost, apart from the ingest's reading, planning and reporting.
        keys = {t: _key_names(client, tables[t]) for t in tables}
        for index in range(0, len(items), 100):
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": tables[table], "Item": item,
                         "ConditionExpression": "attribute_not_exists(#k)",
                         "ExpressionAttributeNames": {"#k": keys[table]}}}
                for table, item in items[index:index + 100]])
        written = len(items)
    else:
        subset = items[::10]
        for table, item in subset:
            client.put_item(TableName=tables[table], Item=item)
        written = len(subset)
    return {"seconds": time.perf_counter() - start, "items": written}


if __name__ == "__main__":
    if os.environ.get("BENCH_LATENCY") == "1":  # bench/ingest_latency.py: AWS-like round trips
        from bench.aws_hooks import Latency, install_on_new_clients, latency_from_env

        latency = Latency(latency_from_env())
        install_on_new_clients(latency)
        print(json.dumps(_main(sys.argv[1], int(sys.argv[2]), sys.argv[3]) | {"aws_calls": dict(latency.calls)}))
    else:
        print(json.dumps(_main(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
