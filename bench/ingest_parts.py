"""`python -m bench ingest_parts`: the sequential writer against a file cut into parts
(services/ingest_parts.py), side by side in one run on one moto server, on a typical school file
(two rows per pupil, 90% of the pupils already in the register):

A. With AWS-like latency (bench/aws_hooks.py: 8 ms per DynamoDB call, 20 ms per S3 call):
   `ROWS_A` rows written by one invocation, and the same file cut into `PARTS` parts: the scan,
   then every part in a process of its own, as many at once as this machine has cores. Each
   process measures its own CPU time and counts its calls. On Lambda each invocation has its own
   vCPU (1,769 MB) and DynamoDB's service time is inside the latency figure, so an invocation
   takes its CPU time plus its calls' latency: that is the AWS-like time of each design, and the
   speed-up is their ratio.
   Every process is warmed first (its clients made, as in a warm container) and not timed then.
   The wall-clock times on this machine are printed too; they are capped by its 2 cores, which
   moto (one lock, devstack/moto_server.py) and the parts share.
B. Without latency, `ROWS_B` rows, twice (the median): the real path at its default settings
   (such a file is cut into parts, run at once) and one writer, each as rows/s per item/s of a
   bare batch_write_item loop writing exactly the items the ingest wrote
   (bench/ingest_throughput.py's baseline), and as items/s against that loop's.
C. The largest file, 500,000 rows (a dry run: the same reading and validation without writes,
   so moto's storage does not count; no warming, so only the clients the ingest makes count):
   the scan's time and peak memory, and one part's.

Then a 500,000-row upload projected from A and C: the scan, measured at full size, then its parts
at the default size in waves of the event source's cap, each as long as the slowest part's
AWS-like time per row makes it, then the merge.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from bench.aws_hooks import DYNAMODB, OTHER, S3, latency_from_env
from bench.ingest_throughput import ROOT, _env, _free_port, _wait

ROWS_A = 8_000
PARTS = 8
ROWS_B = 20_000
ROUNDS_B = 2  # one writer, the bare loop, the real path; twice, interleaved: the median of each
LARGEST_FILE = 500_000
KNOWN_SHARE = 0.9
LAMBDA_LIMIT_MINUTES = 15
NO_SPLIT = {"UPLOAD_SPLIT_BYTES": str(1 << 40)}
AT_ONCE = os.cpu_count() or 2


def run() -> dict[str, dict[str, Any]]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "devstack.moto_server", "-p", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    measured: dict[str, Any] = {"plain": [], "bare": [], "real": []}
    try:
        _wait(endpoint)
        latency = {"BENCH_LATENCY": "1"}
        measured["sequential"] = _sequential(endpoint, "mr-bench-pa-seq", ROWS_A, latency)
        measured["split"] = _split(endpoint, "mr-bench-pa-split", ROWS_A, latency, _cut(ROWS_A, PARTS))
        for index in range(ROUNDS_B):
            measured["plain"].append(_sequential(endpoint, f"mr-bench-pb-seq-{index}", ROWS_B, {}, record=True))
            measured["bare"].append(_one(endpoint, "bench.ingest_throughput",
                                         ["bare", str(ROWS_B), f"mr-bench-pb-bare-{index}"], {}))
            # The real path at its default settings: a file of this size is cut into parts.
            measured["real"].append(_split(endpoint, f"mr-bench-pb-real-{index}", ROWS_B, {}, {}))
        _one(endpoint, __name__, ["prepare", str(LARGEST_FILE), "mr-bench-pc", "dry"], {})
        # With latency: its CPU time is its own all the same, and its S3 reads are counted.
        measured["scan"] = _one(endpoint, __name__, ["scan", str(LARGEST_FILE), "mr-bench-pc", "cold"],
                                {"UPLOAD_SPLIT_BYTES": "1"} | latency)
        last = int(measured["scan"]["parts_total"]) - 1
        measured["part"] = _one(endpoint, __name__, ["part", str(LARGEST_FILE), "mr-bench-pc", str(last), "cold"], {})
    finally:
        server.kill()
        server.wait(timeout=60)
    return _figures(measured)


def _cut(rows: int, parts: int) -> dict[str, str]:
    return {"UPLOAD_SPLIT_BYTES": "1", "UPLOAD_PART_ROWS": str(-(-rows // parts))}


def _aws_seconds(result: dict[str, Any]) -> float:
    """What the measured work takes on Lambda: its own CPU time plus each call's latency."""
    latency = latency_from_env()
    calls: dict[str, float] = result.get("aws_calls", {})
    waits = sum(count * latency.get(service, latency[OTHER]) / 1000 for service, count in calls.items())
    return float(result["cpu_seconds"]) + waits


def _figures(measured: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from chalicelib.config import settings
    from chalicelib.handlers.uploads import INGEST_MAXIMUM_CONCURRENCY

    today = date.today().isoformat()
    latency = latency_from_env()
    assumed = f"{latency[DYNAMODB]:g} ms per DynamoDB call, {latency[S3]:g} ms per S3 call"
    sequential, split, scan, part = measured["sequential"], measured["split"], measured["scan"], measured["part"]
    seq_aws = _aws_seconds(sequential)
    parts = split["parts"]
    slowest = max(parts, key=_aws_seconds)
    split_aws = _aws_seconds(split["scan"]) + _aws_seconds(slowest)
    speedup = seq_aws / split_aws
    wall_seq, wall_split = sequential["seconds"], split["scan"]["seconds"] + split["span"]
    # 500,000 rows at the default part size: the scan measured at full size (its CPU, its calls'
    # latency), then the parts in waves of the event source's cap, each as long as the slowest
    # part's time per row (its fixed costs spread over its 1,000 rows: more than over 5,000), then
    # the merge (the finishing part's own, its S3 calls grown with the number of parts).
    part_rows = settings().upload_part_rows
    count = int(scan["parts_total"])
    waves = -(-count // INGEST_MAXIMUM_CONCURRENCY)
    finishing = next(p for p in parts if p["finished"])
    merge = _aws_seconds({"cpu_seconds": finishing["finish_cpu_seconds"],
                          "aws_calls": {k: v * count / PARTS for k, v in finishing["finish_calls"].items()}})
    write_per_row = (_aws_seconds(slowest) - _aws_seconds({"cpu_seconds": slowest["finish_cpu_seconds"],
                                                           "aws_calls": slowest["finish_calls"]})) / slowest["rows"]
    scan_500k = _aws_seconds(scan)
    split_500k = (scan_500k + waves * write_per_row * part_rows + merge) / 60
    seq_500k = seq_aws / ROWS_A * LARGEST_FILE / 60
    items = measured["bare"][0]["items"]
    item_rate = [b["items"] / b["seconds"] for b in measured["bare"]]
    one_writer = statistics.median([ROWS_B / p["seconds"] / r
                                    for p, r in zip(measured["plain"], item_rate, strict=True)])
    real = statistics.median([ROWS_B / (x["scan"]["seconds"] + x["span"]) / r
                          for x, r in zip(measured["real"], item_rate, strict=True)])
    real_parts = len(measured["real"][0]["parts"])
    print(f"A ({ROWS_A} rows, {assumed}): one writer {seq_aws:.1f} s AWS-like ({wall_seq:.1f} s here); "
          f"{PARTS} parts {split_aws:.1f} s AWS-like (scan {_aws_seconds(split['scan']):.1f} s + slowest part "
          f"{_aws_seconds(slowest):.1f} s; {wall_split:.1f} s here): {speedup:.1f}×")
    print(f"   500,000 rows: one writer {seq_500k:.1f} min; in {count} parts of {part_rows}, {waves} waves of "
          f"{INGEST_MAXIMUM_CONCURRENCY}: {split_500k:.1f} min (scan {scan_500k:.0f} s, a part "
          f"{write_per_row * part_rows:.0f} s, merge {merge:.1f} s)")
    print(f"B ({ROWS_B} rows, no latency, median of {ROUNDS_B}): bare batch_write {item_rate} items/s "
          f"({items / ROWS_B:.2f} items per row); rows/s per item/s: one writer {one_writer:.2f}, the real path "
          f"({real_parts} parts) {real:.2f}")
    print(f"C (500,000 rows): scan {scan['cpu_seconds']:.1f} s CPU, peak {scan['peak_mb']} MB; "
          f"a part of {part['rows']} rows peak {part['peak_mb']} MB")
    return {
        "ingest_parts_speedup_aws_latency": {
            "value": round(speedup, 1), "unit": "×",
            "goal": f"≥ 4× one writer ({ROWS_A} typical rows, {PARTS} parts, {assumed}; own CPU + latency, "
                    f"side by side; on this machine's 2 cores {wall_seq / wall_split:.1f}×)", "measured_at": today},
        "ingest_500k_rows_projected_minutes_in_parts": {
            "value": round(split_500k, 1), "unit": "min",
            "goal": f"< 5 (Lambda's limit {LAMBDA_LIMIT_MINUTES} per invocation): the scan, {count} parts of "
                    f"{part_rows} rows in {waves} waves of {INGEST_MAXIMUM_CONCURRENCY}, the merge, AWS-like; "
                    f"one writer {seq_500k:.1f} min", "measured_at": today},
        "ingest_500k_rows_scan_seconds": {
            "value": round(scan_500k), "unit": "s",
            "goal": "informative: reading the whole largest file once to cut it (CPU + S3 latency)",
            "measured_at": today},
        "ingest_20k_rows_per_item_of_batch_write": {
            "value": round(real, 2), "unit": "rows/s per item/s",
            "goal": f"≥ 0.3: the real path ({real_parts} parts at the default settings), {ROWS_B} typical rows, no "
                    f"latency, vs a bare batch_write_item loop of the same items; one writer {one_writer:.2f}",
            "measured_at": today},
        "ingest_20k_items_vs_batch_write": {
            "value": round(real * items / ROWS_B, 2), "unit": "×",
            "goal": f"≥ 0.7× the bare batch_write_item loop's items/s (the real path; one writer "
                    f"{one_writer * items / ROWS_B:.2f}×)", "measured_at": today},
        "ingest_20k_items_per_typical_row": {
            "value": round(items / ROWS_B, 2), "unit": "items",
            "goal": "≤ 3: what the upload wrote (records, heads, journal, persons), per row", "measured_at": today},
        "ingest_peak_memory_500k_rows_scan": {
            "value": scan["peak_mb"], "unit": "MB", "goal": "< 300 MB: the scan of the largest file",
            "measured_at": today},
        "ingest_peak_memory_part_of_500k_rows": {
            "value": part["peak_mb"], "unit": "MB",
            "goal": f"< 300 MB: one part ({part['rows']} rows), the last of the largest file", "measured_at": today},
    }


# --- the parent's helpers -------------------------------------------------------------------------


def _command(module: str, args: list[str]) -> list[str]:
    return [sys.executable, "-m", module, *args]


def _one(endpoint: str, module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    prefix = args[2]
    result = subprocess.run(_command(module, args), env=_env(endpoint, prefix) | env, cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"bench worker {args} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _sequential(endpoint: str, prefix: str, rows: int, env: dict[str, str], record: bool = False) -> dict[str, Any]:
    _one(endpoint, __name__, ["prepare", str(rows), prefix], {})
    result = _one(endpoint, __name__, ["sequential" if not record else "recorded", str(rows), prefix],
                  env | NO_SPLIT)
    if result["status"] != "DONE":
        raise RuntimeError(f"the sequential ingest ended {result['status']}")
    return result


def _split(endpoint: str, prefix: str, rows: int, env: dict[str, str], cut: dict[str, str]) -> dict[str, Any]:
    """The scan, then every part in a process of its own, `AT_ONCE` at a time: as many as this
    machine has cores, so that each part's own CPU time is measured as the one writer's is (beside
    moto only), as each invocation on Lambda has a vCPU of its own."""
    _one(endpoint, __name__, ["prepare", str(rows), prefix], {})
    scan = _one(endpoint, __name__, ["scan", str(rows), prefix], env | cut)

    def part(number: int) -> dict[str, Any]:
        return _one(endpoint, __name__, ["part", str(rows), prefix, str(number)], env | cut)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(part, range(int(scan["parts_total"]))))
    if not any(r["finished"] for r in results):
        raise RuntimeError("no part finished the upload")
    span = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {"scan": scan, "parts": results, "span": span}


# --- inside a worker process ----------------------------------------------------------------------


def _prepare(rows: int, prefix: str, dry_run: bool) -> dict[str, Any]:
    """An institution, the uploads queue, the typical file and its upload; the known pupils
    already in the register (written directly: their creation is not what is measured)."""
    from datetime import UTC, datetime

    import boto3

    from bench.ingest_throughput import HEADER, exam_row, put_upload, setup_institution
    from chalicelib.config import UPLOADS_QUEUE
    from chalicelib.domain.personal_code import make_personal_code
    from chalicelib.models.persons import Person
    from chalicelib.services.persons import summary_of

    rep = setup_institution()
    boto3.client("sqs").create_queue(QueueName=UPLOADS_QUEUE)
    pupils = [make_personal_code("M" if i % 2 else "F", date(2008, 1, 1) + timedelta(days=i % 3000), i // 3000)
              for i in range(rows // 2)]
    known = pupils[:int(len(pupils) * KNOWN_SHARE)]
    if not dry_run:
        now = datetime.now(UTC)
        with Person.batch_write() as persons:
            for person_id in known:
                persons.save(Person(person_id, given_name="Vardenis", family_name="Pavardenis", source="INSTITUTION",
                                    created_institution="inst", created_at=now, updated_at=now, updated_by="bench"))
        from chalicelib.models.records import RecordsItem

        with RecordsItem.batch_write() as summaries:
            for person_id in known:
                summaries.save(summary_of(Person(person_id, given_name="Vardenis", family_name="Pavardenis")))
    lines = [HEADER, *(exam_row(p, f"s-{i}-{n}", i + n) for i, p in enumerate(pupils) for n in (0, 1))]
    return {"key": put_upload(f"up-{rows}", rep, lines, dry_run)}


def _warm(latency: Any) -> None:
    """What a warm Lambda container has done before its next message: every client made, the
    service models loaded (a cold start is not the design's cost, and on a busy September day the
    containers stay warm). Its calls are not counted."""
    from chalicelib import queues, storage
    from chalicelib.config import settings
    from chalicelib.models.tables import ALL_MODELS
    from chalicelib.models.uploads import UploadPart

    models: list[Any] = [*ALL_MODELS, UploadPart]
    for model in models:
        model.describe_table()
    storage.s3().list_objects_v2(Bucket=settings().uploads_bucket, MaxKeys=1)
    queues.send_upload_parts("warm", [0])  # (a part of no upload: ignored if ever delivered)
    if latency is not None:
        latency.calls.clear()


def _calls(latency: Any) -> dict[str, int]:
    return dict(latency.calls) if latency is not None else {}


def _main(mode: str, rows: int, prefix: str, extra: list[str], latency: Any) -> dict[str, Any]:
    """`extra`: "dry" (prepare a dry run), a part's number, "cold" (no warming: a peak memory is
    measured, and the warming would make clients the ingest never makes)."""
    from bench.ingest_throughput import _peak_rss_mb, _record_writes
    from chalicelib.models.uploads import Upload

    if mode == "prepare":
        return _prepare(rows, prefix, dry_run="dry" in extra)
    key = f"incoming/inst/up-{rows}/bench.csv"
    if "cold" not in extra:
        _warm(latency)
    if mode in ("sequential", "recorded", "scan"):
        from chalicelib.services.ingest import ingest_object

        if mode == "recorded":
            _record_writes()  # for the bare batch_write_item loop (bench/ingest_throughput.py)
        start, cpu = time.perf_counter(), time.process_time()
        status = ingest_object(key)
        return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "status": status,
                "peak_mb": round(_peak_rss_mb()), "aws_calls": _calls(latency),
                "parts_total": int(Upload.get(f"up-{rows}").parts_total or 0)}
    from chalicelib.services import ingest_parts

    number = int(next((e for e in extra if e.isdigit()), "0"))
    finish: dict[str, Any] = {"cpu": 0.0, "calls": {}, "merged": False}
    real_finish, real_merge = ingest_parts.finish_if_complete, vars(ingest_parts)["_finish"]

    def noted_merge(*args: Any, **kwargs: Any) -> str:
        finish["merged"] = True
        return str(real_merge(*args, **kwargs))

    def timed_finish(upload_id: str) -> str:
        before_cpu, before_calls = time.process_time(), _calls(latency)
        status = real_finish(upload_id)
        finish["cpu"] = time.process_time() - before_cpu
        after = _calls(latency)
        finish["calls"] = {k: after.get(k, 0) - before_calls.get(k, 0) for k in after}
        return status

    vars(ingest_parts).update(finish_if_complete=timed_finish, _finish=noted_merge)
    from chalicelib.models.uploads import UploadPart, part_key

    part_rows = int(UploadPart.get(part_key(f"up-{rows}", number)).row_count)
    started, cpu = time.time(), time.process_time()
    status = ingest_parts.ingest_part(f"up-{rows}", number)
    ended = time.time()
    return {"seconds": ended - started, "cpu_seconds": time.process_time() - cpu, "status": status,
            "finished": bool(finish["merged"]),
            "started": started, "ended": ended, "rows": part_rows, "peak_mb": round(_peak_rss_mb()),
            "aws_calls": _calls(latency), "finish_cpu_seconds": finish["cpu"], "finish_calls": finish["calls"]}


if __name__ == "__main__":
    hooks = None
    if os.environ.get("BENCH_LATENCY") == "1":
        from bench.aws_hooks import Latency, install_on_new_clients

        hooks = Latency(latency_from_env())
        install_on_new_clients(hooks)
    arguments = sys.argv[1:]
    print(json.dumps(_main(arguments[0], int(arguments[1]), arguments[2], arguments[3:], hooks)))
