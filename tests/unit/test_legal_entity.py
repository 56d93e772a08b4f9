import pytest

from chalicelib.domain.legal_entity import legal_entity_code_error, make_legal_entity_code


@pytest.mark.parametrize("code", ["211950810", "111950581", "100000080"])
def test_valid_codes(code: str) -> None:
    # Vilnius University, Kaunas University of Technology, and a code needing the second pass.
    assert legal_entity_code_error(code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [("21195081", "length"), ("2119508100", "length"), ("21195081O", "characters"),
     ("211950811", "checksum"), ("100000081", "checksum")],
)
def test_bad_codes(code: str, reason: str) -> None:
    assert legal_entity_code_error(code) == reason


def test_make_appends_the_check_digit() -> None:
    assert make_legal_entity_code("21195081") == "211950810"
    with pytest.raises(ValueError):
        make_legal_entity_code("2119508")
