"""Statistics (docs/STATE.md section 3): the nightly `snapshot_statistics`, the state's view
`GET /statistics` and the public `GET /open-data/statistics`."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import CloudWatchEvent, Cron

from chalicelib import observability
from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.requests import query
from chalicelib.handlers.security import caller_facts_for, jwt_auth

blueprint = Blueprint(__name__)
SNAPSHOT_HOUR = 2  # Vilnius time


# EventBridge cron runs on UTC and Vilnius moves between UTC+2 (winter) and UTC+3 (summer):
# 02:00 Vilnius is 00:00 UTC in winter and 23:00 UTC (the day before) in summer. The rule fires at
# both; the run at which Vilnius clocks do not read 02:xx returns at once, so the job runs once a
# day at 02:00 local time, whichever side of a DST change.
@blueprint.schedule(Cron(0, "0,23", "*", "*", "?", "*"), name="snapshot_statistics")
def snapshot_statistics(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib.domain import dates
    from chalicelib.services.snapshot import run_job

    now = dates.utc_now()
    if dates.vilnius_hour(now) != SNAPSHOT_HOUR:
        return {"skipped": "not 02:00 in Vilnius"}
    with observability.correlated(f"schedule-{event.to_dict().get('id', '')}"):
        result = run_job(dates.vilnius_date(now))
    return {"date": result.day.isoformat(), "institutions": result.institutions,
            "enrolments_read": result.enrolments_read}


def _export(rows: list[list[str | int]], columns: tuple[str, ...], wanted: str, name: str,
            cache: str) -> Response:
    from chalicelib.domain.spreadsheet import csv_text, xlsx_bytes
    from chalicelib.services import roster

    body, content_type = (xlsx_bytes("Statistika", columns, rows), roster.XLSX_TYPE) if wanted == "xlsx" else (
        csv_text(columns, rows), "text/csv; charset=utf-8")
    return Response(body=body, headers={"Content-Type": content_type, "Cache-Control": cache,
                                        "Content-Disposition": f'attachment; filename="{name}.{wanted}"'})


def _format(offered: tuple[str, ...]) -> str:
    from chalicelib.domain import problems as P
    from chalicelib.errors import Problem

    wanted = query(blueprint.current_request, "format") or "json"
    if wanted not in offered:
        raise Problem(P.request.format, f"format must be one of {', '.join(offered)}.")
    return wanted


@blueprint.route("/statistics", methods=["GET"], authorizer=jwt_auth)
@documented(RouteDoc("Pupils on a date by institution, grade, programme, learning form and sex: national "
                     "(ministry) or a municipality (ministry, its officials)", "Statistics", errors=(400, 404),
                     query=(("date", "YYYY-MM-DD, default today (Vilnius)"),
                            ("municipality", "a municipality code (LT-57); an official's own by default"),
                            ("format", "json (default), csv or xlsx")),
                     response_types=("application/json", "text/csv",
                                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))
def statistics() -> Response:
    from chalicelib.services.statistics import COLUMNS, statistics_rows, statistics_view

    request = blueprint.current_request
    wanted = _format(("json", "csv", "xlsx"))
    view = statistics_view(caller_facts_for(request), query(request, "date"), query(request, "municipality"))
    if wanted == "json":
        return Response(body=shaped("Statistics", view), headers={"Cache-Control": "no-store"})
    name = f"statistika-{view['date']}" + (f"-{view['municipality']}" if view["municipality"] else "")
    return _export(statistics_rows(view), COLUMNS, wanted, name, "no-store")


@blueprint.route("/open-data/statistics", methods=["GET"])
@documented(RouteDoc("Open data: pupils by institution and grade, a table per municipality, counts below 5 "
                     "withheld so that none can be derived (no login)", "OpenStatistics", auth=False,
                     errors=(400, 404), query=(("date", "YYYY-MM-DD, default today (Vilnius)"),
                                               ("municipality", "a municipality code (LT-57)"),
                                               ("format", "json (default) or csv")),
                     response_types=("application/json", "text/csv")))
def open_statistics() -> Response:
    from chalicelib.services.statistics import OPEN_COLUMNS, open_data, open_data_rows

    request = blueprint.current_request
    wanted = _format(("json", "csv"))
    view = open_data(query(request, "date"), query(request, "municipality"))
    # Public and the same for everyone until the next night's run: caches may keep it an hour.
    cache = "public, max-age=3600"
    if wanted == "json":
        return Response(body=shaped("OpenStatistics", view), headers={"Cache-Control": cache})
    return _export(open_data_rows(view), OPEN_COLUMNS, wanted, f"mokiniai-{view['date']}", cache)
