"""Reading a person's learning history, as a given caller, for a given purpose.

One DynamoDB Query per page and nothing else for the data: the person's summary sorts first in
their records partition, institution names are stored on the records, and the names ride along
in the sealed cursor for later pages. Reads by anyone but the person are journaled before the data
leaves (if the journal cannot be written, nothing is returned).
"""

from __future__ import annotations

import hmac
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.access import EnrolmentStanding
from chalicelib.domain.kinds import KINDS, kind_title, shown_to_other_institutions
from chalicelib.domain.person_id import normalise_person_id
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import institution_profile
from chalicelib.models.records import ACTIVE, PersonSummary, Record, RecordsItem
from chalicelib.services.access import require, standing_of
from chalicelib.services.journal import Actor, journal_read
from chalicelib.services.paging import next_cursor, sealing_key, start_key
from chalicelib.services.records import record_fields

HIDDEN_SCAN_PAGE = 3_000


def my_history(person_id: str, *, cursor: str | None, limit: int) -> dict[str, Any]:
    """The caller's own history: no access facts needed, nothing journaled."""
    page = history_page(person_id, f"history:{person_id}:{person_id}", cursor, limit)
    if page is None:
        # Logged in through the gateway but not yet in the register: an empty history, not an error.
        return {"person": {"person_id": person_id}, "records": [], "sections": [], "next_cursor": None}
    return page


def read_history(
    caller: CallerFacts, person_id: str, *, purpose: str | None, institution: str | None = None,
    cursor: str | None = None, limit: int = 50, correlation_id: str | None = None,
) -> dict[str, Any]:
    """Someone's history as `caller` may see it (`GET /persons/{person_id}/history`)."""
    person_id = normalise_person_id(person_id)
    if person_id == caller.person_id:
        return my_history(person_id, cursor=cursor, limit=limit)
    needs_enrollments = person_id not in caller.minor_children and bool(caller.institutions_with(policy.READ))
    standing = standing_of(person_id) if needs_enrollments else EnrolmentStanding(frozenset(), frozenset())
    enrolled, former = standing
    decision = require(policy.read_person(caller, person_id, enrolled, purpose, institution, former=former))
    full_for = policy.readable_in_full(caller, decision, enrolled, institution, former=former)
    others = full_for is None or policy.sees_other_schools(caller, enrolled, institution)
    page = history_page(person_id, f"history:{caller.person_id}:{person_id}", cursor, limit, full_for, others=others)
    if page is None:
        raise Problem(P.person.not_found)
    name = None
    if decision.acting_institution:
        profile = institution_profile(decision.acting_institution)
        name = profile.name if profile else None
    try:
        journal_read(person_id, Actor(caller.person_id, decision.acting_role, decision.acting_institution, name),
                     purpose, correlation_id)
    except PynamoDBException:
        # Fail closed: a read that cannot be journaled does not happen.
        raise Problem(P.journal.unavailable) from None
    return page


def history_page(
    person_id: str, scope: str, cursor: str | None, limit: int, full_for: frozenset[str] | None = None, *,
    others: bool = True,
) -> dict[str, Any] | None:
    """One page: one Query. None if the person is not in the register. `full_for`: the
    institutions whose records the reader sees in full (None: all; see `policy.fields_shown`);
    `others`: whether other institutions' shared kinds are shown too (not to a former school)."""
    position = start_key(cursor, scope)
    known_person = position.pop("person", None) if position else None
    # One item more than the page: a full last page then says there is nothing after it (DynamoDB
    # alone would hand out a cursor to an empty page).
    shown = Record.status == ACTIVE
    if full_for is not None:
        # Other institutions' records are left out by the Query itself, not after it.
        own = Record.institution_id.is_in(*full_for)
        shown &= own | Record.kind.is_in(*shown_to_other_institutions()) if others else own
    items = list(RecordsItem.query(
        person_id, filter_condition=(RecordsItem.item_type == PersonSummary) | shown,
        limit=limit + 1, last_evaluated_key=position["key"] if position else None,
        # With other schools' records filtered out, each Query evaluates a full 1 MB page (about
        # 3,000 records) rather than `limit + 1` items: a page costs one Query per 3,000 records
        # of the pupil, however many of them the reader may not see.
        page_size=HIDDEN_SCAN_PAGE if full_for is not None else None,
    ))
    more, items = len(items) > limit, items[:limit]
    person: dict[str, Any] | None = known_person
    records = []
    for item in items:
        if isinstance(item, PersonSummary):
            # A former school (`others` false) reads the records it wrote, not who the pupil is now:
            # names it was never given, or changed since, would also be what the identity rule
            # asks of a new enrolment there.
            person = {"person_id": person_id} if not others else {
                "person_id": person_id, "given_name": item.given_name, "family_name": item.family_name,
                "birth_date": item.birth_date}
        elif isinstance(item, Record) and policy.record_visible(item.kind, item.institution_id, full_for, others):
            records.append(record_view(item, policy.fields_shown(item.kind, item.institution_id, full_for)))
    if person is None:
        return None
    last = {"person_id": {"S": person_id}, "record_key": {"S": items[-1].record_key}} if more else None
    return {
        "person": person,
        "records": records,
        "sections": sections(records),
        "next_cursor": next_cursor({"key": last, "person": person}, scope) if last else None,
    }


def record_view(record: Record, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """A record as the history shows it; `fields`: only these of its template fields (None: all)."""
    view: dict[str, Any] = {"record_id": record.record_id, "institution_id": record.institution_id,
                            "institution_name": record.institution_name, "version": int(record.version)}
    shown = record_fields(record)
    if fields is not None:
        # A record id is a hash of (institution, source_id): shown, it would give back another
        # school's file number, which this view leaves out. An opaque, keyed id stands in for it.
        view["record_id"] = "x" + hmac.new(sealing_key(), record.record_id.encode(), "sha256").hexdigest()[:25]
        return view | {name: value for name, value in shown.items() if name in fields}
    return view | {"dakpr_registration_number": record.dakpr_registration_number} | shown


def sections(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The page's records grouped for reading, in reading order (the Query's order)."""
    grouped: dict[str, list[str]] = {}
    for record in records:
        grouped.setdefault(record["kind"], []).append(record["record_id"])
    return [{"kind": kind.name, "title": kind_title(kind.name), "record_ids": grouped[kind.name]}
            for kind in KINDS if kind.name in grouped]
