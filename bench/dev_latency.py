"""What serialising the dev stack's moto costs: `make dev`'s request latency under a few concurrent
clients, with moto answering one request at a time (as `make dev` runs) and without (how it ran
before, losing writes), side by side in one run.

`python -m bench.dev_latency [--clients 4] [--requests 40]`: starts `python -m devstack` twice
(the second with DEVSTACK_UNSERIALISED_MOTO=1), and in each has `clients` threads, each logged in as
the demo school's representative, send `requests` requests alternating between a record write
(`POST .../records`, a record of their own) and a read (`GET .../records/{id}`). Prints the median
and 95th percentile per request kind. Not part of `make bench`: it starts two whole stacks.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stack(serialised: bool) -> tuple[subprocess.Popen[str], dict[str, str], str]:
    """A dev stack started and its banner read: (process, environment, banner)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "PORT": str(port), "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="mr-bench-")}
    if not serialised:
        env["DEVSTACK_UNSERIALISED_MOTO"] = "1"
    process = subprocess.Popen([sys.executable, "-m", "devstack"], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    banner, deadline = "", time.monotonic() + 120
    while time.monotonic() < deadline and "Press Ctrl-C" not in banner:
        banner += process.stdout.readline()
    if "Press Ctrl-C" not in banner:
        raise RuntimeError(banner)
    # The stack prints a line per request: keep its pipe drained.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    return process, env, banner


def _token(env: dict[str, str], person: str) -> str:
    cli_env = {k: v for k, v in env.items() if k not in ("REGISTER_STAGE", "TABLE_PREFIX", "MINISTRY_STAFF")}
    return subprocess.run([sys.executable, "-m", "chalicelib.auth.devtoken", person], cwd=ROOT, env=cli_env,
                          capture_output=True, text=True, timeout=60, check=True).stdout.strip()


def _found(pattern: str, banner: str) -> str:
    found = re.search(pattern, banner)
    if not found:
        raise RuntimeError(f"not in the banner: {pattern}")
    return found.group(1)


def measure(serialised: bool, clients: int, count: int) -> dict[str, list[float]]:
    process, env, banner = _stack(serialised)
    try:
        base = _found(r"Register:\s+(http://\S+)", banner)
        representative = _found(r"representative of Vilniaus .*?(\d{11})", banner)
        auth = {"Authorization": f"Bearer {_token(env, representative)}"}
        graduate = _found(r"resident\s+Gabija Butkutė\s+(\d{11})", banner)
        institution = next(iter(requests.get(f"{base}/me", headers=auth, timeout=30).json()["institutions"]))
        records = f"{base}/institutions/{institution}/records"
        times: dict[str, list[float]] = {"write": [], "read": []}
        lock = threading.Lock()

        def client(number: int) -> None:
            session, record_id = requests.Session(), None
            for n in range(count):
                start = time.perf_counter()
                if n % 2 == 0 or record_id is None:
                    kind = "write"
                    response = session.post(records, headers=auth, timeout=60, json={
                        "kind": "EXAM", "person_id": graduate, "source_id": f"lat-{number}-{n}",
                        "subject": "Fizika", "start_date": "2026-06-08", "score": 70, "given_name": "Gabija",
                        "family_name": "Butkutė", "birth_date": "2007-08-21"})
                    record_id = response.json().get("record_id", record_id)
                else:
                    kind = "read"
                    response = session.get(f"{records}/{record_id}", headers=auth, timeout=60)
                elapsed = time.perf_counter() - start
                if response.status_code >= 300:
                    raise RuntimeError(f"{kind}: {response.status_code} {response.text[:200]}")
                with lock:
                    times[kind].append(elapsed)

        with ThreadPoolExecutor(clients) as pool:
            for job in [pool.submit(client, n) for n in range(clients)]:
                job.result()
        return times
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _ms(values: list[float], q: float) -> float:
    return 1000 * (statistics.quantiles(values, n=100)[int(q) - 1] if q < 100 else max(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    print(f"{args.clients} clients x {args.requests} requests (half writes, half reads) against `make dev`")
    print(f"{'moto':<14} {'kind':<6} {'median ms':>10} {'p95 ms':>8}")
    for serialised in (True, False):
        times = measure(serialised, args.clients, args.requests)
        for kind, values in times.items():
            print(f"{'serialised' if serialised else 'concurrent':<14} {kind:<6} "
                  f"{1000 * statistics.median(values):>10.0f} {_ms(values, 95):>8.0f}")


if __name__ == "__main__":
    main()
