"""The demo register on moto in this process, for benchmarks."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def demo_register() -> Iterator[dict[str, str]]:
    """Yields the demo people's personal codes by key (devstack/seed.py)."""
    # The local stage's table names: Chalice's test client applies that stage's settings.
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-north-1", "REGISTER_STAGE": "local", "TABLE_PREFIX": "mr-local"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from chalicelib.auth.keys import generate_pem
    from chalicelib.models.tables import create_tables
    from devstack import seed
    from devstack.moto_fixes import install

    install()
    with mock_aws():
        os.environ["SIGNING_KEY_PEM"] = generate_pem().decode()
        os.environ["MINISTRY_STAFF"] = ",".join(seed.ministry_staff())
        population = Path(tempfile.mkdtemp()) / "population.json"
        population.write_text(json.dumps({"guardianships": seed.guardianships()}))
        os.environ["POPULATION_REGISTER_FILE"] = str(population)
        create_tables()
        import boto3

        from chalicelib.config import settings

        # The demo's uploads keep their reports in the bucket, as in the dev stack.
        boto3.client("s3").create_bucket(Bucket=settings().uploads_bucket,
                                         CreateBucketConfiguration={"LocationConstraint": settings().region})
        seed.seed()
        yield {p.key: p.person_id for p in seed.PEOPLE}


def token_for(person_id: str) -> str:
    """An access token of a new session, as a login gives (the authoriser checks the session)."""
    from chalicelib.services.sessions import access_token_for, open_session

    return access_token_for(person_id, open_session(person_id, "bench").session_id)[0]
