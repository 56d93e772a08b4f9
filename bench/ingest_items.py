"""`python -m bench ingest_items`: the DynamoDB items the real ingest path writes per row, counted
from what the clients actually send (bench/aws_hooks.py `ItemCounter`, a `before-call` hook on
every DynamoDB request: PutItem/UpdateItem/DeleteItem 1, BatchWriteItem its requests,
TransactWriteItems its Put/Update/Delete entries), not from reading the code.

One moto register in this process, one institution, uploads in turn (each counted alone, all its
items — the upload's own bookkeeping included — divided by its rows):

- new rows of pupils new to the register (one row per pupil);
- new rows of pupils already in the register (the same pupils, new source ids);
- changed rows (the previous file again with other scores);
- unchanged rows (that file once more);
- a typical school file: two new rows per pupil, 90% of the pupils already in the register.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.aws_hooks import ItemCounter

ROWS = 200  # per scenario; the upload's fixed items (claim, report, status) weigh 1/ROWS per row
KNOWN_SHARE = 0.9


def run() -> dict[str, dict[str, Any]]:
    figures = measure()
    today = date.today().isoformat()
    goal = ("informative: after issue 17's cuts (before: 6.01, 4.01, 4.01, 0.01); all items sent during "
            "ingest_object / rows")
    result = {
        f"ingest_items_per_{name}": {"value": round(figure["per_row"], 2), "unit": "items",
                                     "goal": goal + f"; by table {figure['by_table']}", "measured_at": today}
        for name, figure in figures.items() if name != "typical_row"
    }
    typical = figures["typical_row"]
    result["ingest_items_per_typical_row"] = {
        "value": round(typical["per_row"], 2), "unit": "items",
        "goal": "≤ 3 (issue 17): two new rows per pupil, 90% of pupils already in the register; "
                f"by table {typical['by_table']}", "measured_at": today}
    for name, figure in figures.items():
        print(f"{name:28} {figure['per_row']:5.2f} items/row  {figure['by_table']}  requests {figure['requests']}")
    return result


def measure() -> dict[str, dict[str, Any]]:
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-north-1", "REGISTER_STAGE": "local",
                       "TABLE_PREFIX": "mr-bench-items"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from bench.aws_hooks import ItemCounter, install_on_new_clients
    from devstack.moto_fixes import install

    install()
    counter = ItemCounter()
    undo = install_on_new_clients(counter)
    try:
        with mock_aws():
            return _scenarios(counter)
    finally:
        undo()


def _scenarios(counter: ItemCounter) -> dict[str, dict[str, Any]]:
    from bench.ingest_throughput import HEADER, exam_row, put_upload, setup_institution
    from chalicelib.domain.personal_code import make_personal_code
    from chalicelib.services.ingest import ingest_object

    rep = setup_institution()
    pupils = [make_personal_code("M" if i % 2 else "F", date(2009, 1, 1) + timedelta(days=i), i % 1000)
              for i in range(ROWS * 2)]
    figures: dict[str, dict[str, Any]] = {}

    def upload(name: str, rows: list[str]) -> None:
        key = put_upload(f"up-{len(figures)}", rep, [HEADER, *rows])
        counter.reset()
        status = ingest_object(key)
        if status != "DONE":
            raise RuntimeError(f"bench upload {name} ended {status}")
        by_table = {table.removeprefix("mr-bench-items-"): count for table, count in sorted(counter.items.items())}
        figures[name] = {"per_row": counter.total / len(rows), "by_table": by_table,
                         "requests": dict(sorted(counter.requests.items()))}

    first = pupils[:ROWS]
    upload("new_row_new_pupil", [exam_row(p, f"a-{i}", i) for i, p in enumerate(first)])
    upload("new_row_known_pupil", [exam_row(p, f"b-{i}", i) for i, p in enumerate(first)])
    upload("changed_row", [exam_row(p, f"b-{i}", i, score=(i + 50) % 101) for i, p in enumerate(first)])
    upload("unchanged_row", [exam_row(p, f"b-{i}", i, score=(i + 50) % 101) for i, p in enumerate(first)])
    # Typical: ROWS / 2 pupils, two rows each; 90% of them known (from `first`), the rest new.
    known = int(ROWS / 2 * KNOWN_SHARE)
    school = first[:known] + pupils[ROWS:ROWS + ROWS // 2 - known]
    upload("typical_row", [exam_row(p, f"c-{i}-{n}", i + n) for i, p in enumerate(school) for n in (0, 1)])
    return figures
