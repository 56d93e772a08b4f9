"""Children outside education (docs/STATE.md section 5): the nightly refresh of the list, an
official's page of it (each child shown is journaled first), and the ministry's counts.

The refresh writes before it removes. It streams the residents feed (`services/population.py`)
through the pure rule (`domain/outside_education.py`) and puts a row per child with the day
(`listed_on`) and the run's id; only when every row is written does it delete the rows an earlier
run wrote and this one did not, and last it writes the day's counts. A crash (or a feed that breaks) halfway
therefore leaves each row as yesterday's or today's: a child on yesterday's list is still there,
a child on today's either already written or on yesterday's list too; nobody is lost, at worst a
child who left the list stays one more day (or, having moved, shows in both municipalities).
Running it again (the same day, the same data) rewrites the same rows and removes nothing more:
idempotent; run again with other standings, it leaves exactly the new list.

Two runs may overlap: the nightly event is delivered at least once, a timed-out run is retried, an
operator may start one. So a run removes only the rows of runs that *started before it* and that it
did not rewrite, never a row a later-started run wrote (which may be a child this run already
wrote and the later one rewrote meanwhile). The run id begins with the run's start instant in UTC
(`_run_id`), so "started before" is a string comparison DynamoDB evaluates in the Query's filter.
Under overlap a child who left the list may stay until the next run that starts after both — one
day too long — but nobody listed by either run vanishes. We chose this over a per-day lock item
(a conditional put): a lock needs an expiry for a run that crashed holding it, and a second run
that is refused would have nothing to do anyway, while ordered ids need no extra item and no
cleanup. Ordering relies on the Lambda hosts' clocks (NTP, milliseconds apart); two runs starting
within the same microsecond are ordered by their random suffix, which at worst is today's behaviour.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pynamodb.exceptions import PynamoDBException

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.domain import dates, policy
from chalicelib.domain import problems as P
from chalicelib.domain.municipalities import MUNICIPALITIES, municipality_code, municipality_name
from chalicelib.domain.outside_education import OutsideChild, Resident, born_between, outside_education
from chalicelib.domain.policy import CallerFacts
from chalicelib.domain.snapshot import PersonStanding
from chalicelib.errors import Problem
from chalicelib.models.institutions import PROFILE_ITEM, InstitutionItem, InstitutionProfile
from chalicelib.models.journal import JournalEvent
from chalicelib.models.outside_education import (
    COUNTS_PARTITION,
    OutsideChildItem,
    OutsideCounts,
    children_page,
    counts_of,
    remove_older_than,
    write_children,
)
from chalicelib.models.persons import Person
from chalicelib.services.access import require
from chalicelib.services.journal import READ, Actor, new_event
from chalicelib.services.paging import next_cursor, start_key
from chalicelib.services.population import residents_feed


class FeedEmpty(RuntimeError):
    """The residents feed gave nobody: the list is left as it was rather than emptied."""


@dataclass(frozen=True)
class Refreshed:
    day: str
    residents_read: int
    listed: int
    removed: int
    counts: dict[str, int]


def refresh_outside_education(standings: Mapping[str, PersonStanding], day: date) -> Refreshed:
    """Write `day`'s list from the residents feed and the nightly pass's `standings`, then remove
    the children no longer on it (see the module's note on crashes)."""
    ages = settings().compulsory_education_ages
    born_from, born_to = born_between(day, ages)
    run_id = _run_id()
    read = 0
    counts: dict[str, int] = {}

    def residents() -> Iterator[Resident]:
        nonlocal read
        for resident in residents_feed().residents(born_from, born_to):
            read += 1
            yield resident

    def rows() -> Iterator[OutsideChildItem]:
        for child in outside_education(residents(), standings, day, ages):
            counts[child.municipality] = counts.get(child.municipality, 0) + 1
            yield _item(child, day, run_id)

    write_children(rows())
    if read == 0:
        raise FeedEmpty("the residents feed gave no residents: the list is left as it was")
    removed = remove_older_than((code.code for code in MUNICIPALITIES.codes), run_id)
    OutsideCounts(COUNTS_PARTITION, day.isoformat(), listed_on=day.isoformat(), run_id=run_id,
                  written_at=dates.utc_now(), counts=counts, residents_read=read).save()
    listed = sum(counts.values())
    observability.log("outside_education_refreshed", day=day.isoformat(), residents_read=read, listed=listed,
                      removed=removed)
    return Refreshed(day.isoformat(), read, listed, removed, counts)


def _run_id() -> str:
    """The run's start instant (UTC, to the microsecond; ISO strings sort as times), then a random
    suffix so two runs never share an id. Ids of the earlier form `YYYY-MM-DD#hex` sort before
    every id of the same or a later day in this form ('#' sorts before 'T'), so the first run
    after a deploy still removes what they listed."""
    started = dates.utc_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{started}#{secrets.token_hex(8)}"


def _item(child: OutsideChild, day: date, run_id: str) -> OutsideChildItem:
    return OutsideChildItem(
        child.municipality, child.person_id, listed_on=day.isoformat(), run_id=run_id, written_at=dates.utc_now(),
        birth_date=child.birth_date.isoformat(), age=child.age, last_institution=child.last_institution,
        leaving_reason=child.leaving_reason, since=child.since,
    )


def _municipality(value: str) -> str:
    code = municipality_code(value)
    if code is None:
        raise Problem(P.request.municipality)
    return code


def outside_page(
    caller: CallerFacts, municipality: str, *, purpose: str | None, cursor: str | None, limit: int,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """A page of the municipality's list for its official. Every child on the page is journaled
    (READ, role municipality, the purpose) before the page is answered; if that fails, nothing is."""
    code = _municipality(municipality)
    decision = require(policy.see_outside_education(caller, code, purpose))
    scope = f"outside:{code}"
    children, last_key = children_page(code, limit, start_key(cursor, scope))
    people = {p.person_id: p for p in Person.batch_get([c.person_id for c in children])} if children else {}
    institutions = _institution_names({c.last_institution for c in children if c.last_institution})
    # The journal names the municipality where it names an institution: the child sees which
    # municipality looked (the official's own code is kept for audits, never shown).
    actor = Actor(caller.person_id, decision.acting_role, code, municipality_name(code)["lt"])
    try:
        with JournalEvent.batch_write() as batch:
            for child in children:
                batch.save(new_event(child.person_id, READ, actor, purpose=purpose, correlation_id=correlation_id))
    except PynamoDBException:
        # Fail closed: a child whose view cannot be journaled is not shown, nor is anyone else.
        raise Problem(P.journal.unavailable) from None
    rows = [_row(child, people.get(child.person_id), institutions) for child in children]
    return {"municipality": code, "municipality_name": municipality_name(code), "children": rows,
            "next_cursor": next_cursor(last_key, scope)}


def _institution_names(institution_ids: set[str]) -> dict[str, str]:
    if not institution_ids:
        return {}
    found = InstitutionItem.batch_get([(iid, PROFILE_ITEM) for iid in institution_ids])
    return {item.institution_id: item.name for item in found if isinstance(item, InstitutionProfile)}


def _row(child: OutsideChildItem, person: Person | None, institutions: Mapping[str, str]) -> dict[str, Any]:
    # Names only from the register's persons table; a resident the register never met is shown by
    # the personal code alone (the Population Register's names are not copied here).
    return {
        "person_id": child.person_id,
        "given_name": person.given_name if person else None,
        "family_name": person.family_name if person else None,
        "birth_date": child.birth_date,
        "age": int(child.age),
        "last_institution_id": child.last_institution,
        "last_institution_name": institutions.get(child.last_institution or ""),
        "leaving_reason": child.leaving_reason,
        "since": child.since,
        "listed_on": child.listed_on,
    }


def outside_counts(caller: CallerFacts, day: date | None) -> dict[str, Any]:
    """The ministry's national view: children on the list per municipality on `day` (default: the
    latest refresh). One item read; no names, no personal codes."""
    require(policy.administer(caller))
    found = counts_of(day)
    if found is None:
        raise Problem(P.outside.not_computed)
    counts: dict[str, int] = found.counts
    rows = [{"municipality": code, "municipality_name": municipality_name(code), "children": int(counts[code])}
            for code in sorted(counts)]
    return {"date": found.item, "total": sum(row["children"] for row in rows), "municipalities": rows}
