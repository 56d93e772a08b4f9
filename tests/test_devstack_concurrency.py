"""`make dev` keeps what it acknowledges while several users write at once.

Moto's threaded server answers requests on many threads, and moto's DynamoDB is not written for
that: a transaction checks its conditions and then writes, and another request's transaction can
run in between (both pass `attribute_not_exists`/`version = n`, both are acknowledged, one of the
two writes is gone), and a query iterating a table that another thread changes fails with a 500.
The dev stack therefore serialises the requests its moto server answers (devstack/moto_server.py).
This test is the check: writers race on one record (each lost race is a cancelled transaction)
while others write records of their own, all through the running stack's HTTP API, and every
write answered 2xx must be found as it was acknowledged.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from tests.browser.support import start_stack
from tests.test_devstack import click_through_login, who_am_i

RACERS, RACES = 8, 25  # threads writing one shared record, requests each
OWNERS, OWN = 4, 15  # threads writing records of their own, records each


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    yield from start_stack(tmp_path_factory)


def exam(person_id: str, source_id: str, tag: str) -> dict[str, Any]:
    """An exam of the demo graduate whose subject names the request that sent it (names given: she
    need not be the school's pupil)."""
    return {"kind": "EXAM", "person_id": person_id, "source_id": source_id, "subject": f"Fizika {tag}",
            "start_date": "2026-06-08", "score": 70, "given_name": "Gabija", "family_name": "Butkutė",
            "birth_date": "2007-08-21"}


def test_every_acknowledged_write_is_found_after_concurrent_writers(stack: dict[str, str]) -> None:
    base = stack["url"]
    token = click_through_login(base, stack["representative"])
    institution = next(iter(who_am_i(base, token)["institutions"]))  # type: ignore[call-overload]
    graduate = stack["resident"]
    records_url = f"{base}/institutions/{institution}/records"
    start = threading.Barrier(RACERS + OWNERS)
    statuses: list[int] = []
    shared: list[tuple[int, str]] = []  # (version acknowledged, tag sent)
    shared_ids: set[str] = set()
    owned: list[tuple[str, str]] = []  # (record id acknowledged, tag sent)
    lock = threading.Lock()

    def post(session: requests.Session, body: dict[str, Any]) -> requests.Response:
        response = session.post(records_url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        with lock:
            statuses.append(response.status_code)
        return response

    def racer(number: int) -> None:
        session = requests.Session()
        start.wait()
        for race in range(RACES):
            tag = f"{number}.{race}"  # which request's content a version holds
            response = post(session, exam(graduate, f"race-{institution}", tag))
            if response.status_code in (200, 201):
                with lock:
                    shared.append((int(response.json()["version"]), tag))
                    shared_ids.add(str(response.json()["record_id"]))

    def owner(number: int) -> None:
        session = requests.Session()
        start.wait()
        for own in range(OWN):
            tag = f"{number}.{own}"
            response = post(session, exam(graduate, f"own-{number}-{own}", tag))
            if response.status_code in (200, 201):
                with lock:
                    owned.append((str(response.json()["record_id"]), tag))

    with ThreadPoolExecutor(RACERS + OWNERS) as pool:
        jobs = [pool.submit(racer, n) for n in range(RACERS)] + [pool.submit(owner, n) for n in range(OWNERS)]
        for job in jobs:
            job.result()

    # Only answers the API promises: written, or the race lost (409) — never a 5xx from moto.
    assert set(statuses) <= {200, 201, 409}, sorted(statuses)
    assert len(owned) == OWNERS * OWN  # nobody races a writer of their own records

    def detail(record_id: str) -> dict[str, Any]:
        response = requests.get(f"{records_url}/{record_id}", headers={"Authorization": f"Bearer {token}"},
                                timeout=30)
        assert response.status_code == 200, (record_id, response.status_code)
        return dict(response.json())

    for record_id, tag in owned:
        assert detail(record_id)["subject"] == f"Fizika {tag}"

    # The shared record: each version acknowledged once, and holding what that request sent.
    by_version: dict[int, list[str]] = defaultdict(list)
    for version, tag in shared:
        by_version[version].append(tag)
    twice = {version: tags for version, tags in by_version.items() if len(tags) > 1}
    assert not twice, f"versions acknowledged to more than one writer: {twice}"
    assert len(shared_ids) == 1
    versions = {v["version"]: v["fields"]["subject"] for v in detail(shared_ids.pop())["versions"]}
    for version, tag in shared:
        assert versions.get(version) == f"Fizika {tag}", (version, tag, versions.get(version))


UPLOAD_ROWS, API_WRITERS = 1500, 12


def test_api_writes_racing_an_upload_are_all_found(stack: dict[str, str]) -> None:
    """API writers post records an upload is writing at the same moment (each API write the upload
    meets first makes its row a rejected `row.conflict`, each row written first turns the API's
    write into the next version): whoever wins, what the API acknowledged is what was stored."""
    base = stack["url"]
    token = click_through_login(base, stack["representative"])
    auth = {"Authorization": f"Bearer {token}"}
    institution = next(iter(who_am_i(base, token)["institutions"]))  # type: ignore[call-overload]
    graduate = stack["resident"]
    records_url = f"{base}/institutions/{institution}/records"
    started = requests.post(f"{base}/institutions/{institution}/uploads", json={"file_name": "egzaminai.csv"},
                            headers=auth, timeout=30)
    assert started.status_code == 201, started.text
    upload = started.json()
    rows = "kind;person_id;source_id;subject;start_date;score\r\n" + "".join(
        f"EXAM;{graduate};up-{n};Chemija {n};2026-06-09;60\r\n" for n in range(UPLOAD_ROWS))
    report_url = f"{base}/institutions/{institution}/uploads/{upload['upload_id']}"

    def status() -> dict[str, Any]:
        return dict(requests.get(report_url, headers=auth, timeout=30).json())

    statuses: list[int] = []
    acknowledged: list[tuple[str, int, str]] = []  # (record id, version, tag sent)
    done = threading.Event()
    lock = threading.Lock()

    def writer(number: int) -> None:
        session, chosen = requests.Session(), random.Random(number)
        sent = 0
        while not done.is_set():
            row, tag = chosen.randrange(UPLOAD_ROWS), f"{number}.{sent}"
            sent += 1
            response = session.post(records_url, json=exam(graduate, f"up-{row}", tag), headers=auth, timeout=60)
            with lock:
                statuses.append(response.status_code)
                if response.status_code in (200, 201):
                    body = response.json()
                    acknowledged.append((str(body["record_id"]), int(body["version"]), tag))

    with ThreadPoolExecutor(API_WRITERS) as pool:
        jobs = [pool.submit(writer, n) for n in range(API_WRITERS)]
        sent = requests.post(upload["url"], data=upload["fields"], timeout=30,
                             files={"file": ("egzaminai.csv", rows.encode("utf-8-sig"), "text/csv")})
        assert sent.status_code in (200, 204), sent.text
        deadline = time.monotonic() + 300
        report = status()
        while report["status"] in ("PENDING", "PROCESSING") and time.monotonic() < deadline:
            time.sleep(0.3)
            report = status()
        done.set()
        for job in jobs:
            job.result()

    assert report["status"] == "DONE", report
    assert report["rows_written"] + report["rows_rejected"] == UPLOAD_ROWS, report
    assert set(statuses) <= {200, 201, 409}, sorted(statuses)
    assert acknowledged and report["rows_rejected"] > 0  # the race happened both ways
    stored: dict[str, dict[int, str]] = {}
    for record_id in {record_id for record_id, _, _ in acknowledged}:
        response = requests.get(f"{records_url}/{record_id}", headers=auth, timeout=30)
        assert response.status_code == 200, (record_id, response.status_code)
        stored[record_id] = {v["version"]: v["fields"]["subject"] for v in response.json()["versions"]}
    lost = [(version, tag, stored[record_id].get(version)) for record_id, version, tag in acknowledged
            if stored[record_id].get(version) != f"Fizika {tag}"]
    assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged writes lost: {lost[:5]}"
