from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.config import settings
from tests.api.conftest import World, world  # noqa: F401 - the same small register as the API tests


@pytest.fixture
def bucket(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:  # noqa: F811 - asked for by name
    # One invocation per file, whatever its size, unless a test cuts files into parts
    # (tests/ingest/test_ingest_parts.py).
    monkeypatch.setenv("UPLOAD_SPLIT_BYTES", str(1 << 30))
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=settings().uploads_bucket,
                     CreateBucketConfiguration={"LocationConstraint": settings().region})
    yield s3
