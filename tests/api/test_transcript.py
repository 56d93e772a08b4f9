"""Verifiable transcripts: signed by the register, checkable offline with the JWKS, the status list
and python-jose alone, and by the public verify route; withdrawn once a record they state is
annulled or changed (the world: tests/api/conftest.py)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from jose import jwk, jws
from jose.exceptions import JOSEError

from chalicelib.auth.keys import generate_pem
from chalicelib.services import status_list
from chalicelib.services.credentials import sign_credential
from chalicelib.services.transcript import issue_transcript
from tests.api.conftest import PEOPLE, World, dynamodb_calls, record_body

QUALIFICATION = {"kind": "QUALIFICATION", "person_id": PEOPLE["pupil_a"], "source_id": "ba-1",
                 "document_type": "Brandos atestatas", "document_series": "BA", "document_number": "1234567",
                 "issue_date": "2025-07-01"}
RECORDS = "/institutions/inst-a/records"


def transcript_of(world: World, who: str = "pupil_a", query: str = "") -> str:
    response = world.call(who, "GET", f"/me/transcript{query}")
    assert response.status_code == 200, response.body
    assert response.json_body["media_type"] == "application/vc+jwt"
    return str(response.json_body["transcript"])


def jwks_of(world: World) -> dict[str, list[dict[str, str]]]:
    return dict(world.client.http.get("/.well-known/jwks.json").json_body)


def verify_offline(signed: str, jwks: dict[str, list[dict[str, str]]]) -> dict[str, Any]:
    """What the README shows: pick the key by kid from the published JWKS, verify with RS256 only."""
    kid = jws.get_unverified_header(signed)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    return dict(json.loads(jws.verify(signed, jwk.construct(key, "RS256"), algorithms=["RS256"])))


def withdrawn_offline(world: World, claims: dict[str, Any], jwks: dict[str, list[dict[str, str]]]) -> bool:
    """The README's status check: fetch the list the transcript names, verify its signature like the
    transcript's, unpack the bitstring and read the transcript's bit."""
    status = claims["vc"]["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    fetched = world.client.http.get(urlsplit(status["statusListCredential"]).path)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "application/vc+jwt"
    listed = verify_offline(fetched.body.decode(), jwks)
    assert listed["iss"] == claims["iss"] and listed["exp"] > time.time()
    assert listed["vc"]["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = listed["vc"]["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    encoded = subject["encodedList"]
    assert encoded.startswith("u")  # multibase: base64url without padding
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 == 131_072  # the standard's minimum length, for herd privacy
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify_online(world: World, transcript: str) -> Any:
    return world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": transcript}),
                                  headers={"Content-Type": "application/json"})


def stale_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the cached lists were older than their maximum age (without waiting five minutes)."""
    monkeypatch.setattr(status_list, "MAX_AGE_SECONDS", 0)


def test_an_intact_transcript_verifies_offline_and_online(world: World) -> None:
    transcript = transcript_of(world)
    jwks = jwks_of(world)
    claims = verify_offline(transcript, jwks)
    credential = claims["vc"]
    assert credential["type"] == ["VerifiableCredential", "LearningHistoryCredential"]
    subject = credential["credentialSubject"]
    assert subject["family_name"] == "Testas" and subject["records"][0]["kind"] == "ENROLLMENT"
    assert subject["records"][0]["version"] == 1
    assert withdrawn_offline(world, claims, jwks) is False
    checked = verify_online(world, transcript)
    assert checked.status_code == 200 and checked.json_body["valid"] is True
    assert checked.json_body["withdrawn"] == []


def test_by_default_the_transcript_names_the_person_without_the_personal_code(world: World) -> None:
    transcript = transcript_of(world)
    claims = verify_offline(transcript, jwks_of(world))
    subject = claims["vc"]["credentialSubject"]
    assert (subject["given_name"], subject["family_name"]) == ("PupilA", "Testas") and subject["birth_date"]
    assert "sub" not in claims and "id" not in subject
    assert PEOPLE["pupil_a"] not in json.dumps(claims)
    checked = verify_online(world, transcript)
    assert checked.json_body["valid"] is True and checked.json_body["subject"] is None


def test_the_holder_may_put_the_personal_code_in(world: World) -> None:
    transcript = transcript_of(world, query="?include_personal_code=true")
    claims = verify_offline(transcript, jwks_of(world))
    assert claims["sub"] == PEOPLE["pupil_a"]
    assert claims["vc"]["credentialSubject"]["id"] == f"urn:lt:person:{PEOPLE['pupil_a']}"
    checked = verify_online(world, transcript)
    assert checked.json_body["valid"] is True and checked.json_body["subject"] == PEOPLE["pupil_a"]
    assert "sub" not in verify_offline(transcript_of(world, query="?include_personal_code=false"), jwks_of(world))
    refused = world.call("pupil_a", "GET", "/me/transcript?include_personal_code=yes")
    assert refused.status_code == 400 and refused.json_body["code"] == "request.include_personal_code"


def test_an_annulled_qualification_withdraws_the_transcript(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    created = world.call("rep_a", "POST", RECORDS, QUALIFICATION)
    assert created.status_code == 201, created.body
    record_id = created.json_body["record_id"]
    transcript, other = transcript_of(world), issue_transcript(PEOPLE["pupil_b"])
    jwks = jwks_of(world)
    claims = verify_offline(transcript, jwks)
    assert withdrawn_offline(world, claims, jwks) is False  # the list is now computed and cached

    annulled = world.call("rep_a", "DELETE", f"{RECORDS}/{record_id}", {"reason": "Suklastotas"})
    assert annulled.status_code == 200

    checked = verify_online(world, transcript)  # online: at once
    assert checked.status_code == 200 and checked.json_body["valid"] is False
    [withdrawn] = checked.json_body["withdrawn"]
    assert withdrawn["record_id"] == record_id and withdrawn["change"] == "annulled"
    assert withdrawn["record"]["document_number"] == "1234567"  # as the transcript states it
    # Offline: the cached list may be up to its maximum age old, then it shows the bit.
    assert withdrawn_offline(world, claims, jwks) is False
    stale_lists(monkeypatch)
    assert withdrawn_offline(world, claims, jwks) is True
    # Nobody else's transcript is touched.
    assert verify_online(world, other).json_body["valid"] is True
    assert withdrawn_offline(world, verify_offline(other, jwks), jwks) is False


def test_the_readme_offline_example_tells_a_withdrawn_transcript(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = re.search(r"## Verifying a transcript offline.*?```python\n(.*?)```", readme, re.DOTALL)
    assert example is not None
    record_id = world.call("rep_a", "POST", RECORDS, QUALIFICATION).json_body["record_id"]
    (tmp_path / "transcript.jwt").write_text(transcript_of(world))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("urllib.request.urlopen",
                        lambda url: io.BytesIO(world.client.http.get(urlsplit(url).path).body))

    exec(example.group(1), {})  # the README's own code, run as a reader would
    assert "1234567" in capsys.readouterr().out  # the records: not withdrawn
    world.call("rep_a", "DELETE", f"{RECORDS}/{record_id}", {"reason": "Suklastotas"})
    stale_lists(monkeypatch)
    exec(example.group(1), {})
    assert capsys.readouterr().out.strip() == "WITHDRAWN"


def test_a_changed_record_withdraws_the_transcript(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    created = world.call("rep_a", "POST", RECORDS, record_body("pupil_a", source_id="exam-1"))
    record_id = created.json_body["record_id"]
    transcript = transcript_of(world)
    corrected = world.call("rep_a", "PUT", f"{RECORDS}/{record_id}",
                           record_body("pupil_a", source_id="exam-1", score=95) | {"version": 1})
    assert corrected.status_code == 200

    checked = verify_online(world, transcript)
    assert checked.json_body["valid"] is False
    assert [(w["record_id"], w["change"], w["record"]["score"]) for w in checked.json_body["withdrawn"]] == [
        (record_id, "changed", 80)]
    stale_lists(monkeypatch)
    jwks = jwks_of(world)
    assert withdrawn_offline(world, verify_offline(transcript, jwks), jwks) is True
    # A transcript issued after the change states the new version and is valid.
    assert verify_online(world, transcript_of(world)).json_body["valid"] is True


def test_a_transcript_from_before_status_lists_is_still_checked(world: World) -> None:
    """Transcripts issued before records stated their version, and without `credentialStatus`: a
    record counts as changed when its current version was written after the transcript."""
    record_id = world.call("rep_a", "POST", RECORDS, QUALIFICATION).json_body["record_id"]
    history = world.call("pupil_a", "GET", "/me/history").json_body
    records = [{k: v for k, v in r.items() if k != "version" and v is not None} for r in history["records"]]

    def legacy(issued_at: int) -> str:
        return sign_credential("LearningHistoryCredential", {"given_name": "PupilA", "records": records},
                               issued_at, jti="urn:uuid:legacy", sub=PEOPLE["pupil_a"])

    current = legacy(int(time.time()) + 1)
    assert verify_online(world, current).json_body["valid"] is True
    older = verify_online(world, legacy(int(time.time()) - 3600)).json_body  # before the record was written
    assert older["valid"] is False and {(w["record_id"], w["change"]) for w in older["withdrawn"]} >= {
        (record_id, "changed")}
    world.call("rep_a", "DELETE", f"{RECORDS}/{record_id}", {"reason": "Klaida"})
    annulled = verify_online(world, current).json_body
    assert annulled["valid"] is False and [(w["record_id"], w["change"]) for w in annulled["withdrawn"]] == [
        (record_id, "annulled")]


def test_indices_are_random_and_a_full_list_opens_the_next(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(status_list, "MAX_TRANSCRIPTS_PER_LIST", 2)
    # The second transcript draws a taken index first; the third finds list 1 full and draws again.
    draws = iter([7, 7, 99, 3, 5])
    monkeypatch.setattr("chalicelib.services.status_list.secrets.randbelow", lambda bound: next(draws))
    jwks = jwks_of(world)
    entries = [verify_offline(transcript_of(world, who), jwks)["vc"]["credentialStatus"]
               for who in ("pupil_a", "resident", "guardian")]
    assert [(urlsplit(e["statusListCredential"]).path, e["statusListIndex"]) for e in entries] == [
        ("/transcripts/status/1", "7"), ("/transcripts/status/1", "99"), ("/transcripts/status/2", "5")]
    assert entries[0]["id"] == entries[0]["statusListCredential"] + "#7"


def test_a_list_bounds_its_record_references_and_a_transcript_its_records(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(status_list, "MAX_RECORD_REFS_PER_LIST", 2)
    world.call("rep_a", "POST", RECORDS, record_body("pupil_a", source_id="exam-2"))
    jwks = jwks_of(world)
    first = verify_offline(transcript_of(world), jwks)["vc"]["credentialStatus"]  # 2 records: list 1 is full
    second = verify_offline(issue_transcript(PEOPLE["pupil_b"]), jwks)["vc"]["credentialStatus"]
    assert (first["statusListCredential"].endswith("/1"), second["statusListCredential"].endswith("/2")) == (True,
                                                                                                             True)
    monkeypatch.setattr(status_list, "MAX_RECORDS_PER_TRANSCRIPT", 1)
    refused = world.call("pupil_a", "GET", "/me/transcript")
    assert refused.status_code == 409 and refused.json_body["code"] == "transcript.too_large"


def test_recomputing_a_list_costs_one_query_and_a_batch_read_per_hundred_records(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for person in ("pupil_a", "pupil_b", "pupil_a"):
        issue_transcript(PEOPLE[person])
    calls = dynamodb_calls(monkeypatch)
    assert world.client.http.get("/transcripts/status/1").status_code == 200
    # Read the list, take the lease, read its transcripts, read their records' heads, store.
    assert calls == ["GetItem", "UpdateItem", "Query", "BatchGetItem", "UpdateItem"]
    calls.clear()
    assert world.client.http.get("/transcripts/status/1").status_code == 200
    assert calls == ["GetItem"]  # cached


def test_unknown_status_lists(world: World) -> None:
    for path in ("/transcripts/status/1", "/transcripts/status/0", "/transcripts/status/abc",
                 "/transcripts/status/" + "9" * 12):
        response = world.client.http.get(path)
        assert response.status_code == 404 and json.loads(response.body)["code"] == "transcript.status_list_not_found"


def test_one_changed_byte_fails(world: World) -> None:
    transcript = transcript_of(world)
    jwks = jwks_of(world)
    head, payload, signature = transcript.split(".")
    middle = len(payload) // 2
    flipped = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    ending = "AA" if not signature.endswith("AA") else "BB"
    for tampered in (f"{head}.{flipped}.{signature}", f"{head}.{payload}.{signature[:-2]}{ending}"):
        with pytest.raises((JOSEError, ValueError)):
            verify_offline(tampered, jwks)
        refused = verify_online(world, tampered)
        assert refused.status_code == 422 and refused.json_body["code"].startswith("transcript.")


def test_a_transcript_signed_by_another_key_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = os.environ["SIGNING_KEY_PEM"]
    monkeypatch.setenv("SIGNING_KEY_PEM", generate_pem().decode())  # someone else's register
    foreign = issue_transcript(PEOPLE["pupil_a"])
    monkeypatch.setenv("SIGNING_KEY_PEM", ours)
    checked = verify_online(world, foreign)
    assert checked.status_code == 422 and checked.json_body["code"] == "transcript.key"


def test_garbage_and_empty_histories(world: World) -> None:
    for bad in ("", "not.a.jws", "x" * 100, "a.b"):
        assert verify_online(world, bad).status_code == 422
    # A person with no records yet gets a transcript that says so: an empty list, and it stays valid.
    transcript = transcript_of(world, "resident")
    assert verify_offline(transcript, jwks_of(world))["vc"]["credentialSubject"]["records"] == []
    assert verify_online(world, transcript).json_body["valid"] is True
