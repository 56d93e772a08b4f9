"""The municipality code list: ISO 3166-2:LT, each spelling naming exactly one municipality."""

from __future__ import annotations

import pytest

from chalicelib.domain.municipalities import MUNICIPALITIES, municipality_code, municipality_name
from chalicelib.domain.text import fold


def test_sixty_municipalities_with_iso_codes_in_order() -> None:
    codes = [m.code for m in MUNICIPALITIES.codes]
    assert codes == [f"LT-{n:02d}" for n in range(1, 61)]
    # Pinned against ISO 3166-2:LT: the two cities that share a name with their district.
    assert municipality_name("LT-57")["lt"] == "Vilniaus miesto savivaldybė"
    assert municipality_name("LT-58")["lt"] == "Vilniaus rajono savivaldybė"
    assert municipality_name("LT-48")["en"] == "Skuodas District Municipality"


def test_no_spelling_names_two_municipalities() -> None:
    spellings = [fold(s) for m in MUNICIPALITIES.codes for s in (m.code, *m.label.values(), *m.aliases)]
    assert len(spellings) == len(set(spellings)) == 300


@pytest.mark.parametrize(("value", "code"), [
    ("Vilniaus miesto savivaldybė", "LT-57"), ("Vilniaus m. sav.", "LT-57"), ("vilniaus r. sav.", "LT-58"),
    ("LT-05", "LT-05"), ("05", "LT-05"), ("Siauliu m. sav.", "LT-43"), ("Kazlų Rūdos sav.", "LT-17"),
    ("Kaunas District Municipality", "LT-16"), ("Vilnius", None), ("LT-61", None), ("", None),
])
def test_names_and_codes_map_to_one_code_or_none(value: str, code: str | None) -> None:
    assert municipality_code(value) == code
