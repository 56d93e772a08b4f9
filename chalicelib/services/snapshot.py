"""`snapshot_statistics`: the nightly pass over enrolments (docs/STATE.md section 3).

For each institution (its profile from the `by_item_type` index), one Query of the records' sparse
`enrolments_by_institution` index — only enrolments are in it and read, never the whole table. Each
enrolment becomes an `EnrolmentFacts`, counted into the institution's `Tally` and handed on, in the
same pass, to `person_standings`. Per institution the pass writes its statistics item for the day
and, on its activity item, the open enrolments and its open movement items (two counting Queries of
the movements' sparse indexes); at the end the day's `#DONE` mark. Memory: one institution's tally
at a time, plus the per-person map the list of children outside education needs (about 330,000
entries nationally; docs/PERFORMANCE.md).

A past date is computed by running the pass for it: enrolments carry their start and end dates
(what they are on that day as the register knows them now). Run by hand:
`python -m chalicelib.services.snapshot [--date YYYY-MM-DD]`.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from chalicelib import observability
from chalicelib.domain import dates
from chalicelib.domain.municipalities import municipality_code
from chalicelib.domain.snapshot import EnrolmentFacts, PersonStanding, Tally, person_standings
from chalicelib.models.institutions import InstitutionProfile, all_profiles, note_open_enrolments
from chalicelib.models.movements import open_count_of
from chalicelib.models.records import Record, institution_enrolments
from chalicelib.models.statistics import StatisticsItem, day_key, mark_done, place_key, save_counts

UNKNOWN_MUNICIPALITY = "LT-00"  # a profile whose municipality is not a code (none after the migration)


@dataclass
class SnapshotResult:
    day: date
    institutions: int = 0
    enrolments_read: int = 0
    open_enrolments: int = 0
    # Per person met: enrolled on the day, or where they last left (domain/snapshot.py).
    persons: dict[str, PersonStanding] = field(default_factory=dict)


def facts_of(record: Record) -> EnrolmentFacts:
    return EnrolmentFacts(
        person_id=record.person_id, institution_id=record.institution_id or "",
        start_date=record.field("start_date") or "", end_date=record.field("end_date"),
        leaving_reason=record.field("leaving_reason"), programme=record.field("programme"),
        learning_form=record.field("learning_form"), class_name=record.field("class"))


def run_snapshot(day: date) -> SnapshotResult:
    """Count every institution's enrolments open on `day` and write the day's statistics."""
    result = SnapshotResult(day)
    now = dates.utc_now()
    pending: list[StatisticsItem] = []  # written 25 at a time (one BatchWriteItem)

    def enrolments(profiles: list[InstitutionProfile]) -> Iterator[EnrolmentFacts]:
        for profile in profiles:
            tally = Tally(day)
            for record in institution_enrolments(profile.institution_id):
                facts = facts_of(record)
                tally.add(facts)
                result.enrolments_read += 1
                yield facts
            municipality = municipality_code(profile.municipality) or UNKNOWN_MUNICIPALITY
            pending.append(StatisticsItem(
                day_key(day), place_key(municipality, profile.institution_id), computed_at=now,
                institution_id=profile.institution_id, institution_name=profile.name, municipality=municipality,
                counts=tally.stored(), total=tally.open_enrolments))
            if len(pending) == 25:
                save_counts(pending)
                pending.clear()
            note_open_enrolments(profile.institution_id, day.isoformat(), tally.open_enrolments,
                                 open_count_of(profile.institution_id), now)
            result.institutions += 1
            result.open_enrolments += tally.open_enrolments

    result.persons = person_standings(enrolments(all_profiles()), day)
    save_counts(pending)
    mark_done(day, result.institutions, now)
    return result


def after_the_pass(result: SnapshotResult) -> None:
    """What consumes the pass's per-person standings: the list of children outside education
    (docs/STATE.md section 5), refreshed from the residents feed — only when the pass was for
    today: the list is of who is outside education now, and a pass for a past day (statistics
    computed afterwards) would put that day's list in place of today's. With no feed configured
    (a stage without the Population Register's feed) it is skipped and says so; a configured feed
    that gives nothing fails the job (`FeedEmpty`), after the statistics are written, so the
    function's error alarm fires and yesterday's list stays as it was."""
    from chalicelib.config import settings
    from chalicelib.services.outside_education import refresh_outside_education

    if result.day != dates.vilnius_today():
        observability.log("outside_education_skipped", reason="a past day's pass")
        return
    if not settings().population_residents_file:
        observability.log("outside_education_skipped", "WARNING", reason="no residents feed configured")
        return
    refresh_outside_education(result.persons, result.day)


def run_job(day: date) -> SnapshotResult:
    """The whole nightly job for `day`: the pass, then what consumes it, and on the year's
    reference date the open data, published once (docs/STATE.md section 3). Logs counts only."""
    from chalicelib.config import settings
    from chalicelib.domain.snapshot import is_reference_date
    from chalicelib.services.statistics import publish_open_data

    result = run_snapshot(day)
    after_the_pass(result)
    if is_reference_date(day, settings().open_data_reference_date):
        observability.log("open_data_published", day=day.isoformat(), tables=publish_open_data(day))
    observability.log("snapshot_done", day=day.isoformat(), institutions=result.institutions,
                      enrolments_read=result.enrolments_read, open_enrolments=result.open_enrolments,
                      persons=len(result.persons))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Compute the statistics snapshot of a day (default: today, Vilnius).")
    parser.add_argument("--date", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    arguments = parser.parse_args(argv)
    result = run_job(arguments.date or dates.vilnius_today())
    print(f"{result.day}: {result.institutions} institutions, {result.enrolments_read} enrolments read, "
          f"{result.open_enrolments} open")


if __name__ == "__main__":
    main()
