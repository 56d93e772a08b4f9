"""Asking to upload a file, following it, and the templates to fill in."""

from __future__ import annotations

import csv
import io
import re
import secrets
from datetime import UTC, datetime
from typing import Any

from chalicelib import storage
from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.errors import FieldError
from chalicelib.domain.kinds import FIELDS
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.upload import ALLOWED_SUFFIXES, MAX_FILE_BYTES, report_line
from chalicelib.errors import Problem, invalid
from chalicelib.models.uploads import Upload
from chalicelib.services.access import require

CONTENT_TYPES = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# Letters (Lithuanian too), digits, spaces, dots, dashes, underscores: a name S3 and Excel both take.
_FILE_NAME = re.compile(r"[\w][\w .\-()+]{0,99}")


def _invalid(field: str, reason: str) -> Problem:
    return invalid([FieldError(field, reason)])


def start_upload(caller: CallerFacts, institution_id: str, body: dict[str, Any]) -> dict[str, Any]:
    require(policy.write_records(caller, institution_id))
    unknown = sorted(set(body) - {"file_name", "dry_run"})
    if unknown:
        raise _invalid(unknown[0][:40], "unknown")
    name, dry_run = body.get("file_name"), body.get("dry_run", False)
    if not isinstance(name, str) or not name.strip():
        raise _invalid("file_name", "required")
    if not _FILE_NAME.fullmatch(name) or ".." in name:
        raise _invalid("file_name", "characters")
    suffix = next((s for s in ALLOWED_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None:
        raise _invalid("file_name", "choice")
    if not isinstance(dry_run, bool):
        raise _invalid("dry_run", "type")
    upload_id = secrets.token_hex(12)
    key = storage.incoming_key(institution_id, upload_id, name)
    now = datetime.now(UTC)
    Upload(upload_id, institution_id=institution_id, uploaded_by=caller.person_id, file_name=name, object_key=key,
           dry_run=dry_run, created_at=now, updated_at=now).save(condition=Upload.upload_id.does_not_exist())
    presigned = storage.presigned_upload(key, MAX_FILE_BYTES, CONTENT_TYPES[suffix])
    return {"upload_id": upload_id, "method": "POST", "url": presigned["url"], "fields": presigned["fields"],
            "max_bytes": MAX_FILE_BYTES}


def upload_status(caller: CallerFacts, institution_id: str, upload_id: str) -> dict[str, Any]:
    require(policy.act_for_institution(caller, institution_id, policy.READ))
    try:
        # (`#`: the parts of a big upload share the table, under their upload's id and `#part#`.)
        upload = Upload.get(upload_id) if len(upload_id) <= 64 and "#" not in upload_id else None
    except Upload.DoesNotExist:
        upload = None
    if upload is None or upload.institution_id != institution_id:
        raise Problem(P.upload.not_found)
    return upload_view(upload)


def upload_view(upload: Upload, with_errors: bool = True) -> dict[str, Any]:
    """An upload as its institution sees it: status, counts and the report links (presigned, short-lived)."""
    view: dict[str, Any] = {
        "upload_id": upload.upload_id, "file_name": upload.file_name, "dry_run": upload.dry_run,
        "status": upload.status, "rows_read": int(upload.rows_read), "rows_written": int(upload.rows_written),
        "rows_rejected": int(upload.rows_rejected), "failure_reason": upload.failure_reason,
    }
    if with_errors:
        view["errors"] = [report_line(line) for line in upload.first_errors or []]
    if upload.report_key:
        stem = upload.report_key.rsplit(".", 1)[0]
        view["report"] = {
            "json": storage.presigned_download(f"{stem}.json", f"report-{upload.upload_id}.json"),
            "csv": storage.presigned_download(f"{stem}.csv", f"report-{upload.upload_id}.csv"),
        }
    return view


def template_csv(language: str) -> str:
    # Every declared field, in declaration order, named as the language's template names it.
    headers = [field.column_lt if language == "lt" else field.name for field in FIELDS]
    example = {"kind": "EXAM", "person_id": "39001010000", "given_name": "Jonas", "family_name": "Jonaitis",
               "source_id": "2026-EXAM-0001", "start_date": "2026-06-05", "subject": "Matematika", "level": "A",
               "score": "87"}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerow([example.get(field.name, "") for field in FIELDS])
    return "\ufeff" + out.getvalue()


def template_xlsx(language: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Irasai" if language == "lt" else "Records")
    for row in csv.reader(io.StringIO(template_csv(language).lstrip("\ufeff")), delimiter=";"):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
