"""Verifiable transcripts: signed by the register, checkable offline with the JWKS and python-jose
alone, and by the public verify route (the world: tests/api/conftest.py)."""

from __future__ import annotations

import json
import os

import pytest
from jose import jwk, jws
from jose.exceptions import JOSEError

from chalicelib.auth.keys import generate_pem
from chalicelib.services.transcript import issue_transcript
from tests.api.conftest import PEOPLE, World


def transcript_of(world: World, who: str = "pupil_a") -> str:
    response = world.call(who, "GET", "/me/transcript")
    assert response.status_code == 200, response.body
    assert response.json_body["media_type"] == "application/vc+jwt"
    return str(response.json_body["transcript"])


def verify_offline(transcript: str, jwks: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    """What the README shows: pick the key by kid from the published JWKS, verify with RS256 only."""
    kid = jws.get_unverified_header(transcript)["kid"]
    key = next(k for k in jwks["keys"] if k["kid"] == kid)
    return dict(json.loads(jws.verify(transcript, jwk.construct(key, "RS256"), algorithms=["RS256"])))


def test_an_intact_transcript_verifies_offline_and_online(world: World) -> None:
    transcript = transcript_of(world)
    jwks = world.client.http.get("/.well-known/jwks.json").json_body
    claims = verify_offline(transcript, jwks)
    assert claims["sub"] == PEOPLE["pupil_a"]
    credential = claims["vc"]
    assert isinstance(credential, dict)
    assert credential["type"] == ["VerifiableCredential", "LearningHistoryCredential"]
    subject = credential["credentialSubject"]
    assert subject["family_name"] == "Testas" and subject["records"][0]["kind"] == "ENROLLMENT"
    checked = world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": transcript}),
                                     headers={"Content-Type": "application/json"})
    assert checked.status_code == 200 and checked.json_body["valid"] is True
    assert checked.json_body["subject"] == PEOPLE["pupil_a"]


def test_one_changed_byte_fails(world: World) -> None:
    transcript = transcript_of(world)
    jwks = world.client.http.get("/.well-known/jwks.json").json_body
    head, payload, signature = transcript.split(".")
    middle = len(payload) // 2
    flipped = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    ending = "AA" if not signature.endswith("AA") else "BB"
    for tampered in (f"{head}.{flipped}.{signature}", f"{head}.{payload}.{signature[:-2]}{ending}"):
        with pytest.raises((JOSEError, ValueError)):
            verify_offline(tampered, jwks)
        refused = world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": tampered}),
                                         headers={"Content-Type": "application/json"})
        assert refused.status_code == 422 and refused.json_body["code"].startswith("transcript.")


def test_a_transcript_signed_by_another_key_is_refused(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = os.environ["SIGNING_KEY_PEM"]
    monkeypatch.setenv("SIGNING_KEY_PEM", generate_pem().decode())  # someone else's register
    foreign = issue_transcript(PEOPLE["pupil_a"])
    monkeypatch.setenv("SIGNING_KEY_PEM", ours)
    checked = world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": foreign}),
                                     headers={"Content-Type": "application/json"})
    assert checked.status_code == 422 and checked.json_body["code"] == "transcript.key"


def test_garbage_and_empty_histories(world: World) -> None:
    for bad in ("", "not.a.jws", "x" * 100, "a.b"):
        response = world.client.http.post("/transcripts/verify", body=json.dumps({"transcript": bad}),
                                          headers={"Content-Type": "application/json"})
        assert response.status_code == 422
    # A person with no records yet gets a transcript that says so: an empty list.
    claims = verify_offline(transcript_of(world, "resident"), world.client.http.get("/.well-known/jwks.json").json_body)
    assert claims["vc"]["credentialSubject"]["records"] == []  # type: ignore[index]
