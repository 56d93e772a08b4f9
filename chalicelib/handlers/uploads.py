"""Bulk uploads: ask for a presigned upload, follow it, download templates; and the S3 → SQS
event handler `ingest_upload` that processes the files."""

from __future__ import annotations

import json
from typing import Any

from chalice import Blueprint, Response
from chalice.app import SQSEvent

from chalicelib import observability
from chalicelib.config import UPLOADS_QUEUE
from chalicelib.handlers.contract import PAGING, RouteDoc, documented, shaped
from chalicelib.handlers.requests import json_object, query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)
# One message per invocation: Chalice cannot report a partial batch failure, so a failing file must
# not drag others back onto the queue (docs/UPLOADS.md).
INGEST_BATCH_SIZE = 1
# At most this many ingest invocations at once, a limit of the SQS event source itself: it stops
# polling at the limit instead of pulling messages a throttled function would hand back (receive
# counts raised, towards the dead-letter queue). It is the records table's write budget that sets
# the number, not Lambda's (docs/OPERATIONS.md "September: 1,000 uploads at once"); it stays at or
# under the function's reserved concurrency in .chalice/config.json (tests/infra/test_september.py).
INGEST_MAXIMUM_CONCURRENCY = 8
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.route("/institutions/{institution_id}/uploads", methods=["POST"], authorizer=jwt_auth)
@documented(RouteDoc("Ask to upload a file: a presigned POST for incoming/{iid}/{upload_id}/{file_name}",
                     "UploadStarted", 201, request="UploadInput", errors=(404,)))
def start_upload(institution_id: str) -> Response:
    from chalicelib.services.uploads import start_upload as start

    request = blueprint.current_request
    started = start(caller_facts_for(request), institution_id, json_object(request))
    return Response(body=shaped("UploadStarted", started), status_code=201, headers={"Cache-Control": "no-store"})


@blueprint.route("/institutions/{institution_id}/uploads", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("The institution's uploads, newest first, with counts and report links", "Uploads",
                     errors=(400,), query=PAGING))
def list_uploads(institution_id: str) -> Response:
    from chalicelib.services.paging import page_size
    from chalicelib.services.reporting import uploads_page

    request = blueprint.current_request
    body = uploads_page(caller_facts_for(request), institution_id, query(request, "cursor"),
                        page_size(query(request, "limit")))
    return Response(body=shaped("Uploads", body), headers={"Cache-Control": "no-store"})


@blueprint.route("/institutions/{institution_id}/uploads/{upload_id}", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("An upload's status, counts, first problems and report links", "UploadStatus", errors=(404,)))
def upload_status(institution_id: str, upload_id: str) -> Response:
    from chalicelib.services.uploads import upload_status as status

    body = status(caller_facts_for(blueprint.current_request), institution_id, upload_id)
    return Response(body=shaped("UploadStatus", body), headers={"Cache-Control": "no-store"})


@blueprint.route("/templates/upload", methods=["GET"])
@documented(RouteDoc("The upload template (CSV or XLSX, Lithuanian or English headers)", auth=False,
                     response_types=("text/csv", XLSX), errors=(400,),
                     query=(("format", "csv (default) or xlsx"), ("lang", "lt (default) or en"))))
def template() -> Response:
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem
    from chalicelib.services.uploads import template_csv, template_xlsx

    request = blueprint.current_request
    wanted, language = query(request, "format") or "csv", query(request, "lang") or "lt"
    if wanted not in ("csv", "xlsx") or language not in ("lt", "en"):
        raise Problem(P.request.format, "format must be csv or xlsx, lang lt or en.")
    body: str | bytes = template_xlsx(language) if wanted == "xlsx" else template_csv(language)
    content_type = XLSX if wanted == "xlsx" else "text/csv; charset=utf-8"
    name = f"sablonas-{language}.{wanted}" if language == "lt" else f"template-{language}.{wanted}"
    return Response(body=body, headers={"Content-Type": content_type,
                                        "Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.on_sqs_message(queue=UPLOADS_QUEUE, batch_size=INGEST_BATCH_SIZE,
                           maximum_concurrency=INGEST_MAXIMUM_CONCURRENCY, name="ingest_upload")
def ingest_upload(event: SQSEvent) -> None:
    """S3 → SQS → here, one message at a time (a failed message is retried alone, then
    dead-lettered). The body is S3's event notification (S3's test event is skipped), or a part
    of a big file the ingest queued itself (services/ingest_parts.py)."""
    from chalicelib.queues import upload_part
    from chalicelib.services.ingest import ingest_object

    for message in event:
        with observability.correlated(f"sqs-{message.to_dict().get('messageId', '')}"):
            part = upload_part(_parsed(message.body))
            if part is not None:
                from chalicelib.services.ingest_parts import ingest_part

                ingest_part(*part)
                continue
            for key, version in s3_objects(message.body):
                ingest_object(key, version_id=version)


def _parsed(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def s3_objects(body: str) -> list[tuple[str, str | None]]:
    """(key, version id) of each object an S3 notification says was created (no version id in an
    unversioned bucket, or on moto)."""
    try:
        notification: Any = json.loads(body)
    except ValueError:
        observability.log("ingest_message_not_json", "WARNING")
        return []
    if not isinstance(notification, dict) or notification.get("Event") == "s3:TestEvent":
        return []
    return [(record["s3"]["object"]["key"], record["s3"]["object"].get("versionId") or None)
            for record in notification.get("Records", [])
            if str(record.get("eventName", "")).startswith("ObjectCreated")]
