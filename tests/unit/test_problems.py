"""The registry of problem codes (chalicelib/domain/problems.py): one place for every code, its
status, title and messages; the docs table written from it; nothing else spells a code."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice import Response

from chalicelib.domain import problems as P
from chalicelib.domain.errors import FieldError
from chalicelib.domain.upload import RowProblem, report_line
from chalicelib.errors import Problem
from chalicelib.handlers.problems import problem, problem_middleware

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "chalicelib" / "domain" / "problems.py"

# The public contract as it stood when the registry was made: every code answered and its status.
ANSWERED = {
    400: ["request.malformed_json", "request.not_an_object", "request.malformed", "request.cursor", "request.limit",
          "request.purpose", "request.unknown_parameter", "request.format", "request.action",
          "request.include_personal_code", "request.overdue", "request.municipality", "request.date",
          "request.invalid", "request.ministry_role",
          "access.purpose_required", "outside.date"],
    401: ["auth.missing_token", "auth.session"],
    403: ["auth.denied", "auth.csrf", "access.institution", "access.permit", "access.ministry_only",
          "access.municipality", "access.denied", "representative.suspended", "access.administrator",
          "staff.administrator", "staff.self", "application.own", "access.ministry_administrator", "access.auditor",
          "ministry.self", "audit.self"],
    404: ["person.not_found", "record.not_found", "institution.not_found", "permit.not_found", "staff.not_found",
          "official.not_found", "upload.not_found", "share.not_found", "transfer.not_found",
          "transcript.status_list_not_found", "route.not_found", "static.not_found", "language.not_found",
          "outside.not_computed", "statistics.not_computed",
          "statistics.not_published", "application.not_found", "ministry.not_found"],
    405: ["request.method"],
    409: ["record.conflict", "record.annulled", "person.conflict", "person.names_authoritative", "institution.exists",
          "share.limit", "transcript.too_large",
          "application.pending", "application.decided", "application.institution_mismatch", "application.conflict",
          "application.too_many", "ministry.last_administrator", "ministry.conflict"],
    413: ["request.too_large"],
    415: ["request.media_type"],
    422: ["transcript.shape", "transcript.header", "transcript.key", "transcript.signature", "transcript.issuer",
          "person.identity_mismatch", "validation.failed"],
    429: ["request.throttled", "request.rate_limited"],
    500: ["server.error", "server.authoriser"],
    503: ["journal.unavailable", "transcript.status_unavailable"],
}
REPORTED = ["file.empty", "file.header_only", "file.too_large", "file.too_many_rows", "file.unknown_column",
            "file.duplicate_column", "file.missing_column", "file.not_text", "file.not_xlsx", "file.xlsx_unsafe",
            "file.too_complex", "file.institution", "file.permit", "file.uploader", "row.too_long", "row.encoding",
            "row.malformed", "row.columns", "row.conflict", "record.incomplete", "record.person_missing",
            "dakpr.unreachable", "dakpr.bad_answer"]


def test_codes_and_statuses_are_the_public_contract() -> None:
    answered = {key: status for status, keys in ANSWERED.items() for key in keys}
    assert {key: code.status for key, code in P.BY_KEY.items() if code.status is not None} == answered
    assert sorted(key for key, code in P.BY_KEY.items() if code.status is None) == sorted(REPORTED)
    assert {str(f) for f in P.FAMILIES} == {"validation.<field>.<reason>", "dakpr.http_<status>[.<DAKPR's code>]",
                                            "transfer.<exception type>"}


def test_a_code_inherits_its_categorys_status_unless_it_states_its_own() -> None:
    assert (P.request.status, P.request.malformed_json.status, P.request.too_large.status) == (400, 400, 413)
    assert (P.access.status, P.access.permit.status, P.access.purpose_required.status) == (403, 403, 400)
    assert (P.file.status, P.file.empty.status) == (None, None)


def test_every_code_is_named_by_its_place_and_says_itself_in_both_languages() -> None:
    for category in P.CATEGORIES:
        assert category.title, category
        for entry in category.codes:
            name = next(n for n, v in vars(category).items() if v is entry)
            assert isinstance(entry, P.Family) or entry == f"{category.__name__}.{name}"
            assert entry.startswith(f"{category.__name__}.") and P.find(entry) is entry
            assert entry.summary and len(entry.summary) <= 40, entry
            assert entry.messages["lt"] and entry.messages["en"] and entry.messages["lt"] != entry.messages["en"], entry
            assert entry.messages["en"].endswith((".", "?")), entry
    for reason, texts in P.REASONS.items():
        assert texts["lt"] and texts["en"] and texts["lt"] != texts["en"], reason


def test_families_name_codes_with_a_variable_part() -> None:
    assert P.dakpr.http.of("503.unavailable") == "dakpr.http_503.unavailable"
    assert P.transfer.exception.of("KeyError") == "transfer.KeyError"
    assert P.find("transfer.KeyError") is P.transfer.exception and P.find("transfer.not_found") is P.transfer.not_found
    assert P.find("dakpr.http_422.document_number_invalid") is P.dakpr.http
    assert P.field_code("score", "range") == "validation.score.range" == FieldError("score", "range").code
    assert P.find("validation.score.range") is P.validation.field
    with pytest.raises(ValueError, match="unregistered reason"):
        P.field_code("score", "bogus")
    assert P.find("nothing.like_this") is None


def test_messages_of_a_field_problem_are_its_reasons() -> None:
    assert P.messages("validation.birth_date.future") == {"lt": "Data negali būti ateityje.",
                                                          "en": "The date cannot be in the future."}
    # An unknown reason or code still reads as something (a report never fails on it).
    assert P.messages("validation.x.bogus")["en"] == P.messages("nothing.like_this")["en"] == "Invalid value."


def test_a_further_language_is_a_catalogue_and_untranslated_codes_fall_back(
    further_language: Callable[[str, dict[str, str]], None],
) -> None:
    further_language("pl", {"problem.record.conflict": "Rekord został w międzyczasie zmieniony.",
                            "reason.range": "Wartość spoza zakresu.",
                            "problem.row.conflict.detailed": "Rekord zmieniono przez API {}."})
    assert P.record.conflict.translated()["pl"] == "Rekord został w międzyczasie zmieniony."
    assert FieldError("score", "range").as_dict()["messages"]["pl"] == "Wartość spoza zakresu."
    dated = RowProblem(7, "", P.row.conflict, "2026-03-02").as_dict()
    assert dated["messages"]["pl"] == "Rekord zmieniono przez API 2026-03-02."
    assert "pl" not in P.record.not_found.translated()  # a reader falls back to Lithuanian


def test_a_report_line_names_its_detail_and_keeps_texts_stored_before_languages() -> None:
    dated = RowProblem(4, "", P.row.conflict, "2026-03-02")
    assert dated.stored() == {"line": 4, "column": "", "code": "row.conflict", "detail": "2026-03-02"}
    messages = dated.as_dict()["messages"]
    assert "2026-03-02" in messages["lt"] and "2026-03-02" in messages["en"]
    assert RowProblem(4, "", P.row.conflict).as_dict()["messages"]["en"] == P.row.conflict.messages["en"]
    old = {"line": 2, "column": "score", "code": "validation.score.range", "message": "Old text.",
           "message_lt": "Senas."}
    assert report_line(old) == {"line": 2, "column": "score", "code": "validation.score.range",
                                "messages": {"lt": "Senas.", "en": "Old text."}}


def test_the_problem_body_comes_from_the_registry() -> None:
    response = problem(P.share.limit, detail="At most 5 links at a time.", extra={"current_version": 3})
    body = json.loads(response.body)
    assert response.status_code == 409 and response.headers["Content-Type"] == "application/problem+json"
    assert {k: body[k] for k in ("type", "title", "status", "detail", "code", "errors", "current_version")} == {
        "type": "https://mokiniuregistras.example/problems/share.limit", "title": "Too many links", "status": 409,
        "detail": "At most 5 links at a time.", "code": "share.limit", "errors": [], "current_version": 3}
    assert body["messages"] == P.share.limit.translated() and body["correlation_id"]
    # Without a detail, the English message is the detail.
    assert json.loads(problem(P.permit.not_found).body)["detail"] == "No such permit."
    assert Problem(P.record.annulled).detail == P.record.annulled.messages["en"]


@pytest.mark.parametrize(("chalice_code", "status", "code"), [
    ("BadRequestError", 400, "request.malformed"), ("MethodNotAllowedError", 405, "request.method"),
    ("TooManyRequestsError", 429, "request.invalid"),  # unknown to the registry: Chalice's status stays
])
def test_chalices_own_refusals_become_registered_problems(chalice_code: str, status: int, code: str) -> None:
    refused = Response(body={"Code": chalice_code, "Message": "x"}, status_code=status)
    body = json.loads(problem_middleware({}, lambda _: refused).body)
    assert (body["status"], body["code"]) == (status, code) and body["messages"]["lt"]


def gateway_bodies() -> Iterator[tuple[str, dict[str, Any], int]]:
    """Each problem body in infra/app.json, with the status it is sent with (the body's own where
    the gateway keeps the status of the refusal: DEFAULT_4XX, DEFAULT_5XX)."""
    template = json.loads((ROOT / "infra" / "app.json").read_text())
    for name, resource in template["Resources"].items():
        if resource.get("Type") == "AWS::ApiGateway::GatewayResponse":
            properties = resource["Properties"]
            body = json.loads(properties["ResponseTemplates"]["application/json"])
            yield name, body, int(properties.get("StatusCode", body["status"]))
        for key, custom in resource.get("Properties", {}).get("CustomResponseBodies", {}).items():
            yield f"{name}.{key}", json.loads(custom["Content"]), 429


def test_api_gateways_own_refusals_are_registered_problems() -> None:
    """infra/app.json answers for the register where the function never runs: the same codes, with
    the registry's status, title and messages."""
    seen = set()
    for name, body, sent_with in gateway_bodies():
        code = P.BY_KEY[body["code"]]
        assert (body["status"], sent_with) == (code.status, code.status), name
        assert body["title"] == code.summary, name
        assert body["messages"] == {"lt": code.messages["lt"], "en": code.messages["en"]}, name
        assert body["type"].endswith(f"/problems/{code}"), name
        seen.add(body["code"])
    assert {"auth.denied", "request.throttled", "request.rate_limited", "server.authoriser"} <= seen


def test_docs_api_table_is_written_from_the_registry() -> None:
    document = (ROOT / P.DOCS).read_text(encoding="utf-8")
    assert P.with_docs_table(document) == document, f"docs/API.md's table of codes is out of date: run `{P.WRITE_DOCS}`"
    for key in P.BY_KEY:
        assert f"| `{key}` |" in document


# --- no code spelt outside the registry -----------------------------------------------------------

CODE_LIKE = re.compile(r"([a-z][a-z0-9_]*)(\.[a-z0-9_]+)+")
BUILDS_CODE = re.compile(r"([a-z][a-z0-9_]*)\.")


def spelt_codes(source: str, not_codes: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """String constants of `source` that are a code or look like one (dotted, lowercase, the first
    part a category), and f-strings that start building one (`f"transcript.{reason}"`)."""
    categories = P.category_names()
    tree = ast.parse(source)
    in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            start = BUILDS_CODE.match(str(node.values[0].value))
            if start and start.group(1) in categories:
                found.append((node.lineno, str(node.values[0].value)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in in_fstrings:
            match = CODE_LIKE.fullmatch(node.value)
            if node.value not in not_codes and match and match.group(1) in categories:
                found.append((node.lineno, node.value))
    return sorted(found)


def test_the_check_finds_codes_spelt_out() -> None:
    source = ('raise Problem(409, "record.conflict", "x")\nDecision.deny("r", 403, "access.permit")\n'
              'code = f"transcript.{reason}"\nbuilt = f"dakpr.http_{status}"\nfine = "index.html", "x.y", "record"\n'
              'also_fine = P.record.conflict\n')
    assert [value for _, value in spelt_codes(source)] == ["record.conflict", "access.permit", "transcript.",
                                                           "dakpr.http_"]


def test_no_code_is_spelt_outside_the_registry() -> None:
    from chalicelib.auth.viisp import PROVIDER_NAMES

    # VIISP's own names of the means of logging in (`auth.lt.bank`): theirs, not problem codes.
    not_codes = frozenset(PROVIDER_NAMES)
    spelt = {}
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        if path != REGISTRY:
            found = spelt_codes(path.read_text(encoding="utf-8"), not_codes)
            if found:
                spelt[str(path.relative_to(ROOT))] = found
    assert spelt == {}, "name codes as registry entries (P.<category>.<code>), not strings"
