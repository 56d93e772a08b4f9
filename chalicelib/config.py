"""Every setting of the register, read from environment variables, in one place.

Settings are read on each call rather than at import: Chalice's test client and `chalice local`
apply a stage's environment variables only while a request runs, and Lambda containers are reused
across configuration changes only by redeploying. Reading a dozen variables costs microseconds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_REGION = "eu-north-1"
STAGES = ("local", "test", "dev", "prod")
# Stages where developer conveniences (dev tokens, fake gateway) may run. Never "prod" or "dev".
LOCAL_STAGES = frozenset({"local", "test"})


@dataclass(frozen=True)
class Settings:
    stage: str
    table_prefix: str
    region: str
    endpoint_url: str | None
    uploads_bucket: str
    ministry_staff: frozenset[str]
    support_phone: str
    support_email: str

    def table_name(self, table: str) -> str:
        """Physical DynamoDB table name: the stage prefix keeps stages apart in one account."""
        return f"{self.table_prefix}-{table}"

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES


def _csv_set(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def settings() -> Settings:
    env = os.environ
    stage = env.get("REGISTER_STAGE", "local")
    if stage not in STAGES:
        raise RuntimeError(f"REGISTER_STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
    prefix = env.get("TABLE_PREFIX") or f"mr-{stage}"
    return Settings(
        stage=stage,
        table_prefix=prefix,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        # Only set locally (moto server); in AWS the SDK's default endpoints are used.
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        uploads_bucket=env.get("UPLOADS_BUCKET") or f"{prefix}-uploads",
        ministry_staff=_csv_set(env.get("MINISTRY_STAFF", "")),
        support_phone=env.get("SUPPORT_PHONE", "+370 5 000 0000"),
        support_email=env.get("SUPPORT_EMAIL", "pagalba@mokiniuregistras.example"),
    )
