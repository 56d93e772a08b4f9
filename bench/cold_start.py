"""Cold start: how long a fresh Python takes to import each Lambda function's handler module, next to
a bare Chalice hello app, in fresh processes interleaved round by round; which heavy libraries each
import pulls in; and the size of the deployment package (`infra/package.py`)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HELLO = '''from chalice import Chalice

app = Chalice(app_name="hello")


@app.route("/")
def index():
    return {"hello": "world"}
'''
# What each Lambda function imports first (its Handler in the packaged template).
FUNCTIONS = {
    "api (import app)": "app",
    "authoriser": "chalicelib.handlers.security",
    "ingest_upload": "chalicelib.handlers.uploads",
    "transfer_qualifications": "chalicelib.handlers.transfer",
}
HEAVY = ("lxml", "signxml", "openpyxl", "pydantic", "botocore", "pynamodb", "jose", "cryptography")
PROBE = ("import sys, time; t = time.perf_counter(); import {module}; elapsed = time.perf_counter() - t; "
         "import json; print(json.dumps([elapsed, sorted({{m.split('.')[0] for m in sys.modules}})]))")


def _import(module: str, cwd: Path) -> tuple[float, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=cwd, capture_output=True,
                          text=True, check=True, timeout=120)
    elapsed, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return float(elapsed), set(modules)


def import_times(rounds: int = 15) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Median import time of each module in a fresh interpreter; the heavy libraries each loads."""
    with tempfile.TemporaryDirectory() as folder:
        hello = Path(folder)
        (hello / "hello_app.py").write_text(HELLO)
        candidates = {"bare Chalice hello app": ("hello_app", hello)} | {
            name: (module, ROOT) for name, module in FUNCTIONS.items()}
        samples: dict[str, list[float]] = {name: [] for name in candidates}
        loaded: dict[str, list[str]] = {}
        for _ in range(rounds):
            for name, (module, cwd) in candidates.items():
                elapsed, modules = _import(module, cwd)
                samples[name].append(elapsed)
                loaded[name] = sorted(m for m in HEAVY if m in modules)
    return {name: statistics.median(values) for name, values in samples.items()}, loaded


def package_size() -> tuple[int, int, int, list[tuple[str, int]]]:
    """Bytes of the deployment package as Chalice builds it and as shipped, of the API function's
    layer, and the package's largest parts."""
    sys.path.insert(0, str(ROOT / "infra"))
    from package import package

    with tempfile.TemporaryDirectory() as folder:
        before, after, layer = package("prod", Path(folder) / "prod", Path(sys.executable).with_name("chalice"))
        parts: Counter[str] = Counter()
        for item in zipfile.ZipFile(Path(folder) / "prod" / "deployment.zip").infolist():
            parts[item.filename.split("/", 1)[0]] += item.compress_size
    return before, after, layer, parts.most_common(5)


def run() -> dict[str, Any]:
    times, loaded = import_times()
    bare = times["bare Chalice hello app"]
    for name, seconds in times.items():
        print(f"  {name:<26} {seconds * 1000:7.1f} ms  {seconds / bare:5.2f}×  loads: {', '.join(loaded[name]) or '-'}")
    before, after, layer, parts = package_size()
    print(f"  package: {after / 1e6:.1f} MB shipped ({before / 1e6:.1f} MB as Chalice builds it), API layer "
          f"{layer / 1e6:.1f} MB; largest: " + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in parts))
    today = date.today().isoformat()
    results: dict[str, Any] = {
        f"cold_import_{key}_vs_bare_chalice": {
            "value": round(times[name] / bare, 2), "unit": "×",
            "goal": "≤ 2× a bare Chalice hello app (import in a fresh interpreter)",
            "measured_at": today}
        for name, key in (("api (import app)", "app"), ("authoriser", "authoriser"),
                          ("ingest_upload", "ingest"), ("transfer_qualifications", "transfer"))
    }
    results["cold_import_bare_chalice"] = {"value": round(bare * 1000, 1), "unit": "ms",
                                           "goal": "informative (absolute times drift on this machine)",
                                           "measured_at": today}
    results["deployment_package"] = {"value": round(after / 1e6, 1), "unit": "MB",
                                     "goal": "≤ 10 MB (the zip every function runs; the runtime's SDK left out)",
                                     "measured_at": today}
    results["api_xml_signature_layer"] = {"value": round(layer / 1e6, 1), "unit": "MB",
                                          "goal": "informative: lxml + signxml, mounted by the API function only",
                                          "measured_at": today}
    return results
