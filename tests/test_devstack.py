"""`make dev` as a user runs it: the stack comes up, answers /health, holds the demo data, stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_dev_stack_comes_up_seeded_and_stops_on_ctrl_c() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {"PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        banner = "".join(output)
        assert "Press Ctrl-C" in banner, banner

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            assert response.status == 200
            assert response.read() == b'{"status":"ok"}'

        assert f"http://127.0.0.1:{port}" in banner
        codes = re.findall(r"\b\d{11}\b", banner)
        assert len(codes) >= 7
        assert "guardian of" in banner and "ministry" in banner and "representative of" in banner

        moto_url = re.search(r"AWS \(moto\): (http://\S+)", banner)
        assert moto_url
        dynamodb = boto3.client("dynamodb", endpoint_url=moto_url.group(1), region_name="eu-north-1",
                                aws_access_key_id="local", aws_secret_access_key="local")
        persons = dynamodb.scan(TableName="mr-local-persons", Select="COUNT")["Count"]
        records = dynamodb.scan(TableName="mr-local-records")["Items"]
        kinds = Counter(item["kind"]["S"] for item in records)
        institutions = dynamodb.scan(TableName="mr-local-institutions")["Items"]
        item_types = Counter(item["item_type"]["S"] for item in institutions)
        assert persons >= 20
        assert set(kinds) == {"ENROLLMENT", "SUBJECT", "EXAM", "OLYMPIAD", "ACHIEVEMENT", "QUALIFICATION"}
        assert item_types["PROFILE"] >= 3 and item_types["PERMIT"] >= 3 and item_types["STAFF"] >= 3
        for code in codes:  # every identity printed is a person in the register
            assert dynamodb.get_item(TableName="mr-local-persons", Key={"person_id": {"S": code}}).get("Item")
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Student Register stopped." in rest
    with socket.socket() as probe:  # the app server went down with it
        assert probe.connect_ex(("127.0.0.1", port)) != 0
