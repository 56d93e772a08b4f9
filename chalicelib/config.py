"""Every setting of the register, read from environment variables, in one place.

Settings are plain named tuples (immutable; no `dataclasses` import on the cold-start path) read
on each call rather than at import: Chalice's test client and `chalice local`
apply a stage's environment variables only while a request runs, and Lambda containers are reused
across configuration changes only by redeploying. Reading a dozen variables costs microseconds.
"""

from __future__ import annotations

import os
from typing import NamedTuple

DEFAULT_REGION = "eu-north-1"
STAGES = ("local", "test", "dev", "prod")
# Stages where developer conveniences (dev tokens, fake gateway) may run. Never "prod" or "dev".
LOCAL_STAGES = frozenset({"local", "test"})
MAX_ACCESS_TOKEN_SECONDS = 900
# The queue S3 notifies of every upload; the ingest also sends the parts of a big file to it.
UPLOADS_QUEUE = "mr-uploads"


class TokenSettings(NamedTuple):
    """What issuing and verifying access tokens needs: read apart from the rest, because the
    authoriser reads it on every call and the full settings cost a third of a verification."""

    # Locally a PEM (file or value); in AWS a KMS asymmetric key (see docs/AUTH.md).
    signing_key_file: str | None
    signing_key_pem: str | None
    signing_kms_key_id: str | None
    # Public keys of retired signing keys, as a JWKS, still accepted until their tokens expire.
    previous_public_jwks: str | None
    issuer: str
    audience: str
    access_token_seconds: int


def token_settings() -> TokenSettings:
    env = os.environ
    return TokenSettings(
        signing_key_file=env.get("SIGNING_KEY_FILE") or None,
        signing_key_pem=env.get("SIGNING_KEY_PEM") or None,
        signing_kms_key_id=env.get("SIGNING_KMS_KEY_ID") or None,
        previous_public_jwks=env.get("PREVIOUS_PUBLIC_JWKS") or None,
        issuer=env.get("TOKEN_ISSUER", "https://mokiniuregistras.example"),
        audience=env.get("TOKEN_AUDIENCE", "mokiniu-registras-api"),
        # Capped at 15 minutes whatever the environment says: a leaked token must die soon.
        access_token_seconds=min(int(env.get("ACCESS_TOKEN_SECONDS", "900")), MAX_ACCESS_TOKEN_SECONDS),
    )


class TableBinding(NamedTuple):
    """Where the tables are: read apart from the rest, because every DynamoDB call of every model
    resolves it (PynamoDB asks a model for its table, region and host per item it serialises) and
    the full settings cost dozens of environment reads."""

    prefix: str
    region: str
    endpoint_url: str | None

    def table_name(self, table: str) -> str:
        """Physical DynamoDB table name: the stage prefix keeps stages apart in one account."""
        return f"{self.prefix}-{table}"


def table_binding() -> TableBinding:
    env = os.environ
    return TableBinding(
        prefix=env.get("TABLE_PREFIX") or f"mr-{env.get('REGISTER_STAGE', 'local')}",
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        # Only set locally (moto server); in AWS the SDK's default endpoints are used.
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
    )


class Settings(NamedTuple):
    stage: str
    table_prefix: str
    region: str
    endpoint_url: str | None
    uploads_bucket: str
    ministry_staff: frozenset[str]
    support_phone: str
    support_email: str
    tokens: TokenSettings
    session_seconds: int
    # The public address of the register, for the gateway's postback and the cookies' Secure flag.
    public_url: str
    # Guardianship source. Locally a JSON file (the fake Population Register); unset: no guardians.
    population_register_file: str | None
    # The residents feed (services/population.py). Locally a JSON-lines file; unset: no residents.
    population_residents_file: str | None
    # The state gateway (VIISP). Production endpoints by default; `make dev` points at the fake.
    viisp_soap_url: str
    viisp_portal_url: str
    viisp_pid: str
    viisp_client_key_file: str | None
    # In AWS the client key comes from Secrets Manager (infra/register.yaml), the gateway's
    # public certificate inline.
    viisp_client_key_secret_arn: str | None
    viisp_gateway_cert_file: str | None
    viisp_gateway_cert_pem: str | None
    viisp_providers: tuple[str, ...]
    viisp_signature_algorithm: str
    # Seals page cursors (chalicelib/domain/cursor.py). Required outside local stages: the value,
    # or (in AWS) the Secrets Manager secret holding it.
    cursor_secret: bytes | None
    cursor_secret_arn: str | None
    # DAKPR, the diploma register (chalicelib/dakpr.py). Unset: qualifications wait in the outbox.
    dakpr_url: str | None
    dakpr_timeout_seconds: float
    dakpr_retry_base_seconds: float
    dakpr_retry_cap_seconds: float
    dakpr_max_attempts: int
    # Identity mismatches (a record naming a person with names or a birth date the register does
    # not hold) a representative may make in a day before their writes stop until the ministry
    # lifts the suspension: guessing names for personal codes must not be free.
    identity_mismatch_limit: int
    # CPU seconds the reading of one uploaded file may take (docs/UPLOADS.md, `file.too_complex`).
    upload_read_cpu_seconds: float
    # A file bigger than this many bytes is read once to be cut into parts of `upload_part_rows` rows,
    # each written by an invocation of its own (docs/UPLOADS.md "Big files").
    upload_split_bytes: int
    upload_part_rows: int
    # Months after an enrolment ended during which its institution still reads the pupil as a
    # school they attended (docs/ACCESS.md); after that, only the records it wrote.
    former_school_access_months: int
    # Reporting discipline (chalicelib/domain/reporting.py, docs/STATE.md): an institution with no
    # change for this many days is overdue; so is one with no upload since this year's `MM-DD`.
    reporting_period_days: int
    annual_reporting_date: tuple[int, int] | None  # (month, day)
    # Open data is published for this day of each year only (docs/STATE.md section 3), frozen
    # once published: a table for any day would let tables of two days be subtracted.
    open_data_reference_date: tuple[int, int]  # (month, day)
    # Ages (full years on the day, both ends included) at which a resident must be in education:
    # the list of children outside education (docs/STATE.md section 5). In Lithuania 7 to 16.
    compulsory_education_ages: tuple[int, int]
    # Pupils moving school (domain/movements.py): a movement item open this many days shows on the
    # municipality's and the ministry's pages.
    movement_overdue_days: int = 30

    def table_name(self, table: str) -> str:
        return TableBinding(self.table_prefix, self.region, self.endpoint_url).table_name(table)

    @property
    def is_local(self) -> bool:
        return self.stage in LOCAL_STAGES


def _csv_set(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _cursor_secret(stage: str, value: str | None) -> bytes | None:
    if value:
        return value.encode()
    # A fixed secret is fine where there is nothing to protect; elsewhere paging refuses to run.
    return b"local-stage-cursor-secret" if stage in LOCAL_STAGES else None


def _annual_date(value: str | None) -> tuple[int, int] | None:
    from chalicelib.domain.reporting import parse_annual_date

    try:
        return parse_annual_date(value) if value else None
    except ValueError:
        raise RuntimeError(f"ANNUAL_REPORTING_DATE must be MM-DD, not {value!r}") from None


def _age_range(value: str) -> tuple[int, int]:
    youngest, _, oldest = value.partition("-")
    try:
        low, high = int(youngest), int(oldest)
    except ValueError:
        raise RuntimeError(f"COMPULSORY_EDUCATION_AGES must be two ages such as 7-16, not {value!r}") from None
    if not 0 <= low <= high:
        raise RuntimeError(f"COMPULSORY_EDUCATION_AGES must go from a younger to an older age, not {value!r}")
    return low, high


def settings() -> Settings:
    env = os.environ
    stage = env.get("REGISTER_STAGE", "local")
    if stage not in STAGES:
        raise RuntimeError(f"REGISTER_STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
    tables = table_binding()
    return Settings(
        stage=stage,
        table_prefix=tables.prefix,
        region=tables.region,
        endpoint_url=tables.endpoint_url,
        uploads_bucket=env.get("UPLOADS_BUCKET") or f"{tables.prefix}-uploads",
        ministry_staff=_csv_set(env.get("MINISTRY_STAFF", "")),
        support_phone=env.get("SUPPORT_PHONE", "+370 5 000 0000"),
        support_email=env.get("SUPPORT_EMAIL", "pagalba@mokiniuregistras.example"),
        tokens=token_settings(),
        session_seconds=int(env.get("SESSION_SECONDS", str(8 * 3600))),
        public_url=(env.get("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        population_register_file=env.get("POPULATION_REGISTER_FILE") or None,
        population_residents_file=env.get("POPULATION_RESIDENTS_FILE") or None,
        viisp_soap_url=env.get("VIISP_SOAP_URL", "https://www.epaslaugos.lt/portal/authenticationServices/auth"),
        viisp_portal_url=env.get(
            "VIISP_PORTAL_URL", "https://www.epaslaugos.lt/portal/external/services/authentication/v2/"
        ),
        viisp_pid=env.get("VIISP_PID", "VSID000000000113"),
        viisp_client_key_file=env.get("VIISP_CLIENT_KEY_FILE") or None,
        viisp_client_key_secret_arn=env.get("VIISP_CLIENT_KEY_SECRET_ARN") or None,
        viisp_gateway_cert_file=env.get("VIISP_GATEWAY_CERT_FILE") or None,
        viisp_gateway_cert_pem=env.get("VIISP_GATEWAY_CERT_PEM") or None,
        viisp_providers=tuple(sorted(_csv_set(env.get("VIISP_PROVIDERS", "")))),
        viisp_signature_algorithm=env.get("VIISP_SIGNATURE_ALGORITHM", "rsa-sha256"),
        cursor_secret=_cursor_secret(stage, env.get("CURSOR_SECRET")),
        cursor_secret_arn=env.get("CURSOR_SECRET_ARN") or None,
        dakpr_url=(env.get("DAKPR_URL") or "").rstrip("/") or None,
        dakpr_timeout_seconds=float(env.get("DAKPR_TIMEOUT_SECONDS", "10")),
        dakpr_retry_base_seconds=float(env.get("DAKPR_RETRY_BASE_SECONDS", "60")),
        dakpr_retry_cap_seconds=float(env.get("DAKPR_RETRY_CAP_SECONDS", str(6 * 3600))),
        dakpr_max_attempts=int(env.get("DAKPR_MAX_ATTEMPTS", "10")),
        identity_mismatch_limit=int(env.get("IDENTITY_MISMATCH_LIMIT", "20")),
        upload_read_cpu_seconds=float(env.get("UPLOAD_READ_CPU_SECONDS", "120")),
        upload_split_bytes=int(env.get("UPLOAD_SPLIT_BYTES", str(1024 * 1024))),
        upload_part_rows=int(env.get("UPLOAD_PART_ROWS", "5000")),
        former_school_access_months=int(env.get("FORMER_SCHOOL_ACCESS_MONTHS", "12")),
        reporting_period_days=int(env.get("REPORTING_PERIOD_DAYS", "30")),
        annual_reporting_date=_annual_date(env.get("ANNUAL_REPORTING_DATE") or None),
        open_data_reference_date=_annual_date(env.get("OPEN_DATA_REFERENCE_DATE") or "09-01") or (9, 1),
        movement_overdue_days=int(env.get("MOVEMENT_OVERDUE_DAYS", "30")),
        compulsory_education_ages=_age_range(env.get("COMPULSORY_EDUCATION_AGES") or "7-16"),
    )
