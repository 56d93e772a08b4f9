"""Lithuania's 60 municipalities: the code the state's views are keyed by (docs/STATE.md section 2).

The codes are ISO 3166-2:LT (`LT-01` … `LT-60`, alphabetical as the standard orders them): public,
stable, and what other state registers exchange. Institutions, officials' appointments, statistics
and the residents feed all name a municipality by its code; names are for people, in their language.

Each municipality is also accepted by its official Lithuanian name, its usual short form
(`Vilniaus m. sav.`, `Kauno r. sav.`, `Birštono sav.`) and its English name, compared folded, so
that a name typed or stored before codes existed maps to exactly one code. A bare town name
("Vilnius") is not accepted: it names a city and a district municipality alike.
"""

from __future__ import annotations

from functools import cache

from chalicelib.domain.i18n import Text, text
from chalicelib.domain.kinds import Code, CodeList
from chalicelib.domain.text import fold

CITY, DISTRICT, PLAIN = "miesto", "rajono", ""
_SHORT = {CITY: "m.", DISTRICT: "r.", PLAIN: ""}
_ENGLISH = {CITY: "City Municipality", DISTRICT: "District Municipality", PLAIN: "Municipality"}


def _municipality(number: int, genitive: str, kind: str, english: str) -> Code:
    """`genitive` as the Lithuanian name has it (`Vilniaus`), `english` the place (`Vilnius`)."""
    lithuanian = " ".join(part for part in (genitive, kind, "savivaldybė") if part)
    short = " ".join(part for part in (genitive, _SHORT[kind], "sav.") if part)
    return Code(f"LT-{number:02d}", text(lithuanian, f"{english} {_ENGLISH[kind]}"), (short, f"{number:02d}"))


MUNICIPALITIES = CodeList((
    _municipality(1, "Akmenės", DISTRICT, "Akmenė"),
    _municipality(2, "Alytaus", CITY, "Alytus"),
    _municipality(3, "Alytaus", DISTRICT, "Alytus"),
    _municipality(4, "Anykščių", DISTRICT, "Anykščiai"),
    _municipality(5, "Birštono", PLAIN, "Birštonas"),
    _municipality(6, "Biržų", DISTRICT, "Biržai"),
    _municipality(7, "Druskininkų", PLAIN, "Druskininkai"),
    _municipality(8, "Elektrėnų", PLAIN, "Elektrėnai"),
    _municipality(9, "Ignalinos", DISTRICT, "Ignalina"),
    _municipality(10, "Jonavos", DISTRICT, "Jonava"),
    _municipality(11, "Joniškio", DISTRICT, "Joniškis"),
    _municipality(12, "Jurbarko", DISTRICT, "Jurbarkas"),
    _municipality(13, "Kaišiadorių", DISTRICT, "Kaišiadorys"),
    _municipality(14, "Kalvarijos", PLAIN, "Kalvarija"),
    _municipality(15, "Kauno", CITY, "Kaunas"),
    _municipality(16, "Kauno", DISTRICT, "Kaunas"),
    _municipality(17, "Kazlų Rūdos", PLAIN, "Kazlų Rūda"),
    _municipality(18, "Kėdainių", DISTRICT, "Kėdainiai"),
    _municipality(19, "Kelmės", DISTRICT, "Kelmė"),
    _municipality(20, "Klaipėdos", CITY, "Klaipėda"),
    _municipality(21, "Klaipėdos", DISTRICT, "Klaipėda"),
    _municipality(22, "Kretingos", DISTRICT, "Kretinga"),
    _municipality(23, "Kupiškio", DISTRICT, "Kupiškis"),
    _municipality(24, "Lazdijų", DISTRICT, "Lazdijai"),
    _municipality(25, "Marijampolės", PLAIN, "Marijampolė"),
    _municipality(26, "Mažeikių", DISTRICT, "Mažeikiai"),
    _municipality(27, "Molėtų", DISTRICT, "Molėtai"),
    _municipality(28, "Neringos", PLAIN, "Neringa"),
    _municipality(29, "Pagėgių", PLAIN, "Pagėgiai"),
    _municipality(30, "Pakruojo", DISTRICT, "Pakruojis"),
    _municipality(31, "Palangos", CITY, "Palanga"),
    _municipality(32, "Panevėžio", CITY, "Panevėžys"),
    _municipality(33, "Panevėžio", DISTRICT, "Panevėžys"),
    _municipality(34, "Pasvalio", DISTRICT, "Pasvalys"),
    _municipality(35, "Plungės", DISTRICT, "Plungė"),
    _municipality(36, "Prienų", DISTRICT, "Prienai"),
    _municipality(37, "Radviliškio", DISTRICT, "Radviliškis"),
    _municipality(38, "Raseinių", DISTRICT, "Raseiniai"),
    _municipality(39, "Rietavo", PLAIN, "Rietavas"),
    _municipality(40, "Rokiškio", DISTRICT, "Rokiškis"),
    _municipality(41, "Šakių", DISTRICT, "Šakiai"),
    _municipality(42, "Šalčininkų", DISTRICT, "Šalčininkai"),
    _municipality(43, "Šiaulių", CITY, "Šiauliai"),
    _municipality(44, "Šiaulių", DISTRICT, "Šiauliai"),
    _municipality(45, "Šilalės", DISTRICT, "Šilalė"),
    _municipality(46, "Šilutės", DISTRICT, "Šilutė"),
    _municipality(47, "Širvintų", DISTRICT, "Širvintos"),
    _municipality(48, "Skuodo", DISTRICT, "Skuodas"),
    _municipality(49, "Švenčionių", DISTRICT, "Švenčionys"),
    _municipality(50, "Tauragės", DISTRICT, "Tauragė"),
    _municipality(51, "Telšių", DISTRICT, "Telšiai"),
    _municipality(52, "Trakų", DISTRICT, "Trakai"),
    _municipality(53, "Ukmergės", DISTRICT, "Ukmergė"),
    _municipality(54, "Utenos", DISTRICT, "Utena"),
    _municipality(55, "Varėnos", DISTRICT, "Varėna"),
    _municipality(56, "Vilkaviškio", DISTRICT, "Vilkaviškis"),
    _municipality(57, "Vilniaus", CITY, "Vilnius"),
    _municipality(58, "Vilniaus", DISTRICT, "Vilnius"),
    _municipality(59, "Visagino", PLAIN, "Visaginas"),
    _municipality(60, "Zarasų", DISTRICT, "Zarasai"),
))


@cache
def _spellings() -> dict[str, str]:
    return MUNICIPALITIES.spellings()


def municipality_code(value: str) -> str | None:
    """The code `value` names (a code, `57`, or a name as above), or None if it names none."""
    return _spellings().get(fold(value))


def municipality_name(code: str) -> Text:
    """The municipality's name by language; a code not in the list is shown as it is."""
    for municipality in MUNICIPALITIES.codes:
        if municipality.code == code:
            return municipality.label
    return text(code, code)


def is_municipality(code: str) -> bool:
    return any(municipality.code == code for municipality in MUNICIPALITIES.codes)
