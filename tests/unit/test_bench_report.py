"""`make bench` writes its table into docs/PERFORMANCE.md, replacing the previous one."""

import json
from pathlib import Path

import pytest

from bench import __main__ as bench


def test_the_table_replaces_the_previous_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = tmp_path / "PERFORMANCE.md"
    report.write_text("# Performance\n\n<!-- BENCH:START -->\n<!-- BENCH:END -->\n\ntext\n")
    monkeypatch.setattr(bench, "REPORT", report)
    figure = {"x": {"value": 1.5, "unit": "×", "goal": "≤ 2×", "measured_at": "2026-11-28"}}
    bench.write_report(figure)
    bench.write_report(figure | {"x": figure["x"] | {"value": 1.2}})
    text = report.read_text()
    assert text.count("| x |") == 1 and "| x | 1.2 × | ≤ 2× | 2026-11-28 |" in text
    assert text.endswith("<!-- BENCH:END -->\n\ntext\n")
    assert json.loads(Path(bench.RESULTS).read_text())  # the committed figures are readable
