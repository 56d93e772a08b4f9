"""Pupils moving school: the views of movement items (docs/STATE.md section 4). The items are
written by the records' one write path (`services/records.py`); this module only reads them.

- A school sees its open items — as the old school ("left for B — close the enrolment", with its
  own record to correct) and as the new one ("arrived from A") — with the pupil named when it may
  read the pupil now (a school they attend or left within FORMER_SCHOOL_ACCESS_MONTHS, not
  disputed: `services/access.standing_of`); otherwise with its own record id alone. Each pupil
  named is journaled (a read of their data by an institution) before the page is answered.
- The state (the ministry, a municipality's official) sees items open longer than
  `MOVEMENT_OVERDUE_DAYS`: the two institutions, their municipality, since when — and nothing of
  the pupil, not even a masked reference. The municipality's work is to get school A to close
  an enrolment; A finds the pupil in its own list. A name, a code or a stable reference would let
  the state follow a child between schools, which no rule gives it (the state's roles read no
  learning history), so nothing of the child is shown and nothing needs journaling.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib.config import settings
from chalicelib.domain import policy
from chalicelib.domain import problems as P
from chalicelib.domain.dates import vilnius_today
from chalicelib.domain.movements import overdue_since
from chalicelib.domain.municipalities import municipality_name
from chalicelib.domain.policy import CallerFacts
from chalicelib.errors import Problem
from chalicelib.models.institutions import institution_profile
from chalicelib.models.journal import JournalEvent
from chalicelib.models.movements import OPEN, Movement
from chalicelib.models.persons import Person
from chalicelib.services.access import require, standing_of
from chalicelib.services.filters import municipality_filter
from chalicelib.services.journal import READ, Actor, new_event
from chalicelib.services.paging import next_cursor, start_key

LEFT, ARRIVED = "left", "arrived"  # the school's side of an item: A (the pupil left) or B (arrived)
PURPOSE = "movement items"


def institution_movements(caller: CallerFacts, institution_id: str, cursor: str | None, limit: int,
                          correlation_id: str | None = None) -> dict[str, Any]:
    """The institution's open items, those where it is the old school first, then those where it is
    the new one (two Queries of sparse indexes, paged as one list)."""
    decision = require(policy.act_for_institution(caller, institution_id, policy.READ))
    profile = institution_profile(institution_id)
    if profile is None:
        raise Problem(P.institution.not_found)
    scope = f"movements:{institution_id}"
    position = start_key(cursor, scope) or {}
    side: str | None = LEFT if position.get("side") != ARRIVED else ARRIVED
    key = position.get("key")
    found: list[tuple[str, Movement]] = []
    after: dict[str, Any] | None = None
    while side is not None and len(found) < limit:
        index = Movement.open_from_index if side == LEFT else Movement.open_to_index
        result = index.query(institution_id, limit=limit - len(found), last_evaluated_key=key)
        found += [(side, item) for item in result]
        if result.last_evaluated_key:
            after = {"side": side, "key": result.last_evaluated_key}
            break
        side, key = (ARRIVED if side == LEFT else None), None
        if side is not None and len(found) >= limit:
            after = {"side": side}  # the arrivals start on the next page
    # Named only to a school that may read the pupil now (one Query of the person's enrolments each,
    # a page holds at most `limit`): a former school past FORMER_SCHOOL_ACCESS_MONTHS, or one whose
    # enrolment the Population Register disputed, sees its own record id and nothing else.
    named = sorted({item.person_id for _, item in found if institution_id in standing_of(item.person_id).reading})
    people = {p.person_id: p for p in Person.batch_get(named)} if named else {}
    actor = Actor(caller.person_id, decision.acting_role, institution_id, profile.name)
    try:
        with JournalEvent.batch_write() as batch:
            for person_id in named:
                batch.save(new_event(person_id, READ, actor, purpose=PURPOSE, correlation_id=correlation_id))
    except PynamoDBException:
        # Fail closed: names that cannot be journaled are not shown.
        raise Problem(P.journal.unavailable) from None
    return {"movements": [_school_view(side, item, people.get(item.person_id)) if item.person_id in named
                          else _unnamed_view(side, item) for side, item in found],
            "next_cursor": next_cursor(after, scope)}


def _own_record(side: str, item: Movement) -> str:
    return item.old_record_id if side == LEFT else item.new_record_id


def _unnamed_view(side: str, item: Movement) -> dict[str, Any]:
    """What a school that may not read the pupil now is told: its own record to correct. Not the
    pupil, nor the other school or the arrival date (where the child is now)."""
    return {"side": side, "record_id": _own_record(side, item), "opened_at": item.opened_at}


def _school_view(side: str, item: Movement, person: Person | None) -> dict[str, Any]:
    return {
        "side": side,
        "record_id": _own_record(side, item),
        "person_id": item.person_id,
        "given_name": person.given_name if person else None,
        "family_name": person.family_name if person else None,
        "from_institution": {"institution_id": item.from_institution, "name": item.from_name},
        "to_institution": {"institution_id": item.to_institution, "name": item.to_name},
        "arrived_on": item.arrived_on,
        "opened_at": item.opened_at,
    }


def overdue_movements(caller: CallerFacts, municipality: str | None, cursor: str | None,
                      limit: int) -> dict[str, Any]:
    """Items open longer than `MOVEMENT_OVERDUE_DAYS`, oldest first: the ministry all or one
    municipality's (A's); an official their municipality's. One Query of a sparse index per page:
    items read grow with overdue items, never with pupils."""
    municipality = municipality_filter(municipality)
    if municipality is None and not caller.is_ministry and len(caller.municipalities) == 1:
        municipality = next(iter(caller.municipalities))  # an official's own, unasked
    require(policy.see_municipality(caller, municipality))  # None, every municipality: the ministry's
    cutoff = overdue_since(vilnius_today(), settings().movement_overdue_days)
    scope = f"overdue-movements:{municipality or ''}"
    if municipality is None:
        result = Movement.open_all.query(OPEN, Movement.opened_at <= cutoff, limit=limit,
                                         last_evaluated_key=start_key(cursor, scope))
    else:
        result = Movement.open_by_municipality.query(municipality, Movement.opened_at <= cutoff, limit=limit,
                                                     last_evaluated_key=start_key(cursor, scope))
    items = [_state_view(item) for item in result]
    return {"movements": items, "overdue_days": settings().movement_overdue_days,
            "next_cursor": next_cursor(result.last_evaluated_key, scope)}


def _state_view(item: Movement) -> dict[str, Any]:
    code = item.from_municipality
    return {
        "from_institution": {"institution_id": item.from_institution, "name": item.from_name},
        "to_institution": {"institution_id": item.to_institution, "name": item.to_name},
        "municipality": code,
        "municipality_name": municipality_name(code) if code else None,
        "arrived_on": item.arrived_on,
        "opened_at": item.opened_at,
    }
