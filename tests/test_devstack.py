"""`make dev` as a user runs it: the stack comes up, answers /health, holds the demo data, stops on Ctrl-C."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from chalicelib.domain.kinds import KINDS
from chalicelib.domain.personal_code import make_personal_code
from devstack import seed

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http(method: str, url: str, form: dict[str, str] | None = None,
         headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict[str, str], str]:
    """One request, no redirects followed, cookies left to the caller (Secure cookies on
    http://127.0.0.1 are what a browser keeps for localhost; urllib's jar would drop them)."""
    if form is not None:
        data = urllib.parse.urlencode(form).encode()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    def flat(message: Any) -> dict[str, str]:
        return dict(message) | {"Set-Cookie": "\n".join(message.get_all("Set-Cookie") or [])}

    try:
        with opener.open(request, timeout=10) as response:
            return response.status, flat(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, flat(error.headers), error.read().decode()


def cookie(headers: dict[str, str], name: str) -> str:
    found = re.search(rf"{re.escape(name)}=([^;]*)", headers.get("Set-Cookie", ""))
    assert found, headers
    return found.group(1)


def click_through_login(base: str, person: str) -> str:
    """The login as a browser does it; returns the access token the start page would get."""
    status, headers, page = http("GET", f"{base}/auth/login")
    assert status == 200, page
    login_cookie = cookie(headers, "__Host-mr_login")
    portal = re.search(r'action="([^"]+)"', page)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page)
    assert portal and ticket
    status, _, picker = http("POST", portal.group(1), {"ticket": ticket.group(1)})
    assert status == 200 and person in picker
    status, _, postback = http("POST", portal.group(1) + "/choose",
                               {"ticket": ticket.group(1), "person": person, "provider": "auth.lt.bank"})
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', postback))
    action = re.search(r'action="([^"]+)"', postback)
    assert action and action.group(1) == f"{base}/auth/callback"
    status, headers, _ = http("POST", action.group(1), fields, {"Cookie": f"__Host-mr_login={login_cookie}"})
    assert status == 303
    session = cookie(headers, "__Host-mr_session")
    status, _, body = http("POST", f"{base}/auth/token", {}, {
        "Cookie": f"__Host-mr_session={session}", "X-Requested-With": "mokiniu-registras"})
    assert status == 200
    return str(json.loads(body)["access_token"])


def who_am_i(base: str, token: str) -> dict[str, object]:
    status, _, body = http("GET", f"{base}/me", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, body
    return dict(json.loads(body))


# Someone the demo data does not know, named ministry staff the way a developer would (with a stray space).
EXTRA_MINISTRY = make_personal_code("F", date(1990, 3, 4), 512)


def test_ministry_staff_entries_are_checked_normalised_and_added_to_the_demo_ones() -> None:
    demo = seed.ministry_staff()
    assert demo and seed.extra_ministry_staff(f" {EXTRA_MINISTRY} ,,{EXTRA_MINISTRY}") == [EXTRA_MINISTRY]
    assert seed.ministry_staff([EXTRA_MINISTRY, demo[0]]) == [*demo, EXTRA_MINISTRY]
    bad = EXTRA_MINISTRY[:-1] + str((int(EXTRA_MINISTRY[-1]) + 1) % 10)
    with pytest.raises(SystemExit) as refused:
        seed.extra_ministry_staff(f"{EXTRA_MINISTRY},{bad}")
    assert str(refused.value) == "MINISTRY_STAFF: entry 2 is not a valid personal code (checksum)"


def test_dev_stack_comes_up_seeded_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "PORT": str(port), "XDG_CACHE_HOME": str(tmp_path), "MINISTRY_STAFF": f" {EXTRA_MINISTRY}",
        # Every file is cut into parts of one row: the parts go through the stack's own queue.
        "UPLOAD_SPLIT_BYTES": "1", "UPLOAD_PART_ROWS": "1"}
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
        kinds = Counter(item["kind"]["S"] for item in records if "kind" in item)  # versions have none
        institutions = dynamodb.scan(TableName="mr-local-institutions")["Items"]
        item_types = Counter(item["item_type"]["S"] for item in institutions)
        assert persons >= 20
        assert set(kinds) == {kind.name for kind in KINDS}  # the demo shows every kind
        assert item_types["PROFILE"] >= 3 and item_types["PERMIT"] >= 3 and item_types["STAFF"] >= 3
        for code in codes:  # every identity printed is a person in the register
            assert dynamodb.get_item(TableName="mr-local-persons", Key={"person_id": {"S": code}}).get("Item")

        base = f"http://127.0.0.1:{port}"
        ministry = re.search(r"ministry\s+\S+ \S+\s+(\d{11})", banner)
        guardian = re.search(r"guardian of .*?(\d{11})", banner)
        assert ministry and guardian
        # The demo ministry person is its administrator and an official; the auditor is printed too.
        assert who_am_i(base, click_through_login(base, ministry.group(1)))["roles"] == [
            "ministry", "ministry_administrator", "resident"]
        auditor = re.search(r"auditor \(data protection\)\s+\S+ \S+\s+(\d{11})", banner)
        assert auditor
        assert who_am_i(base, click_through_login(base, auditor.group(1)))["roles"] == ["auditor", "resident"]
        assert who_am_i(base, click_through_login(base, guardian.group(1)))["roles"] == ["guardian", "resident"]
        # MINISTRY_STAFF adds to the demo ministry staff: the demo register already has an administrator,
        # so the variable alone would grant nothing; the stack appoints the added person to the demo
        # ministry person's roles, and the fake gateway offers them; their code is not printed.
        assert "Also ministry staff from MINISTRY_STAFF: 1 personal code(s)" in banner
        assert EXTRA_MINISTRY not in banner
        assert who_am_i(base, click_through_login(base, EXTRA_MINISTRY))["roles"] == [
            "ministry", "ministry_administrator", "resident"]

        # A school uploads a file through the API; the bridge hands it to ingest_upload, which cuts
        # it into parts (one row each here) and queues them; the bridge hands those on too.
        representative = re.search(r"representative of Vilniaus .*?(\d{11})", banner)
        assert representative
        rep_token = click_through_login(base, representative.group(1))
        institution = list(who_am_i(base, rep_token)["institutions"])  # type: ignore[call-overload]
        # The Vilnius school's representative is its administrator (issue 16, item 2).
        assert "(administrator)" in representative.group(0)
        _, _, staff_body = http("GET", f"{base}/institutions/{institution[0]}/staff",
                                headers={"Authorization": f"Bearer {rep_token}"})
        roles = {entry["person_id"]: entry["role"] for entry in json.loads(staff_body)["representatives"]}
        # Its only administrator; the representative of two schools (the school page's choice of
        # institution) is one of its representatives.
        two = re.search(r"representative of two schools .*?(\d{11})", banner)
        assert two
        assert roles == {representative.group(1): "ADMINISTRATOR", two.group(1): "REPRESENTATIVE"}
        status, _, body = http("POST", f"{base}/institutions/{institution[0]}/uploads",
                               headers={"Authorization": f"Bearer {rep_token}", "Content-Type": "application/json"},
                               data=json.dumps({"file_name": "egzaminai 2026+.csv"}).encode())
        assert status == 201, body
        started = json.loads(body)
        graduate = re.search(r"resident\s+Gabija Butkutė\s+(\d{11})", banner)
        assert graduate
        rows = ("kind;person_id;source_id;subject;start_date;score\r\n"
                f"EXAM;{graduate.group(1)};dev-1;Fizika;2026-06-08;66\r\n"
                f"EXAM;{graduate.group(1)};dev-2;Chemija;2026-06-09;71\r\n"
                f"EXAM;{graduate.group(1)};dev-3;Biologija;2026-06-10;250\r\n")
        sent = requests.post(started["url"], data=started["fields"], timeout=10,
                             files={"file": ("egzaminai 2026+.csv", rows.encode("utf-8-sig"), "text/csv")})
        assert sent.status_code in (200, 204), sent.text
        deadline, report = time.monotonic() + 30, {}
        while time.monotonic() < deadline:
            _, _, body = http("GET", f"{base}/institutions/{institution[0]}/uploads/{started['upload_id']}",
                              headers={"Authorization": f"Bearer {rep_token}"})
            report = json.loads(body)
            if report["status"] not in ("PENDING", "PROCESSING"):
                break
            time.sleep(0.3)
        assert (report["status"], report["rows_written"], report["rows_rejected"]) == ("DONE", 2, 1), report
        assert [(e["line"], e["column"]) for e in report["errors"]] == [(4, "score")]

        # The schedule's stand-in passes every seeded qualification to the fake DAKPR, once.
        dakpr_url = re.search(r"Fake DAKPR: (http://\S+)", banner)
        assert dakpr_url
        deadline, dakpr_state = time.monotonic() + 30, {}
        while time.monotonic() < deadline:
            dakpr_state = json.loads(http("GET", f"{dakpr_url.group(1)}/_fake/state")[2])
            if len(dakpr_state["registrations"]) >= kinds["QUALIFICATION"]:
                break
            time.sleep(0.5)
        assert len(dakpr_state["registrations"]) == len(dakpr_state["documents"]) == kinds["QUALIFICATION"]
        outbox = subprocess.run([sys.executable, "-m", "chalicelib.services.transfer", "list"], cwd=ROOT,
                                env={k: v for k, v in env.items() if k not in ("REGISTER_STAGE", "TABLE_PREFIX")},
                                capture_output=True, text=True, timeout=60, check=True)
        assert outbox.stdout == ""  # no dead letters

        # chalice local runs the authoriser too: no token 401, a bad one 403.
        assert http("GET", f"{base}/me")[0] == 401
        assert http("GET", f"{base}/me", headers={"Authorization": "Bearer a.b.c"})[0] == 403

        # The dev token CLI, from a shell that knows nothing but the cache folder.
        cli_env = {k: v for k, v in env.items() if k not in ("REGISTER_STAGE", "TABLE_PREFIX", "MINISTRY_STAFF")}
        token = subprocess.run([sys.executable, "-m", "chalicelib.auth.devtoken", guardian.group(1)], cwd=ROOT,
                               env=cli_env, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        assert who_am_i(base, token)["roles"] == ["guardian", "resident"]
        extra_token = subprocess.run([sys.executable, "-m", "chalicelib.auth.devtoken", EXTRA_MINISTRY], cwd=ROOT,
                                     env=cli_env, capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        assert who_am_i(base, extra_token)["roles"] == ["ministry", "ministry_administrator", "resident"]
        refused = subprocess.run(
            [sys.executable, "-m", "chalicelib.auth.devtoken", guardian.group(1)], cwd=ROOT,
            env=cli_env | {"REGISTER_STAGE": "prod"}, capture_output=True, text=True, timeout=60, check=False,
        )
        assert refused.returncode == 1 and not refused.stdout
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Student Register stopped." in rest
    with socket.socket() as probe:  # the app server went down with it
        assert probe.connect_ex(("127.0.0.1", port)) != 0
