"""One-off backfill: the records' `enrolments_by_institution` index lists only items that carry
`enrolled_at`, which the write path sets on enrolments from issue 17 on (docs/DATA_MODEL.md, "The
enrolments index"). Enrolments stored before that lack it. Run once per stage that holds records,
after the code that writes the key is deployed (and the new index exists):

    python -m chalicelib.services.enrolment_index            # counts what it would write
    python -m chalicelib.services.enrolment_index --write    # writes it

One Scan of the records table (only enrolments without the key come back), then one conditional
UpdateItem per enrolment that sets the key alone: a record changed meanwhile by the write path
(which sets the key itself, or moved the record) is left as it is and counted. Safe to run again:
a second run finds only what is left. It prints counts only — no personal code, no record.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from chalicelib.models.records import index_enrolment, unindexed_enrolments


class Backfill(NamedTuple):
    found: int  # enrolments without the key
    written: int
    changed: int  # changed or gone meanwhile: not written


def backfill(write: bool) -> Backfill:
    found = written = changed = 0
    for person_id, key, institution_id in unindexed_enrolments():
        found += 1
        if not write:
            continue
        if index_enrolment(person_id, key, institution_id):
            written += 1
        else:
            changed += 1
    return Backfill(found, written, changed)


def main(argv: list[str]) -> int:
    write = "--write" in argv
    result = backfill(write)
    print(f"enrolments without the index key: {result.found}; "
          f"{'written' if write else 'would write'}: {result.written if write else result.found}; "
          f"changed meanwhile: {result.changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
