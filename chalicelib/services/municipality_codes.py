"""One-off migration: institutions stored their municipality as a name before the state's views
keyed everything by its code (docs/STATE.md section 2). Run once per stage, after the deploy:

    python -m chalicelib.services.municipality_codes            # says what it would do
    python -m chalicelib.services.municipality_codes --write    # does it

Every stored name must map to exactly one code (chalicelib/domain/municipalities.py) or nothing is
written and the ones that do not are listed (institution id and the name as stored — names of
institutions, no personal data), to be corrected by hand. Each write is conditional on the name
still being the one read, so a profile changed meanwhile is reported, never overwritten; running it
again after a partial run only writes what is left.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from chalicelib.domain.municipalities import is_municipality, municipality_code
from chalicelib.models.institutions import all_profiles, set_municipality


class Plan(NamedTuple):
    mapped: dict[str, tuple[str, str]]  # institution id -> (stored name, code)
    unmapped: dict[str, str]  # institution id -> stored name
    done: int  # already a code


def plan() -> Plan:
    mapped: dict[str, tuple[str, str]] = {}
    unmapped: dict[str, str] = {}
    done = 0
    for profile in all_profiles():
        stored = profile.municipality
        if is_municipality(stored):
            done += 1
            continue
        code = municipality_code(stored)
        if code is None:
            unmapped[profile.institution_id] = stored
        else:
            mapped[profile.institution_id] = (stored, code)
    return Plan(mapped, unmapped, done)


def migrate(write: bool) -> tuple[Plan, list[str]]:
    """The plan and, if written, the institutions whose profile changed under the migration."""
    found = plan()
    if not write or found.unmapped:
        return found, []
    changed = [iid for iid, (stored, code) in sorted(found.mapped.items()) if not set_municipality(iid, stored, code)]
    return found, changed


def main(argv: list[str]) -> int:
    write = "--write" in argv
    found, changed = migrate(write)
    print(f"already codes: {found.done}; to map: {len(found.mapped)}; unmapped: {len(found.unmapped)}")
    for iid, stored in sorted(found.unmapped.items()):
        print(f"UNMAPPED {iid}: {stored!r} — correct it to a code (LT-01…LT-60) or an official name")
    for iid, (stored, code) in sorted(found.mapped.items()):
        print(f"{'wrote' if write and not found.unmapped else 'would write'} {iid}: {stored!r} -> {code}")
    for iid in changed:
        print(f"CHANGED MEANWHILE {iid}: not written; run again")
    if found.unmapped:
        print("nothing written: every name must map first")
        return 1
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
