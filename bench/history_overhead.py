"""What the API adds to reading a history page: `GET /me/history` as Lambda runs it (the
authoriser's verification, then Chalice's routing, the handler, the one Query, the shaping)
against a bare boto3 Query for the same 50 items, side by side on the same moto tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import boto3
from chalice.app import AuthRequest

from bench.harness import per_call_seconds
from bench.world import demo_register, token_for

PAGE = 50
RECORDS = 300


def run() -> dict[str, dict[str, Any]]:
    with demo_register() as people:
        return _measure(people["graduate"])


def _event(token: str, claims: dict[str, str]) -> dict[str, Any]:
    return {
        "resource": "/me/history", "path": "/me/history", "httpMethod": "GET",
        "headers": {"Authorization": f"Bearer {token}"}, "multiValueHeaders": {},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None, "body": None, "isBase64Encoded": False,
        "requestContext": {"resourcePath": "/me/history", "httpMethod": "GET", "requestId": "bench",
                           "authorizer": claims, "stage": "api", "path": "/api/me/history"},
    }


def _measure(person_id: str) -> dict[str, dict[str, Any]]:
    from app import app
    from chalicelib.config import settings
    from chalicelib.handlers.security import authorize
    from chalicelib.models.records import Record, record_key

    now = datetime.now(UTC)
    with Record.batch_write() as batch:
        for i in range(RECORDS):
            rid = f"B{i:024d}"
            batch.save(Record(person_id, record_key("EXAM", f"2020-01-{i % 28 + 1:02d}", rid), record_id=rid,
                              kind="EXAM", institution_id="i", institution_name="Mokykla", source_id=f"s{i}",
                              subject="Matematika", start_date=f"2020-01-{i % 28 + 1:02d}", score=i % 101,
                              created_at=now, created_by="b", updated_at=now, updated_by="b", version=1))
    token = token_for(person_id)
    arn = "arn:aws:execute-api:eu-north-1:1:api/api/GET/me/history"
    allowed = authorize(AuthRequest("TOKEN", f"Bearer {token}", arn))
    event = _event(token, allowed.context | {"principalId": allowed.principal_id})
    client = boto3.client("dynamodb")
    table = settings().table_name("records")

    def bare_query() -> object:
        return client.query(TableName=table, KeyConditionExpression="person_id = :p",
                            ExpressionAttributeValues={":p": {"S": person_id}}, Limit=PAGE)

    def through_the_api() -> object:
        authorize(AuthRequest("TOKEN", f"Bearer {token}", arn))
        response = app(event, None)
        assert response["statusCode"] == 200, response
        return response

    timings = per_call_seconds({"bare boto3 Query": bare_query, "GET /me/history": through_the_api},
                               calls=20, rounds=9)
    return {"me_history_vs_bare_query": {
        "value": round(timings["GET /me/history"] / timings["bare boto3 Query"], 2), "unit": "×",
        "goal": "≤ 1.5× a bare boto3 Query of the same 50 items", "measured_at": date.today().isoformat()}}
