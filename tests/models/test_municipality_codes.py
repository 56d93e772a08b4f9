"""The one-off migration of stored municipality names to codes (moto)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.models.institutions import PROFILE_ITEM, InstitutionProfile, institution_profile
from chalicelib.services import municipality_codes


def _profile(iid: str, municipality: str) -> None:
    InstitutionProfile(iid, PROFILE_ITEM, name=f"Mokykla {iid}", legal_entity_code="211950810",
                       municipality=municipality, created_at=datetime.now(UTC), created_by="test").save()


def test_nothing_is_written_while_one_name_does_not_map(aws: None) -> None:
    _profile("inst-a", "Vilniaus m. sav.")
    _profile("inst-b", "Vilnius")  # a city or the district: a person must decide
    assert municipality_codes.main(["--write"]) == 1
    assert [institution_profile(i).municipality for i in ("inst-a", "inst-b")] == [  # type: ignore[union-attr]
        "Vilniaus m. sav.", "Vilnius"]


def test_every_name_maps_and_a_second_run_has_nothing_left(aws: None) -> None:
    _profile("inst-a", "Vilniaus m. sav.")
    _profile("inst-b", "Kauno rajono savivaldybė")
    _profile("inst-c", "LT-20")
    assert municipality_codes.main([]) == 0  # a dry run writes nothing
    assert institution_profile("inst-a").municipality == "Vilniaus m. sav."  # type: ignore[union-attr]
    assert municipality_codes.main(["--write"]) == 0
    assert [institution_profile(i).municipality for i in ("inst-a", "inst-b", "inst-c")] == [  # type: ignore[union-attr]
        "LT-57", "LT-16", "LT-20"]
    again = municipality_codes.plan()
    assert (again.mapped, again.unmapped, again.done) == ({}, {}, 3)


def test_a_profile_changed_meanwhile_is_not_overwritten(aws: None) -> None:
    _profile("inst-a", "Vilniaus m. sav.")
    found = municipality_codes.plan()
    InstitutionProfile.get("inst-a", PROFILE_ITEM).update(actions=[InstitutionProfile.municipality.set("LT-58")])
    from chalicelib.models.institutions import set_municipality

    stored, code = found.mapped["inst-a"]
    assert set_municipality("inst-a", stored, code) is False
    assert institution_profile("inst-a").municipality == "LT-58"  # type: ignore[union-attr]
