"""The uploads bucket: presigned uploads, streaming reads, reports. The S3 client is created on
first use (and again if the endpoint changes, as between test runs)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

from chalicelib.config import settings

_lock = threading.Lock()
_client: tuple[tuple[str, str | None], Any] | None = None
READ_CHUNK = 64 * 1024


def s3() -> Any:
    global _client  # noqa: PLW0603 - one client per container is the point
    config = settings()
    binding = (config.region, config.endpoint_url)
    with _lock:
        if _client is None or _client[0] != binding:
            import boto3
            from botocore.config import Config

            _client = (binding, boto3.client(
                "s3", region_name=config.region, endpoint_url=config.endpoint_url,
                # Standard retries back off on throttling and 5xx; signature v4 for presigned POSTs.
                config=Config(retries={"mode": "standard", "max_attempts": 5}, signature_version="s3v4"),
            ))
        return _client[1]


def incoming_key(institution_id: str, upload_id: str, file_name: str) -> str:
    return f"incoming/{institution_id}/{upload_id}/{file_name}"


def report_key(institution_id: str, upload_id: str, suffix: str) -> str:
    return f"reports/{institution_id}/{upload_id}.{suffix}"


def part_report_key(institution_id: str, upload_id: str, number: int) -> str:
    """A part's report lines while a big upload is written (deleted once merged)."""
    return f"parts/{institution_id}/{upload_id}/{number:04d}.jsonl"


def presigned_upload(key: str, max_bytes: int, content_type: str, expires: int = 900) -> dict[str, Any]:
    """A presigned POST limited to this key, size and type (S3 enforces the conditions)."""
    return dict(s3().generate_presigned_post(
        settings().uploads_bucket, key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires,
    ))


def presigned_download(key: str, file_name: str, expires: int = 300) -> str:
    return str(s3().generate_presigned_url("get_object", Params={
        "Bucket": settings().uploads_bucket, "Key": key,
        "ResponseContentDisposition": f'attachment; filename="{file_name}"'}, ExpiresIn=expires))


class StoredObject(NamedTuple):
    """One version of an object: what an upload ingested and keeps (`version` None: an unversioned
    bucket, where the key alone names it)."""

    key: str
    version: str | None = None

    def address(self) -> dict[str, str]:
        named = {"Bucket": settings().uploads_bucket, "Key": self.key}
        return named | ({"VersionId": self.version} if self.version else {})


def current_version(key: str) -> str | None:
    """The version id of the object now under `key` (None in an unversioned bucket)."""
    version = s3().head_object(Bucket=settings().uploads_bucket, Key=key).get("VersionId")
    return str(version) if version and version != "null" else None


def object_size(stored: StoredObject) -> int:
    return int(s3().head_object(**stored.address())["ContentLength"])


def stream(stored: StoredObject, start: int = 0) -> Iterator[bytes]:
    """The object's bytes from `start` on (a ranged read: a part of a big upload)."""
    ranged = {"Range": f"bytes={start}-"} if start else {}
    body = s3().get_object(**stored.address(), **ranged)["Body"]
    try:
        yield from body.iter_chunks(READ_CHUNK)
    finally:
        body.close()


def download_to(stored: StoredObject, target: BinaryIO) -> None:
    extra = {"VersionId": stored.version} if stored.version else None
    s3().download_fileobj(settings().uploads_bucket, stored.key, target, ExtraArgs=extra)


def delete_all(keys: list[str]) -> None:
    """Delete these objects, a thousand a request (DeleteObjects); raise if any is left."""
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start:start + 1000]]
        answer = s3().delete_objects(Bucket=settings().uploads_bucket, Delete={"Objects": batch, "Quiet": True})
        if answer.get("Errors"):
            raise RuntimeError(f"{len(answer['Errors'])} objects not deleted")


def put_file(key: str, source: BinaryIO, content_type: str) -> None:
    s3().upload_fileobj(source, settings().uploads_bucket, key, ExtraArgs={"ContentType": content_type})
