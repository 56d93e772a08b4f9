"""Secrets from AWS Secrets Manager (the cursor secret, the VIISP client key), read on first use
and kept for ten minutes per container: a rotated value is picked up without a redeploy, and a
warm function does not call Secrets Manager on every request. The client is created lazily."""

from __future__ import annotations

import threading
import time
from typing import Any

from chalicelib.config import settings

KEEP_SECONDS = 600.0
_lock = threading.Lock()
_values: dict[str, tuple[float, str]] = {}
_client: tuple[tuple[str, str | None], Any] | None = None


def _secrets_manager() -> Any:
    global _client  # noqa: PLW0603 - one client per container is the point
    config = settings()
    binding = (config.region, config.endpoint_url)
    if _client is None or _client[0] != binding:
        import boto3

        _client = (binding, boto3.client("secretsmanager", region_name=config.region,
                                         endpoint_url=config.endpoint_url))
    return _client[1]


def secret_value(secret_id: str) -> str:
    now = time.monotonic()
    with _lock:
        cached = _values.get(secret_id)
        if cached is not None and now - cached[0] < KEEP_SECONDS:
            return cached[1]
        value = str(_secrets_manager().get_secret_value(SecretId=secret_id)["SecretString"])
        _values[secret_id] = (now, value)
        return value


def forget() -> None:
    """Drop cached values (tests; a rotation that must act at once)."""
    with _lock:
        _values.clear()
