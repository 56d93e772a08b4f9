"""`make dev`: the whole register on one machine.

Starts a moto server on loopback (DynamoDB, S3, SQS), creates the tables and the uploads bucket,
seeds the demo register, serves the Chalice app with `chalice local` on 127.0.0.1:$PORT, and prints
the URL and the demo identities. Ctrl-C stops everything.

`chalice local` runs without auto-reload: it restarts on any file change under the project, which
drops connections mid-demo (docs/KNOWN_TRAPS.md). Nothing here writes inside the checkout.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STAGE = "local"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def local_aws_environment(moto_url: str, ministry: list[str]) -> dict[str, str]:
    """What every local process needs: moto's endpoint and credentials that cannot reach AWS."""
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "REGISTER_STAGE": STAGE,
        "TABLE_PREFIX": f"mr-{STAGE}",
        "UPLOADS_BUCKET": f"mr-{STAGE}-uploads",
        "MINISTRY_STAFF": ",".join(ministry),
        "OPENPYXL_LXML": "False",  # as in AWS (.chalice/config.json)
    }


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the app exited with code {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the app did not answer {url} within {timeout:.0f} s")


def dev_secrets() -> dict[str, str]:
    """Keys for the local stack, generated on first run into the user's cache (never the checkout,
    never committed): the token signing key, the register's VIISP client key and certificate, the
    fake gateway's key and certificate."""
    from chalicelib.auth.devtoken import STATE_FILE
    from chalicelib.auth.keys import generate_pem
    from devstack.certs import key_and_certificate

    folder = STATE_FILE.parent
    folder.mkdir(parents=True, exist_ok=True)
    files = {name: folder / name for name in (
        "token-signing.pem", "viisp-client.pem", "viisp-client.crt", "fake-gateway.pem", "fake-gateway.crt")}
    if not files["token-signing.pem"].exists():
        files["token-signing.pem"].write_bytes(generate_pem())
    for pair in ("viisp-client", "fake-gateway"):
        if not files[f"{pair}.pem"].exists():
            key, cert = key_and_certificate(pair)
            files[f"{pair}.pem"].write_bytes(key)
            files[f"{pair}.crt"].write_bytes(cert)
    for path in files.values():
        path.chmod(0o600)
    return {name: str(path) for name, path in files.items()}


def prepare_aws(moto_url: str, extra_ministry: list[str]) -> dict[str, int]:
    """Environment, tables, bucket and demo data on the moto server; the counts seeded.

    `extra_ministry` (the caller's MINISTRY_STAFF) is added to the demo ministry staff."""
    # Imported only now: the demo data names the ministry staff the app's environment needs.
    from devstack import seed as demo

    os.environ.update(local_aws_environment(moto_url, demo.ministry_staff(extra_ministry)))
    import boto3

    from chalicelib.config import settings
    from chalicelib.models.tables import create_tables

    create_tables()
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=settings().uploads_bucket,
                     CreateBucketConfiguration={"LocationConstraint": settings().region})
    # Versioned, as in AWS (infra/register.yaml): an upload keeps the version it ingested.
    s3.put_bucket_versioning(Bucket=settings().uploads_bucket, VersioningConfiguration={"Status": "Enabled"})
    counts = demo.seed(extra_ministry=extra_ministry)
    # Statistics: whole classes, then tonight's snapshot for today, so the pages show numbers at once
    # (`chalice local` runs no schedules; `python -m chalicelib.services.snapshot` re-runs it).
    from chalicelib.domain.dates import vilnius_today
    from chalicelib.services.snapshot import run_job

    counts["statistics_pupils"] = demo.seed_statistics_classes()
    run_job(vilnius_today())
    # Open data is published for each year's reference date only: the latest one, so the public page
    # has its table (its classes started on 1 September, the default reference date).
    from chalicelib.config import settings
    from chalicelib.domain.snapshot import latest_reference_date

    reference = latest_reference_date(vilnius_today(), settings().open_data_reference_date)
    if reference != vilnius_today():
        run_job(reference)
    return counts


def configure_app(url: str, moto_url: str, gateway_url: str, keys: dict[str, str], dakpr_url: str) -> None:
    """The app's environment for this stack, also written to the state file `devtoken` reads."""
    from chalicelib.auth.devtoken import STATE_FILE
    from devstack import seed as demo

    # The fake Population Register's data lives outside the checkout (auto-reload, see above).
    population = Path(tempfile.mkdtemp(prefix="mr-dev-")) / "population.json"
    population.write_text(json.dumps({"guardianships": demo.guardianships()}, indent=2))
    residents = population.with_name("residents.jsonl")
    demo.write_residents(residents)
    app_environment = {
        "POPULATION_REGISTER_FILE": str(population),
        "POPULATION_RESIDENTS_FILE": str(residents),
        "SIGNING_KEY_FILE": keys["token-signing.pem"],
        "TOKEN_ISSUER": url,
        "PUBLIC_URL": url,
        "VIISP_SOAP_URL": f"{gateway_url}/soap",
        "VIISP_PORTAL_URL": f"{gateway_url}/portal",
        "VIISP_CLIENT_KEY_FILE": keys["viisp-client.pem"],
        "VIISP_GATEWAY_CERT_FILE": keys["fake-gateway.crt"],
        "DAKPR_URL": dakpr_url,
        # Locally a failed delivery is retried within seconds, not minutes.
        "DAKPR_RETRY_BASE_SECONDS": "2",
        "DAKPR_RETRY_CAP_SECONDS": "30",
    }
    os.environ.update(app_environment)
    # `python -m chalicelib.auth.devtoken` in another shell finds this stack through the state file.
    STATE_FILE.write_text(json.dumps({k: v for k, v in os.environ.items() if k in local_aws_environment(
        moto_url, []) or k in app_environment}, indent=2))
    STATE_FILE.chmod(0o600)


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    from devstack import seed as demo

    # Checked before anything starts; read before prepare_aws sets the stack's own value.
    extra_ministry = demo.extra_ministry_staff(os.environ.get("MINISTRY_STAFF", ""))
    from devstack.moto_server import SerialMotoServer, serialised_by_default

    # Moto's server logs every request through werkzeug; the banner must stay readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    # One request at a time: moto loses acknowledged writes under concurrent requests
    # (devstack/moto_server.py).
    moto = SerialMotoServer(HOST, serialised=serialised_by_default()).start()
    moto_url = moto.url

    counts = prepare_aws(moto_url, extra_ministry)
    url = f"http://{HOST}:{port}"
    keys = dev_secrets()
    from devstack.fake_dakpr import FakeDakpr, TransferScheduler
    from devstack.fake_viisp import FakeGateway, GatewayState
    from devstack.uploads_bridge import Poller, wire_bucket

    poller = Poller(wire_bucket(url)).start()
    gateway = FakeGateway(GatewayState(
        gateway_key_pem=Path(keys["fake-gateway.pem"]).read_bytes(),
        client_cert_pem=Path(keys["viisp-client.crt"]).read_bytes(),
        identities=demo.gateway_identities(extra_ministry),
    )).start()
    dakpr = FakeDakpr().start()
    configure_app(url, moto_url, gateway.url, keys, dakpr.url)
    demo.seed_outside_education()  # needs the residents feed configure_app wrote
    scheduler = TransferScheduler().start()
    env = os.environ | {"PYTHONUNBUFFERED": "1"}

    chalice = Path(sys.executable).with_name("chalice")
    app = subprocess.Popen(
        [str(chalice), "local", "--stage", STAGE, "--host", HOST, "--port", str(port), "--no-autoreload"],
        cwd=ROOT,
        env=env,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    # Ctrl-C stops the stack even when it was started where SIGINT is ignored (a shell's background
    # job, a test worker): an ignored signal is inherited across exec, and Python then installs no
    # KeyboardInterrupt for it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        wait_for(f"{url}/health", app)
        print_banner(url, moto_url, gateway.url, dakpr.url, counts, people=demo.identities(),
                     extra_ministry=len(extra_ministry))
        app.wait()
        return app.returncode or 0
    except KeyboardInterrupt:
        return 0
    finally:
        if app.poll() is None:
            app.terminate()
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
        poller.stop()
        scheduler.stop()
        dakpr.stop()
        gateway.stop()
        moto.stop()
        print("Student Register stopped.", flush=True)


def print_banner(
    url: str, moto_url: str, gateway_url: str, dakpr_url: str, counts: dict[str, int], *,
    people: list[tuple[str, str, str]], extra_ministry: int = 0,
) -> None:
    width = max(len(role) for role, _, _ in people)
    lines = [
        "",
        "Mokinių registras / Student Register — local stack",
        f"  Register:  {url}   (health: {url}/health; log in at {url}/auth/login)",
        f"  Fake VIISP gateway: {gateway_url}   (a means down: "
        f"curl -d providers=auth.signatureProvider {gateway_url}/admin/down)",
        f"  Fake DAKPR: {dakpr_url}   (what it got: curl {dakpr_url}/_fake/state; make it fail: "
        f"curl -d '{{\"always\": true}}' {dakpr_url}/_fake/fail)",
        "  DAKPR dead letters: .venv/bin/python -m chalicelib.services.transfer list   (replay ID / replay-all)",
        f"  AWS (moto): {moto_url}   stage '{STAGE}'",
        f"  Demo data: {counts['institutions']} institutions, {counts['persons']} persons, "
        f"{counts['records']} records",
        "  Demo identities (personal codes are made up, with valid check digits):",
        *(f"    {role:<{width}}  {name:<24} {code}" for role, name, code in people),
        # Their codes are not printed: they may be real people's.
        *([f"  Also ministry staff from MINISTRY_STAFF: {extra_ministry} personal code(s), offered by the "
           "fake gateway"] if extra_ministry else []),
        "  A token without the browser: .venv/bin/python -m chalicelib.auth.devtoken <personal code>",
        "  Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
