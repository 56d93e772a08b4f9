"""The uploads queue, as the ingest writes to it: the parts of a big file (services/ingest_parts.py).
The SQS client is created on first use, like the S3 client (storage.py)."""

from __future__ import annotations

import json
import threading
from typing import Any

from chalicelib.config import UPLOADS_QUEUE, settings

_lock = threading.Lock()
_queue: tuple[tuple[str, str | None], Any, str] | None = None

# The message body of a part: only names (the part's definition is read from the table, so a
# message can neither widen a part nor say whose file it is).
PART_MESSAGE = "upload_part"


def _client_and_url() -> tuple[Any, str]:
    global _queue  # noqa: PLW0603 - one client per container is the point
    config = settings()
    binding = (config.region, config.endpoint_url)
    with _lock:
        if _queue is None or _queue[0] != binding:
            import boto3
            from botocore.config import Config

            client = boto3.client("sqs", region_name=config.region, endpoint_url=config.endpoint_url,
                                  config=Config(retries={"mode": "standard", "max_attempts": 5}))
            _queue = (binding, client, client.get_queue_url(QueueName=UPLOADS_QUEUE)["QueueUrl"])
        return _queue[1], _queue[2]


def send_upload_parts(upload_id: str, numbers: list[int]) -> None:
    """One message per part, ten a request (SendMessageBatch); raise if any was not taken."""
    client, url = _client_and_url()
    for start in range(0, len(numbers), 10):
        entries = [{"Id": str(number), "MessageBody": json.dumps({PART_MESSAGE: {"upload_id": upload_id,
                                                                                  "part": number}})}
                   for number in numbers[start:start + 10]]
        answer = client.send_message_batch(QueueUrl=url, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} part messages not sent")


def upload_part(body: Any) -> tuple[str, int] | None:
    """(upload id, part number) if a message body names a part of a big upload, else None."""
    named = body.get(PART_MESSAGE) if isinstance(body, dict) else None
    if not isinstance(named, dict):
        return None
    upload_id, number = named.get("upload_id"), named.get("part")
    if not isinstance(upload_id, str) or isinstance(number, bool) or not isinstance(number, int) or number < 0:
        return None
    return upload_id, number
