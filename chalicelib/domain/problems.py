"""Every problem code the register answers or reports, declared once (after KOSKI's error categories).

A code is a dotted key, `<category>.<name>` (`record.conflict`); each category below is a class
whose attributes are its codes, so code elsewhere names an entry, never a string:
`from chalicelib.domain import problems as P` … `raise Problem(P.record.conflict)`. An entry is
the key itself (a `str`: it compares, hashes and serialises as the key) and carries

- its HTTP `status`, inherited from its category unless it states its own (None: never an HTTP
  answer — a line of an upload report, or a DAKPR delivery's last error);
- a short English `summary` (the problem body's `title`, the docs' table);
- `messages`: what a person reads, `text(lt, en)`; a further language translates them in its
  catalogue under `problem.<code>` (chalicelib/domain/i18n.py);
- optionally `detailed`, the message naming a detail (`{}`: a date), under `problem.<code>.detailed`.

A `Family` stands for codes with a variable part: `validation.<field>.<reason>` (the reason's
message, from `REASONS`, translated under `reason.<reason>`), `dakpr.http_<status>[.<code>]`,
`transfer.<exception type>`. Codes are a public contract (API, upload reports, stored delivery
errors): add, never rename. The domain decides codes; only the HTTP edge (`handlers/problems.py`)
turns them into statuses. `docs/API.md`'s table of codes is generated from this module:
`.venv/bin/python -m chalicelib.domain.problems --write-docs`.

Kept plain (no dataclasses, no enum: importing it is compiling it, about 3 ms). The API's handlers
import it on the way to a refusal only, so a cold start does not load it.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from chalicelib.domain.access import ADMINISTRATOR_COVER_DAYS
from chalicelib.domain.i18n import Text, text, translated


class Code(str):
    """One problem code: the key itself, with its status, summary (title) and messages."""

    status: int | None
    summary: str  # a short English title (the problem body's `title`)
    messages: Text
    detailed: Text | None
    note: str

    def __new__(
        cls, key: str, summary: str, messages: Text, *, status: int | None = None, detailed: Text | None = None,
        note: str = "",
    ) -> Self:
        made = super().__new__(cls, key)
        made.status, made.summary, made.messages, made.detailed, made.note = status, summary, messages, detailed, note
        return made

    def named(self, key: str, status: int | None) -> Self:
        """This declaration as the registered code `key` (a category names its codes)."""
        return type(self)(key, self.summary, self.messages, status=status, detailed=self.detailed, note=self.note)

    def translated(self, detail: str = "") -> dict[str, str]:
        """The messages in every language that has them; the detailed ones when there is a detail."""
        if detail and self.detailed is not None:
            return {language: message.replace("{}", detail)
                    for language, message in translated(f"problem.{self}.detailed", self.detailed).items()}
        return translated(f"problem.{self}", self.messages)


class Family(Code):
    """Codes with a variable part: the key is the form they take (`transfer.<exception type>`)."""

    @property
    def prefix(self) -> str:
        return self[: self.index("<")]

    def of(self, variable: str) -> str:
        """One code of the family: `P.transfer.exception.of("KeyError")` is `transfer.KeyError`."""
        return self.prefix + variable


def code(summary: str, messages: Text, *, status: int | None = None, detailed: Text | None = None,
         note: str = "") -> Code:
    """Declares a code in a category's body; the category gives it its key (and its status)."""
    return Code("", summary, messages, status=status, detailed=detailed, note=note)


def family(form: str, summary: str, messages: Text, *, status: int | None = None, note: str = "") -> Family:
    """Declares a family: `form` follows the category in its codes (`<field>.<reason>`)."""
    return Family(form, summary, messages, status=status, note=note)


CATEGORIES: list[type[Category]] = []


class Category:
    """A branch of the tree: `status` is what its codes inherit, `title` says what it holds."""

    status: ClassVar[int | None] = None
    title: ClassVar[str] = ""
    codes: ClassVar[tuple[Code, ...]] = ()

    def __init_subclass__(cls, *, status: int | None = None, title: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status, cls.title = status, title
        codes = []
        for name, declared in list(vars(cls).items()):
            if isinstance(declared, Code):
                key = f"{cls.__name__}.{declared if isinstance(declared, Family) else name}"
                registered = declared.named(key, declared.status if declared.status is not None else status)
                setattr(cls, name, registered)
                codes.append(registered)
        cls.codes = tuple(codes)
        CATEGORIES.append(cls)


# --- answered by the API --------------------------------------------------------------------------


class request(Category, status=400, title="The request itself"):
    malformed_json = code("Body is not JSON", text("Užklausos turinys nėra tinkamas JSON.",
                                                  "The body is not valid JSON."))
    not_an_object = code("Body is not an object", text("Užklausos turinys turi būti JSON objektas.",
                                                       "The body must be a JSON object."))
    malformed = code("Request not readable", text("Užklausos nepavyko perskaityti.", "The request could not be read."))
    cursor = code("Invalid page cursor", text("Puslapio žymeklis čia netinka; pradėkite nuo pirmo puslapio.",
                                              "The page cursor is not valid here; start from the first page."))
    limit = code("Invalid page size", text("Netinkamas puslapio dydis (limit).",
                                           "The page size (limit) is out of range."))
    purpose = code("Invalid purpose", text("Tikslas turi būti trumpa teksto eilutė.",
                                           "The purpose must be a short line of text."))
    unknown_parameter = code("Unknown query parameter", text("Šis adresas tokio užklausos parametro nepriima.",
                                                             "This route does not take that query parameter."))
    format = code("Format not offered", text("Prašomas formatas neteikiamas.", "The format asked for is not offered."))
    action = code("Unknown action", text("Veiksmas (action) turi būti „revoke“ arba „suspend“.",
                                         "action must be 'revoke' or 'suspend'."))
    include_personal_code = code("Invalid option", text("include_personal_code turi būti „true“ arba „false“.",
                                                        "include_personal_code is `true` or `false`."))
    overdue = code("Invalid filter", text("overdue turi būti „true“ arba „false“.", "overdue is `true` or `false`."))
    municipality = code("Unknown municipality", text("Tokios savivaldybės nėra: nurodykite jos kodą (pvz., LT-57).",
                                                     "No such municipality: give its code (e.g. LT-57)."))
    date = code("Invalid date", text("Data turi būti nurodyta kaip MMMM-MM-DD.", "The date must be YYYY-MM-DD."))
    invalid = code("Request refused", text("Užklausa atmesta.", "The request was refused."),
                   note="any other refusal by Chalice (with its own status) or by API Gateway")
    too_large = code("Body too large", text("Užklausos turinys per didelis.", "The request body is too large."),
                     status=413, note="bodies over 256 KB")
    method = code("Method not allowed", text("Šis metodas čia neleidžiamas.", "This method is not allowed here."),
                  status=405)
    media_type = code("Unsupported media type", text("Siųskite turinį kaip application/json.",
                                                     "Send the body as application/json."), status=415)
    throttled = code("Too many requests", text("Per daug užklausų: palaukite ir bandykite dar kartą.",
                                               "Slow down and try again."),
                     status=429, note="the whole stage over API Gateway's rate")
    rate_limited = code(
        "Too many requests",
        text("Per daug užklausų iš jūsų tinklo į šią registro dalį. Palaukite kelias minutes ir bandykite dar kartą.",
             "Too many requests from your network to this part of the register. Wait a few minutes and try again."),
        status=429, note="one client address over its limit on `/auth/*`, `/me/transcript` or `/shared/*`; sent by "
                         "WAF with `Retry-After`, as `application/json` and without a correlation id: "
                         "docs/OPERATIONS.md")
    ministry_role = code("No such ministry role", text("Tokios ministerijos rolės nėra (ADMINISTRATOR, OFFICIAL, "
                                                       "AUDITOR).", "No such ministry role (ADMINISTRATOR, OFFICIAL, "
                                                       "AUDITOR)."))


class auth(Category, status=401, title="Logging in and access tokens"):
    missing_token = code("Not authenticated", text("Reikia galiojančio prieigos rakto.",
                                                   "A valid access token is required."))
    session = code("No login session", text("Nėra galiojančios prisijungimo sesijos: prisijunkite iš naujo.",
                                            "No valid login session: log in again."),
                   note="from `POST /auth/token`: a refresh cookie missing, unknown, expired, logged out or spent")
    denied = code("Access token refused", text("Prieigos raktas atmestas.", "The access token was refused."),
                  status=403, note="any token the authoriser refuses, including one whose session has ended")
    csrf = code("Not from the register's pages", text("Ši užklausa turi būti siunčiama iš paties registro puslapių.",
                                                      "This call must come from the register's own pages."),
                status=403)


class access(Category, status=403, title="Who may do what (docs/ACCESS.md)"):
    institution = code("Not this institution's representative", text("Jūs nesate šios įstaigos atstovas.",
                                                                      "You are not this institution's representative."))
    permit = code("No valid permit", text("Įstaigos leidimas šiuo metu to neleidžia.",
                                          "The institution's permit does not allow this now."))
    ministry_only = code("Ministry only", text("Tai gali daryti tik ministerija.", "Only the ministry may do this."))
    municipality = code("Not this municipality's official", text("Jūs nesate šios savivaldybės atstovas.",
                                                                 "You are not an official of this municipality."))
    administrator = code("Not this institution's administrator",
                         text("Šios įstaigos atstovus skiria ministerija arba įstaigos administratorius.",
                              "Only the ministry or the institution's administrator manages its representatives."))
    ministry_administrator = code("Not a ministry administrator",
                                  text("Ministerijos darbuotojų roles skiria tik ministerijos administratorius.",
                                       "Only a ministry administrator manages the ministry's roles."))
    auditor = code("Not a data-protection auditor",
                   text("Tai gali matyti tik duomenų apsaugos auditorius.",
                        "Only a data-protection auditor may see this."))
    denied = code("Forbidden", text("Jums to daryti negalima.", "You may not do this."))
    purpose_required = code("Purpose required", text("Nurodykite, kokiu tikslu skaitote šiuos duomenis.",
                                                     "State the purpose of this read."), status=400)


class representative(Category, status=403, title="An institution's representative"):
    suspended = code(
        "Writes suspended",
        text("Jūsų teisė rašyti sustabdyta dėl per daug nesutapusių asmens duomenų; kreipkitės į ministeriją.",
             "Your writes are suspended after too many identity mismatches; contact the ministry."),
        note="until the ministry lifts it; in upload reports also for the rest of the file")


class person(Category, title="Persons"):
    not_found = code("No such person", text("Tokio asmens nėra.", "No such person."), status=404,
                     note="also a refusal concerning a person: whether a code is in the register is personal data")
    conflict = code("Person changed meanwhile", text("Asmens duomenys tuo metu pakeisti; perskaitykite juos iš naujo.",
                                                     "The person was changed meanwhile; read again."), status=409)
    names_authoritative = code(
        "Names not correctable here",
        text("Asmenį taisyti gali tik jį įtraukusi įstaiga, o vardų ir pavardžių iš Gyventojų registro taisyti "
             "negalima.",
             "Only the institution that added this person may correct them, and never names from the Population "
             "Register."), status=409)
    identity_mismatch = code("Identity does not match",
                             text("Asmens vardas, pavardė ar gimimo data nesutampa su registru.",
                                  "The person's names or birth date do not match the register."),
                             status=422, note="which part is not said; in upload reports too")


class record(Category, title="Records"):
    not_found = code("No such record", text("Tokio įrašo nėra.", "No such record."), status=404)
    conflict = code("Record changed meanwhile",
                    text("Įrašas tuo metu pakeistas: perskaitykite jį iš naujo ir pakeiskite dar kartą.",
                         "The record was changed meanwhile: read it again and reapply your change."),
                    status=409, note="with `current_version`")
    annulled = code("Record annulled", text("Įrašas anuliuotas; jei jis teisingas, pateikite naują su kitu source_id.",
                                            "The record is annulled; if it is right, submit a new one with another "
                                            "source_id."), status=409, note="in upload reports too")
    incomplete = code("Record not complete yet", text("Įrašas dar neišsamus; perdavimas bus kartojamas.",
                                                      "The record is not complete yet; the delivery is retried."),
                      note="a DAKPR delivery's last error")
    person_missing = code("Record's person missing", text("Įrašo asmens registre nėra; perdavimas bus kartojamas.",
                                                          "The record's person is not in the register; the delivery is "
                                                          "retried."), note="a DAKPR delivery's last error")


class institution(Category, title="Institutions"):
    not_found = code("No such institution", text("Tokios įstaigos nėra.", "No such institution."), status=404)
    exists = code("Institution exists", text("Įstaiga tokiu identifikatoriumi jau yra.",
                                             "An institution with this id exists."), status=409)


class application(Category, status=409, title="Permit applications (docs/APPLICATIONS.md)"):
    not_found = code("No such application", text("Tokio prašymo nėra.", "No such application."), status=404,
                     note="also when it exists but is neither the caller's nor the ministry's to read")
    pending = code("An application is pending", text(
        "Šiam juridiniam asmeniui jau pateiktas prašymas, kuris dar nenagrinėtas.",
        "An application for this legal entity is already pending."))
    decided = code("Application decided", text("Dėl šio prašymo jau nuspręsta.",
                                               "This application has been decided already."))
    institution_mismatch = code("Institution of another legal entity", text(
        "Įstaiga šiuo identifikatoriumi registruota kitam juridiniam asmeniui.",
        "The institution with this id belongs to another legal entity."))
    conflict = code("Changed meanwhile", text("Duomenys tuo metu pakeisti; perskaitykite prašymą iš naujo.",
                                              "Something changed meanwhile; read the application again."))
    own = code("Not one's own application", text("Dėl savo paties prašymo spręsti negalite.",
                                                 "You cannot decide an application you made or are named in."),
               status=403)
    too_many = code("Too many pending applications", text(
        "Jau turite 3 nenagrinėtus prašymus: naują pateikti galėsite, kai dėl kurio nors bus nuspręsta.",
        "You already have 3 pending applications: you can make another once one of them is decided."),
        note="per applicant, `MAX_PENDING_PER_APPLICANT` (domain/applications.py)")


class statistics(Category, status=404, title="Statistics (docs/STATE.md section 3)"):
    not_computed = code("Not computed for this date", text(
        "Šiai dienai statistika neapskaičiuota: ji skaičiuojama kiekvieną naktį, "
        "praeities datai – paleidus skaičiavimą.",
        "No statistics for this date: they are computed every night, and for a past date when the job is run for it."))
    not_published = code("Not a reference date", text(
        "Atviri duomenys skelbiami tik kiekvienų metų ataskaitinei datai "
        "(OPEN_DATA_REFERENCE_DATE, pvz., rugsėjo 1 d.).",
        "Open data is published for each year's reference date only (OPEN_DATA_REFERENCE_DATE, e.g. 1 September)."))


class permit(Category, status=404, title="Permits"):
    not_found = code("No such permit", text("Tokio leidimo nėra.", "No such permit."))


class staff(Category, status=404, title="Representatives of an institution"):
    not_found = code("Not a representative here", text("Šis asmuo nėra šios įstaigos atstovas.",
                                                       "This person is not a representative here."))
    administrator = code("Administrators are the ministry's",
                         text("Įstaigos administratorių skiria ir šalina tik ministerija.",
                              "Only the ministry appoints or removes an institution's administrators."), status=403)
    self = code("Not oneself", text("Savęs paskirti ar pašalinti negalite.", "You cannot appoint or remove yourself."),
                status=403)


class official(Category, status=404, title="Municipality officials"):
    not_found = code("Not an official here", text("Šis asmuo nėra šios savivaldybės atstovas.",
                                                  "This person is not an official of this municipality."))


class ministry(Category, title="Ministry roles (docs/ACCESS.md)"):
    not_found = code("Not appointed", text("Šis asmuo neturi šios ministerijos rolės.",
                                           "This person does not hold this ministry role."), status=404)
    self = code("Not oneself", text("Savo ministerijos rolių skirti, keisti ar šalinti negalite.",
                                    "You cannot appoint, change or remove your own ministry role."), status=403)
    last_administrator = code("The ministry keeps an administrator", text(
        "Po šio pakeitimo ministerijai neliktų kito administratoriaus, galiojančio nuo šiandien bent "
        f"{ADMINISTRATOR_COVER_DAYS} d.: pirmiausia paskirkite kitą.",
        "After this change no other ministry administrator would stay valid from today for at least "
        f"{ADMINISTRATOR_COVER_DAYS} days: appoint another first."), status=409)
    conflict = code("Changed meanwhile", text("Paskyrimas tuo metu pakeistas ar pašalintas; perskaitykite sąrašą "
                                              "iš naujo.", "The appointment was changed or removed meanwhile; "
                                              "read the list again."), status=409)


class audit(Category, title="Data-protection audit (docs/ACCESS.md)"):
    self = code("Not one's own", text("Savo ar savo vaiko žurnalo audituoti negalite.",
                                      "You cannot audit your own journal or your child's."), status=403)


class upload(Category, status=404, title="Uploads"):
    not_found = code("No such upload", text("Tokio įkėlimo nėra.", "No such upload."))


class share(Category, title="Share links"):
    not_found = code("No such link", text("Tokios nuorodos nėra, jos galiojimas baigėsi arba ji atšaukta.",
                                          "No such link, or it has expired or been revoked."),
                     status=404, note="guessed, tampered, expired or revoked alike")
    limit = code("Too many links", text("Per daug galiojančių nuorodų: pirmiausia atšaukite vieną.",
                                        "Too many live links: revoke one first."), status=409)


# One message for every way a transcript can fail the check: which part failed is in the code.
_NOT_A_TRANSCRIPT = text("Tai nėra nepakeistas registro pasirašytas išrašas.",
                         "This is not an intact transcript signed by the register.")


class transcript(Category, status=422, title="Transcripts (`POST /transcripts/verify` for 422)"):
    shape = code("Not a transcript", _NOT_A_TRANSCRIPT)
    header = code("Unreadable header", _NOT_A_TRANSCRIPT)
    key = code("Unknown signing key", _NOT_A_TRANSCRIPT)
    signature = code("Signature does not verify", _NOT_A_TRANSCRIPT)
    issuer = code("Not issued by the register", _NOT_A_TRANSCRIPT)
    too_large = code("Too many records", text("Istorijoje per daug įrašų vienam išrašui.",
                                              "The history has too many records for one transcript."),
                     status=409, note="over 1,000 records in one transcript")
    status_list_not_found = code("No such status list", text("Tokio būsenų sąrašo nėra.",
                                                             "No such status list."), status=404)
    status_unavailable = code("Transcript unavailable",
                              text("Registras šiuo metu negali išduoti išrašo; bandykite vėliau.",
                                   "The register cannot issue a transcript now; try later."),
                              status=503, note="no status list entry could be taken")


class transfer(Category, title="DAKPR transfer (docs/TRANSFER.md)"):
    not_found = code("No such dead delivery", text("Tokio neperduoto įrašo nėra.", "No dead delivery with this id."),
                     status=404)
    exception = family("<exception type>", "Unexpected delivery failure",
                       text("Perduodant įvyko netikėta klaida; perdavimas bus kartojamas.",
                            "Something unexpected failed for this delivery; it is retried."),
                       note="a DAKPR delivery's last error")


class dakpr(Category, title="DAKPR's answers to a delivery (a delivery's last error)"):
    unreachable = code("DAKPR unreachable", text("DAKPR nepasiekiamas; perdavimas bus kartojamas.",
                                                 "DAKPR could not be reached; the delivery is retried."))
    bad_answer = code("DAKPR's answer unreadable",
                      text("DAKPR atsakymo nepavyko perskaityti; perdavimas bus kartojamas.",
                           "DAKPR's answer could not be read; the delivery is retried."))
    http = family("http_<status>[.<DAKPR's code>]", "DAKPR refused", text("DAKPR atsakė klaida.",
                                                                         "DAKPR answered with an error."))


class outside(Category, title="Children outside education (docs/STATE.md section 5)"):
    date = code("Invalid date", text("Data turi būti formos MMMM-MM-DD.", "The date must be YYYY-MM-DD."), status=400)
    not_computed = code("No list for that date", text("Tos dienos vaikų, kurie nesimoko, sąrašas nesudarytas.",
                                                      "The list of children outside education was not made for that "
                                                      "date."), status=404)


class journal(Category, status=503, title="The access journal"):
    unavailable = code("Journal unavailable", text("Registras šiuo metu negali užregistruoti šios prieigos; bandykite "
                                                   "vėliau.", "The register cannot record this access now; try later."),
                       note="no data leaves unjournaled")


class route(Category, status=404, title="Routes"):
    not_found = code("No such route", text("Tokio adreso nėra.", "No such route."))


class static(Category, status=404, title="The web pages' files"):
    not_found = code("No such file", text("Tokio failo nėra.", "No such file."))


class language(Category, status=404, title="Languages of the pages"):
    not_found = code("No such language", text("Tokios kalbos nėra.", "No such language."))


class server(Category, status=500, title="The register itself"):
    error = code("Server error", text("Registre įvyko klaida; bandykite vėliau.",
                                      "Something went wrong on our side; try again later."))
    authoriser = code("Access check failed", text("Prieigos patikrinti nepavyko; bandykite vėliau.",
                                                  "The access check failed on our side; try again later."),
                      note="API Gateway, when the authoriser fails")


# A field's problem: the same reason reads the same way on every field (`validation.<field>.<reason>`).
REASONS: dict[str, Text] = {
    "required": text("Privalomas laukas neužpildytas.", "This field is required."),
    "unknown": text("Nežinomas laukas.", "Unknown field."),
    "type": text("Netinkamas reikšmės tipas.", "Wrong type of value."),
    "too_long": text("Reikšmė per ilga.", "The value is too long."),
    "characters": text("Reikšmėje yra neleistinų simbolių.", "The value contains characters that are not allowed."),
    "length": text("Netinkamas simbolių skaičius.", "Wrong number of characters."),
    "century": text("Pirmas asmens kodo skaitmuo turi būti nuo 1 iki 6 arba 9.",
                    "The first digit of a personal code must be 1 to 6, or 9."),
    "date": text("Tokios datos nėra.", "No such date."),
    "checksum": text("Nesutampa kontrolinis skaitmuo.", "The check digit does not match."),
    "format": text("Netinkamas formatas.", "Wrong format."),
    "future": text("Data negali būti ateityje.", "The date cannot be in the future."),
    "too_early": text("Data per ankstyva.", "The date is too early."),
    "before_start": text("Pabaiga negali būti ankstesnė už pradžią.", "The end cannot be before the start."),
    "range": text("Reikšmė už leistinų ribų.", "The value is out of range."),
    "choice": text("Reikšmė nėra iš leistinų.", "The value is not one of the allowed ones."),
    "mismatch": text("Nesutampa su asmens kodu.", "Does not match the personal code."),
    "not_applicable": text("Šiai įrašo rūšiai laukas netaikomas.", "This field does not apply to this kind of record."),
    "integer": text("Turi būti sveikasis skaičius.", "Must be a whole number."),
    "minor": text("Asmuo dar nepilnametis: atsakingu asmeniu ar įstaigos atstovu jis būti negali.",
                  "This person is under 18: they cannot be the responsible person or an institution's staff."),
}


class validation(Category, status=422, title="Field values (reasons: `REASONS` in chalicelib/domain/problems.py)"):
    failed = code("Invalid data", text("Kai kurių laukų reikšmės netinkamos; žr. errors.",
                                       "Some fields are not valid; see errors."),
                  note="every field problem in `errors`")
    field = family("<field>.<reason>", "Field not valid", text("Netinkama reikšmė.", "Invalid value."),
                   note="in `errors[]` and upload reports; `<field>` a record or request field, `<reason>` one of "
                        "`REASONS`")


# --- reported line by line in an upload's report (docs/UPLOADS.md) ------------------------------


class file(Category, title="An uploaded file as a whole (upload reports)"):
    empty = code("Empty file", text("Failas tuščias.", "The file is empty."))
    header_only = code("Header only", text("Faile yra tik antraštė.", "The file has a header but no rows."))
    too_large = code("File too large", text("Failas per didelis.", "The file is too large."))
    too_many_rows = code("Too many rows", text("Per daug eilučių: likusios neperskaitytos, padalinkite failą.",
                                               "Too many rows: the rest was not read; split the file."))
    unknown_column = code("Unknown column", text("Nežinomas stulpelis.", "Unknown column."))
    duplicate_column = code("Duplicate column", text("Stulpelis pasikartoja.", "The column appears twice."))
    missing_column = code("Missing column", text("Trūksta privalomo stulpelio.",
                                                 "A required column is missing."))
    not_text = code("Not a text CSV", text("Failas nėra tekstinis CSV.", "The file is not a text CSV file."))
    not_xlsx = code("Not an XLSX workbook", text("Failas nėra tinkamas XLSX.",
                                                 "The file is not a valid XLSX workbook."))
    xlsx_unsafe = code("Unsafe XLSX", text("XLSX faile yra pavojingų konstrukcijų.",
                                           "The XLSX file contains unsafe constructs."))
    too_complex = code(
        "Too complex to read",
        text("Failas per sudėtingas perskaityti (per ilgai skaitomas arba per daug skirtingų tekstų): likusios "
             "eilutės neperskaitytos, padalinkite ar supaprastinkite failą.",
             "The file is too complex to read (it took too long, or holds too many distinct texts): the rest was not "
             "read; split or simplify the file."))
    institution = code("Another institution's place", text("Failas įkeltas ne savo įstaigai.",
                                                           "The file was put under another institution."))
    permit = code("No write permit", text("Įstaiga neturi galiojančio leidimo rašyti duomenis.",
                                          "The institution has no valid permit to write data."))
    uploader = code("Uploader no longer a representative",
                    text("Failą įkėlęs asmuo nebėra šios įstaigos atstovas: likusios eilutės neįrašytos.",
                         "The person who uploaded the file is no longer the institution's representative: the "
                         "remaining rows were not written."))


class row(Category, title="A line of an uploaded file (upload reports)"):
    too_long = code("Line too long", text("Eilutė per ilga.", "The line is too long."))
    encoding = code("Wrongly encoded", text("Eilutėje yra neteisingai užkoduotų simbolių.",
                                            "The line has wrongly encoded characters."))
    malformed = code("Line not readable", text("Eilutės nepavyko perskaityti (kabutės?).",
                                               "The line could not be read (quotes?)."))
    columns = code("Too many values", text("Eilutėje daugiau reikšmių nei stulpelių.",
                                           "The line has more values than columns."))
    conflict = code(
        "Record changed elsewhere",
        text("Įrašas tuo pat metu keičiamas kitur; įkelkite dar kartą.",
             "The record was being changed elsewhere; upload again."),
        detailed=text("Įrašas pakeistas per API {} po paskutinio įkėlimo; failo eilutė jo neatšaukia. Pataisykite "
                      "failą arba įrašą.",
                      "The record was changed through the API on {} after its last upload; the file row does not "
                      "undo that. Correct the file or the record."),
        note="changed through the API after its last upload (the message names the date), or at the same moment")


# --- looking codes up -----------------------------------------------------------------------------

BY_KEY: dict[str, Code] = {c: c for category in CATEGORIES for c in category.codes if not isinstance(c, Family)}
FAMILIES: tuple[Family, ...] = tuple(c for category in CATEGORIES for c in category.codes if isinstance(c, Family))


def category_names() -> frozenset[str]:
    return frozenset(category.__name__ for category in CATEGORIES)


def find(key: str) -> Code | None:
    """The registered code `key` is, or the family it belongs to; None for an unknown key."""
    found = BY_KEY.get(key)
    if found is not None:
        return found
    return max((f for f in FAMILIES if key.startswith(f.prefix)), key=lambda f: len(f.prefix), default=None)


def reason_messages(reason: str) -> dict[str, str]:
    return translated(f"reason.{reason}", REASONS[reason])


def messages(key: str, detail: str = "") -> dict[str, str]:
    """What a person reads for `key` (a code, or a member of a family) in every language offered;
    `detail` fills a detailed message (a date)."""
    found = find(key)
    if found is validation.field:
        reason = key.rsplit(".", 1)[-1]
        return reason_messages(reason) if reason in REASONS else found.translated()
    return (found or validation.field).translated(detail)


def declared_texts() -> dict[str, Text]:
    """Every message the registry declares, by the catalogue key a further language translates it
    under (the untranslated list)."""
    found: dict[str, Text] = {}
    for category in CATEGORIES:
        for entry in category.codes:
            found[f"problem.{entry}"] = entry.messages
            if entry.detailed is not None:
                found[f"problem.{entry}.detailed"] = entry.detailed
    return found | {f"reason.{reason}": declared for reason, declared in REASONS.items()}


def field_code(field: str, reason: str) -> str:
    """`validation.<field>.<reason>`: the code of one field's problem."""
    if reason not in REASONS:
        raise ValueError(f"unregistered reason {reason!r}")
    return validation.field.of(f"{field}.{reason}")


# --- the table in docs/API.md ---------------------------------------------------------------------

DOCS = "docs/API.md"
BEGIN, END = "<!-- problem codes: begin (generated) -->", "<!-- problem codes: end -->"
WRITE_DOCS = ".venv/bin/python -m chalicelib.domain.problems --write-docs"


def docs_table() -> str:
    """Every code as a Markdown table, category by category (the status `—`: reported, never answered)."""
    lines = [BEGIN, f"<!-- Written by `{WRITE_DOCS}` from chalicelib/domain/problems.py: edit there. -->", "",
             "| code | status | title | message (en) |", "|---|---|---|---|"]
    for category in CATEGORIES:
        lines.append(f"| **`{category.__name__}.*`** | | **{category.title}** | |")
        for entry in category.codes:
            note = f" ({entry.note})" if entry.note else ""
            message = entry.messages["en"].replace("|", "\\|")
            lines.append(f"| `{entry}` | {entry.status or '—'} | {entry.summary}{note} | {message} |")
    reasons = ", ".join(f"`{reason}`" for reason in REASONS)
    return "\n".join([*lines, "", f"Reasons of `validation.<field>.<reason>`: {reasons}.", "", END])


def with_docs_table(document: str) -> str:
    """`document` with the table between its markers replaced by the current one."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + docs_table() + document[end:]


def main(argv: list[str]) -> int:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / DOCS
    current = path.read_text(encoding="utf-8")
    wanted = with_docs_table(current)
    if argv == ["--write-docs"]:
        path.write_text(wanted, encoding="utf-8")
        return 0
    print(docs_table())
    return 0 if wanted == current else 1


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
