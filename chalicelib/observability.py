"""Structured logs and metrics: one JSON object per line on stdout, which CloudWatch Logs indexes,
and metrics in CloudWatch's Embedded Metric Format in the same stream (no API call, no extra
permission, nothing lost when CloudWatch is slow).

Every line carries the correlation id of the request or event being handled (API Gateway's
request id, the upload id, the schedule event's id): the id the user quotes from an error body
finds every line of that request. Log lines never carry personal codes, names or tokens: callers
pass ids and codes only, and as a second line of defence fields named like personal data are
dropped and any 11-digit run (a personal code's shape) is masked before a line is written.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

NAMESPACE = "MokiniuRegistras"
SERVICE = "mokiniu-registras"
_correlation: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)
# Field names that would carry personal data: never logged, whatever a caller passes.
PERSONAL_FIELDS = frozenset({"person_id", "personal_code", "given_name", "family_name", "name", "birth_date",
                             "token", "access_token", "authorization", "cookie", "secret", "ticket"})
PERSONAL_CODE = re.compile(r"(?<!\d)\d{11}(?!\d)")


_streams = {"name": "stdout"}


def log_to_stderr() -> None:
    """For command-line tools: their own output stays on stdout, the log lines go to stderr."""
    _streams["name"] = "stderr"


class _Stdout(logging.Handler):
    """Writes to the current `sys.stdout` (Lambda ships stdout to CloudWatch Logs)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr if _streams["name"] == "stderr" else sys.stdout
            stream.write(record.getMessage() + "\n")
            stream.flush()
        except Exception:  # a log line must never break a request
            self.handleError(record)


def _logger() -> logging.Logger:
    logger = logging.getLogger("register.structured")
    if not logger.handlers:
        logger.addHandler(_Stdout())
        logger.propagate = False  # Lambda's own root handler would add a second, unstructured copy
        logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    return logger


def correlation_id() -> str | None:
    return _correlation.get()


@contextmanager
def correlated(value: str | None) -> Iterator[None]:
    """Every line logged inside carries `value` as its correlation id."""
    token = _correlation.set(value)
    try:
        yield
    finally:
        _correlation.reset(token)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return PERSONAL_CODE.sub("[masked]", value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if str(k).lower() not in PERSONAL_FIELDS}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _base(level: str) -> dict[str, Any]:
    return {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": level, "service": SERVICE,
            "stage": os.environ.get("REGISTER_STAGE", "local"),
            "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"),
            "correlation_id": _correlation.get()}


def log(event: str, level: str = "INFO", /, **fields: Any) -> None:
    """One structured line: `event` names what happened; `fields` are ids, codes and counts."""
    logger = _logger()
    number = logging.getLevelName(level)
    if not logger.isEnabledFor(number):
        return
    line = _base(level) | {"event": event} | _clean(fields)
    logger.log(number, json.dumps(line, ensure_ascii=False, default=str))


def log_exception(event: str, exc: BaseException, **fields: Any) -> None:
    """An error line with the exception's type and where it was raised, never its message (a
    message can quote data)."""
    frame = exc.__traceback__
    while frame is not None and frame.tb_next is not None:
        frame = frame.tb_next
    where = f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else None
    log(event, "ERROR", error=type(exc).__name__, at=where, **fields)


def metric(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    """A CloudWatch metric in Embedded Metric Format, dimensioned by stage (and `dimensions`)."""
    stage = os.environ.get("REGISTER_STAGE", "local")
    names = ["stage", *dimensions]
    line = {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [
            {"Namespace": NAMESPACE, "Dimensions": [names], "Metrics": [{"Name": name, "Unit": unit}]}]},
        "stage": stage, **dimensions, name: value, "correlation_id": _correlation.get(),
    }
    _logger().info(json.dumps(line))
