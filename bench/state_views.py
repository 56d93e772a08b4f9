"""The state's views at scale (docs/STATE.md sections 1 and 3): a register of 33,000 and of
330,000 enrolments (~1,100 institutions in 60 municipalities) written in bulk (batch_write, not
the API), then

- the DynamoDB items read per `GET /statistics` (national, one municipality) and per
  `GET /reporting` page, at both sizes — they must not grow with pupils;
- the snapshot job's run time over the 330,000 enrolments, beside a bare boto3 Query of the same
  items (all institutions' enrolments through the same index): the ratio is what the job adds.

Items read are counted from the responses (`Count` of Query, the items of GetItem/BatchGetItem)
through a botocore event hook, so what PynamoDB or the service do above it cannot hide a read.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

PROGRAMMES = ("101001001", "201001001", "301001001", "311001001")
FORMS = ("DAILY", "DAILY", "DAILY", "DAILY", "EVENING", "DISTANCE")
CLASSES = ("1a", "2b", "3a", "4c", "5a", "6b", "7a", "8b", "9a", "10c", "IIa", "IIIb", "IVa")
INSTITUTIONS = 1_100
MUNICIPALITY_COUNT = 60


def enrolment(person_id: str, institution_id: str, serial: int, *, start: str, end: str | None = None,
              class_name: str | None = None, programme: str = "201001001", form: str | None = "DAILY",
              now: datetime | None = None) -> Any:
    """An active enrolment record as the write path stores it, built directly (bulk data)."""
    from chalicelib.models.records import Record, record_key

    moment = now or datetime.now(UTC)
    rid = f"E{institution_id[-6:]}{serial:018d}"
    record = Record(person_id, record_key("ENROLLMENT", start, rid), record_id=rid, kind="ENROLLMENT",
                    institution_id=institution_id, enrolled_at=institution_id,
                    institution_name=f"Mokykla {institution_id}", source_id=f"s{serial}", created_at=moment,
                    created_by="bench", updated_at=moment, updated_by="bench", version=1)
    for name, value in (("start_date", start), ("end_date", end), ("class", class_name),
                        ("programme", programme), ("learning_form", form)):
        if value is not None:
            record.set_field(name, value)
    return record


@contextmanager
def _indexed_gsi(table_name: str, index_name: str, attribute: str) -> Iterator[None]:
    """Moto 5.2's GSI Query sorts and walks every item of the table (O(table) per Query, where
    DynamoDB reads only what it returns). For the duration, a Query of `index_name` on
    `table_name` walks only the items of its hash key (grouped once; the pass writes no records)."""
    from moto.dynamodb.models.table import Table

    original_query, original_items = Table.query, Table.all_items
    groups: dict[str, list[Any]] = {}
    wanted: dict[int, str] = {}

    def all_items(self: Any) -> list[Any]:
        if id(self) not in wanted:
            return original_items(self)
        if not groups:
            for item in original_items(self):
                value = item.attrs.get(attribute)
                if value is not None:
                    groups.setdefault(value.value, []).append(item)
        return groups.get(wanted[id(self)], [])

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's backend passes the index name as the eighth positional argument
        named = args[7] if len(args) > 7 else kwargs.get("index_name")
        if self.name == table_name and named == index_name:
            wanted[id(self)] = dict(kwargs.get("hash_key_conditions") or [])[attribute].value
            try:
                return original_query(self, *args, **kwargs)
            finally:
                wanted.pop(id(self), None)
        return original_query(self, *args, **kwargs)

    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        Table.query, Table.all_items = original_query, original_items  # type: ignore[method-assign]


class ItemsRead:
    """Items DynamoDB returned to the calls made while counting: `Count` of a Query or Scan, one
    for a GetItem that found its item, the items of a BatchGetItem — read off every response."""

    def __init__(self) -> None:
        self.items = 0
        self.calls: dict[str, int] = {}

    def saw(self, operation: str, parsed: dict[str, Any]) -> None:
        self.calls[operation] = self.calls.get(operation, 0) + 1
        if operation in ("Query", "Scan"):
            self.items += int(parsed.get("Count", 0))
        elif operation == "GetItem":
            self.items += 1 if parsed.get("Item") else 0
        elif operation == "BatchGetItem":
            self.items += sum(len(found) for found in parsed.get("Responses", {}).values())


@contextmanager
def counting() -> Iterator[ItemsRead]:
    """Count the items read through any botocore client meanwhile (PynamoDB's and boto3's). The
    authoriser's session check (a GetItem on `sessions`, cached per token in AWS) is left out."""
    import botocore.client

    counter = ItemsRead()
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: Any) -> Any:
        parsed = original(client, operation, params)
        if not str(params.get("TableName", "")).endswith("-sessions"):
            counter.saw(operation, parsed)
        return parsed

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield counter
    finally:
        botocore.client.BaseClient._make_api_call = original


def _load(size: int, day: date) -> None:
    """`size` enrolments over INSTITUTIONS institutions in MUNICIPALITY_COUNT municipalities, written
    with batch_write_item 25 at a time (not through the API: the bench measures reads)."""
    import boto3

    from chalicelib.config import settings
    from chalicelib.domain.municipalities import MUNICIPALITIES
    from chalicelib.models.institutions import PROFILE_ITEM, InstitutionProfile

    codes = [m.code for m in MUNICIPALITIES.codes][:MUNICIPALITY_COUNT]
    now = datetime.now(UTC)
    with InstitutionProfile.batch_write() as batch:
        for i in range(INSTITUTIONS):
            batch.save(InstitutionProfile(f"inst-{i:06d}", PROFILE_ITEM, name=f"Mokykla {i}", legal_entity_code="1",
                                          municipality=codes[i % len(codes)], created_at=now, created_by="bench"))
    client = boto3.client("dynamodb")
    table = settings().table_name("records")
    chance = random.Random(size)  # noqa: S311 - made-up classes, repeatable; nothing secret
    start = (day - timedelta(days=90)).isoformat()
    requests: list[dict[str, Any]] = []
    for n in range(size):
        person = f"{3 + n % 4}{n:010d}"  # 11 digits, first 3–6: a sex for every pupil
        ended = (day - timedelta(days=10)).isoformat() if n % 20 == 0 else None  # 5 % have left
        item = enrolment(person, f"inst-{n % INSTITUTIONS:06d}", n, start=start, end=ended,
                         class_name=chance.choice(CLASSES), programme=chance.choice(PROGRAMMES),
                         form=chance.choice(FORMS), now=now)
        requests.append({"PutRequest": {"Item": item.serialize()}})
        if len(requests) == 25:
            client.batch_write_item(RequestItems={table: requests})
            requests = []
    if requests:
        client.batch_write_item(RequestItems={table: requests})


def _bare_query(day: date) -> int:
    """The same items with nothing else: boto3 Query of enrolments_by_institution per institution, every page."""
    import boto3

    from chalicelib.config import settings

    client = boto3.client("dynamodb")
    table = settings().table_name("records")
    read = 0
    for i in range(INSTITUTIONS):
        arguments: dict[str, Any] = {
            "TableName": table, "IndexName": "enrolments_by_institution",
            "KeyConditionExpression": "enrolled_at = :i AND begins_with(record_key, :p)",
            "ExpressionAttributeValues": {":i": {"S": f"inst-{i:06d}"}, ":p": {"S": "1#ENROLLMENT#"}}}
        while True:
            page = client.query(**arguments)
            read += page["Count"]
            if "LastEvaluatedKey" not in page:
                break
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return read


def _requests(client: Any, token: str, day: date) -> dict[str, int]:
    """Items read per API request, as the ministry calls them."""
    reads = {}
    for name, address in (("statistics_national", f"/statistics?date={day}"),
                          ("statistics_municipality", f"/statistics?date={day}&municipality=LT-57"),
                          ("reporting_page", "/reporting?limit=50")):
        with counting() as counted:
            response = client.http.get(address, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.body
        reads[name] = counted.items
    return reads


def _raw_enrolments(size: int, day: date) -> Callable[[str], Iterator[dict[str, Any]]]:
    """For a register too large to load into moto here: an institution's enrolments as DynamoDB
    returns them (raw attribute maps, the same shape `_load` writes), generated on demand."""
    template = enrolment("30000000000", "inst-000000", 0, start=(day - timedelta(days=90)).isoformat(),
                         class_name="8b").serialize()
    ended = (day - timedelta(days=10)).isoformat()

    def of(institution_id: str) -> Iterator[dict[str, Any]]:
        chance = random.Random(institution_id)  # noqa: S311 - made-up classes, repeatable
        for n in range(int(institution_id[-6:]), size, INSTITUTIONS):
            raw = dict(template)
            raw["person_id"] = {"S": f"{3 + n % 4}{n:010d}"}
            raw["record_key"] = {"S": f"1#ENROLLMENT#{template['start_date']['S']}#E{n:024d}"}
            raw["institution_id"] = raw["enrolled_at"] = {"S": institution_id}
            raw["class"] = {"S": chance.choice(CLASSES)}
            raw["programme"] = {"S": chance.choice(PROGRAMMES)}
            raw["learning_form"] = {"S": chance.choice(FORMS)}
            if n % 20 == 0:
                raw["end_date"] = {"S": ended}
            yield raw

    return of


@contextmanager
def _enrolments_generated(size: int, day: date) -> Iterator[Callable[[], int]]:
    """The pass reads generated enrolments, deserialised by PynamoDB as a Query's would be
    (`Record.from_raw_data`), instead of moto's index: only the transport is left out. Yields the
    bare counterpart: the same raw items generated and counted, nothing else."""
    from chalicelib.models.records import Record, RecordsItem
    from chalicelib.services import snapshot

    generate = _raw_enrolments(size, day)

    def institution_enrolments(institution_id: str) -> Iterator[Record]:
        for raw in generate(institution_id):
            item = RecordsItem.from_raw_data(raw)
            if isinstance(item, Record):
                yield item

    def bare() -> int:
        return sum(1 for i in range(INSTITUTIONS) for _ in generate(f"inst-{i:06d}"))

    name = "institution_enrolments"  # the pass's one source of enrolments (services/snapshot.py)
    original = vars(snapshot)[name]
    setattr(snapshot, name, institution_enrolments)
    try:
        yield bare
    finally:
        setattr(snapshot, name, original)


def _measure(size: int, in_moto: bool) -> dict[str, Any]:
    """A fresh register of `size` enrolments: the snapshot beside a bare read of the same items,
    then the items each request reads. `in_moto`: the enrolments are loaded into moto and read
    through its index; otherwise generated (`_enrolments_generated`), institutions in moto."""
    import os

    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from bench.world import token_for
    from chalicelib.auth.keys import generate_pem
    from chalicelib.domain.dates import vilnius_today
    from chalicelib.models.tables import create_tables
    from chalicelib.services.snapshot import run_snapshot

    day = vilnius_today()
    with mock_aws():
        os.environ["SIGNING_KEY_PEM"] = generate_pem().decode()
        # The ministry is an OFFICIAL appointment in the register (one item the access check's
        # officials Query reads on each request); MINISTRY_STAFF would only bootstrap an administrator.
        minister = "38001010004"
        create_tables()
        _appoint_official(minister, day)
        began = time.perf_counter()
        _load(size if in_moto else 0, day)
        figures: dict[str, Any] = {"load_seconds": time.perf_counter() - began}
        source = _indexed_gsi(_records_table(), "enrolments_by_institution", "enrolled_at") if in_moto else \
            _enrolments_generated(size, day)
        with source as generated:
            bare_read: Callable[[], object] = generated if generated is not None else (lambda: _bare_query(day))
            bare_read()  # warm: moto groups the index once, imports
            began = time.perf_counter()
            result = run_snapshot(day)
            figures["snapshot_seconds"] = time.perf_counter() - began
            figures["persons"] = len(result.persons)
            figures["enrolments_read"] = result.enrolments_read
            bare = []
            for _ in range(1 if in_moto else 3):
                began = time.perf_counter()
                bare_read()
                bare.append(time.perf_counter() - began)
            figures["bare_seconds"] = sorted(bare)[len(bare) // 2]
        with Client(app, stage_name="local") as client:
            figures |= _requests(client, token_for(minister), day)
    return figures


def _records_table() -> str:
    from chalicelib.config import settings

    return settings().table_name("records")


def run(sizes: tuple[int, int] = (33_000, 330_000)) -> dict[str, dict[str, Any]]:
    import os

    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "eu-north-1", "REGISTER_STAGE": "local", "TABLE_PREFIX": "mr-local"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    small, large = _measure(sizes[0], in_moto=True), _measure(sizes[1], in_moto=False)
    today = date.today().isoformat()

    def row(value: Any, unit: str, goal: str) -> dict[str, Any]:
        return {"value": value, "unit": unit, "goal": goal, "measured_at": today}

    flat = f"flat: the same at {sizes[0]:,} and {sizes[1]:,} enrolments (items ∝ institutions)"
    rows = {}
    for name in ("statistics_national", "statistics_municipality", "reporting_page"):
        for size, figures in ((sizes[0], small), (sizes[1], large)):
            rows[f"items_read_{name}_{size // 1000}k"] = row(figures[name], "items", flat)
    rows[f"snapshot_{sizes[0] // 1000}k_in_moto_seconds"] = row(
        round(small["snapshot_seconds"], 1), "s",
        f"informative: {small['enrolments_read']:,} enrolments loaded in moto, {INSTITUTIONS:,} institutions, "
        "read through its index (moto in process)")
    rows[f"snapshot_vs_bare_query_{sizes[0] // 1000}k"] = row(
        round(small["snapshot_seconds"] / small["bare_seconds"], 2), "×",
        "≤ 3× a bare boto3 Query of the same enrolments (all pages, every institution)")
    rows[f"snapshot_{sizes[1] // 1000}k_seconds"] = row(
        round(large["snapshot_seconds"], 1), "s", f"informative: {large['enrolments_read']:,} enrolments generated and "
        f"deserialised as a Query's pages, {large['persons']:,} persons; writes to moto (transport left out)")
    rows[f"snapshot_{sizes[1] // 1000}k_per_enrolment"] = row(
        round(large["snapshot_seconds"] / max(1, large["enrolments_read"]) * 1e6, 1), "µs",
        "informative: the pass's own work per enrolment (generating the raw items: "
        f"{large['bare_seconds'] / max(1, large['enrolments_read']) * 1e6:.1f} µs)")
    print({"small": small, "large": large})
    return rows


def _appoint_official(person_id: str, day: date) -> None:
    """The minister's OFFICIAL appointment, valid over the bench's days."""
    from chalicelib.domain.access import MINISTRY_OFFICIAL, ministry_partition
    from chalicelib.models.officials import Official

    Official(ministry_partition(MINISTRY_OFFICIAL), person_id, valid_from=day.isoformat(),
             valid_to=(day + timedelta(days=30)).isoformat(), created_at=datetime.now(UTC), created_by="bench").save()
