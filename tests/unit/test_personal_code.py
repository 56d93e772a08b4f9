from datetime import date

import pytest

from chalicelib.domain.person_id import new_register_id, person_id_error
from chalicelib.domain.personal_code import (
    PersonalCodeError,
    make_personal_code,
    parse_personal_code,
    personal_code_error,
)


@pytest.mark.parametrize(
    ("code", "sex", "birth"),
    [
        ("39001010000", "M", date(1990, 1, 1)),  # first pass gives the digit
        ("33309240064", "M", date(1933, 9, 24)),  # first pass is 10, second pass gives 4
        ("39001010590", "M", date(1990, 1, 1)),  # both passes 10: the digit is 0
        ("50002290087", "M", date(2000, 2, 29)),  # 2000 is a leap year; second pass
        ("60402294565", "F", date(2004, 2, 29)),
        ("47500001117", "F", None),  # month and day unknown
        ("47512001113", "F", None),  # day unknown
    ],
)
def test_valid_codes(code: str, sex: str, birth: date | None) -> None:
    parsed = parse_personal_code(code)
    assert parsed.value == code
    assert parsed.sex == sex
    assert parsed.birth_date == birth


def test_year_is_known_even_when_the_date_is_not() -> None:
    assert parse_personal_code("47500001117").birth_year == 1975


def test_nineteenth_century_codes() -> None:
    code = make_personal_code("F", date(1899, 12, 31), 5)
    assert code[0] == "2"
    assert parse_personal_code(code).birth_date == date(1899, 12, 31)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("3900101000", "length"),
        ("390010100001", "length"),
        ("", "characters"),
        ("3900101000A", "characters"),
        ("39001 010000", "characters"),  # whitespace inside
        ("3900101000\u0660", "characters"),  # Arabic-Indic zero passes str.isdigit
        ("３９００１０１００００", "characters"),  # full-width digits
        ("79001010000", "century"),
        ("09001010000", "century"),
        ("89001010000", "century"),
        ("39013010000", "date"),  # month 13
        ("39002300000", "date"),  # 30 February
        ("30002291237", "date"),  # 1900 was not a leap year
        ("50102291231", "date"),  # nor was 2001
        ("47500121115", "date"),  # unknown month but a known day
        ("39001010001", "checksum"),
        ("33309240065", "checksum"),  # second-pass code with a wrong digit
        ("39001010591", "checksum"),  # the 0 case with a wrong digit
    ],
)
def test_bad_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(PersonalCodeError) as exc:
        parse_personal_code(code)
    assert exc.value.reason == reason
    assert personal_code_error(code) == reason


def test_outer_whitespace_is_forgiven_inner_is_not() -> None:
    assert parse_personal_code(" 39001010000\t").value == "39001010000"
    assert parse_personal_code("\u00a039001010000\ufeff").value == "39001010000"
    assert personal_code_error("390010 10000") == "characters"


def test_nine_prefix_skips_the_date_but_not_the_check_digit() -> None:
    parsed = parse_personal_code("99999999125")  # "month 99" would be no date at all
    assert parsed.is_exception
    assert parsed.birth_date is None and parsed.sex is None
    assert personal_code_error("99999999126") == "checksum"


def test_make_personal_code_round_trips() -> None:
    for sex, birth in [("M", date(1950, 6, 15)), ("F", date(2012, 2, 29)), ("M", date(2099, 1, 1))]:
        code = make_personal_code(sex, birth, 42)
        parsed = parse_personal_code(code)
        assert (parsed.sex, parsed.birth_date) == (sex, birth)


def test_register_ids_for_people_without_a_code() -> None:
    issued = new_register_id()
    assert person_id_error(issued) is None
    assert issued != new_register_id()
    assert person_id_error("MR-ILOU000000") == "format"  # letters Crockford leaves out
    assert person_id_error("39001010001") == "checksum"
