"""`make bench`: run every benchmark, print a table, write bench/results.json and the figures in
docs/PERFORMANCE.md (between the BENCH markers)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from bench import (
    access_cost,
    cold_start,
    history_overhead,
    ingest_items,
    ingest_latency,
    ingest_parts,
    ingest_throughput,
    session_check,
    state_views,
    token_verification,
)

BENCHMARKS = (token_verification, session_check, access_cost, history_overhead, cold_start, ingest_throughput,
              state_views, ingest_items, ingest_latency, ingest_parts)
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "PERFORMANCE.md"


def main(only: list[str]) -> None:
    """Every benchmark, or only those named (`python -m bench cold_start`): their figures replace
    the same names' in results.json, the others stay."""
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if only and RESULTS.exists() else {}
    for module in BENCHMARKS:
        if not only or module.__name__.rsplit(".", 1)[-1] in only:
            results.update(module.run())
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(write_report(results))


def write_report(results: dict[str, Any]) -> str:
    """The figures as a table, between the BENCH markers of docs/PERFORMANCE.md."""
    rows = [f"| {name} | {r['value']} {r['unit']} | {r['goal']} | {r['measured_at']} |" for name, r in results.items()]
    table = "\n".join(["| benchmark | value | goal | measured |", "|---|---|---|---|", *rows])
    report = REPORT.read_text()
    updated, found = re.subn(r"(<!-- BENCH:START -->\n)(?:.*?\n)?(<!-- BENCH:END -->)",
                             lambda m: m.group(1) + table + "\n" + m.group(2), report, flags=re.DOTALL)
    if not found:
        raise RuntimeError("docs/PERFORMANCE.md has no BENCH markers")
    REPORT.write_text(updated)
    return table


if __name__ == "__main__":
    main(sys.argv[1:])
