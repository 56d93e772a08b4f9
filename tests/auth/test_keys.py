"""Key handling: KMS signing (through moto's KMS, which signs for real), the authoriser's policy."""

from __future__ import annotations

import boto3
import pytest
from chalice.app import AuthRequest

from chalicelib.auth.keys import key_ring
from chalicelib.auth.tokens import TokenError, issue_access_token, verify_access_token
from chalicelib.handlers.security import authorize
from chalicelib.services.sessions import open_session

PERSON = "39001010000"


def test_kms_key_signs_tokens_that_verify(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    kms = boto3.client("kms")
    key_id = kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec="RSA_2048")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("SIGNING_KMS_KEY_ID", key_id)
    token, _ = issue_access_token(PERSON, "s1", ["resident"], [])
    assert verify_access_token(token).person_id == PERSON
    assert key_ring().jwks()["keys"][0]["kid"] == key_ring().signer.kid
    # A token signed by the local PEM is not one of the KMS key's.
    monkeypatch.delenv("SIGNING_KMS_KEY_ID")
    pem_token, _ = issue_access_token(PERSON, "s1", ["resident"], [])
    monkeypatch.setenv("SIGNING_KMS_KEY_ID", key_id)
    with pytest.raises(TokenError):
        verify_access_token(pem_token)


def test_an_allowed_token_is_allowed_for_every_route_and_names_no_person(aws: None) -> None:
    session_id = open_session(PERSON, "test").session_id
    token, _ = issue_access_token(PERSON, session_id, ["resident", "guardian"], [])
    response = authorize(AuthRequest("TOKEN", f"Bearer {token}", "arn:aws:execute-api:eu-north-1:1:api/api/GET/me"))
    policy = response.to_dict(AuthRequest("TOKEN", f"Bearer {token}",
                                          "arn:aws:execute-api:eu-north-1:1:api/api/GET/me"))
    # API Gateway caches this per token: a policy naming only /me would refuse the next, cached call
    # to another route.
    resources = policy["policyDocument"]["Statement"][0]["Resource"]
    assert all(resource.endswith("/*/*") for resource in resources)
    assert policy["principalId"] == session_id and PERSON not in policy["principalId"]
    assert response.context["roles"] == "guardian,resident"


def test_the_authoriser_denies_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    token, _ = issue_access_token(PERSON, "s1", ["resident"], [])
    monkeypatch.delenv("SIGNING_KEY_PEM")  # no key configured: building the key ring itself fails
    with pytest.raises(RuntimeError):
        verify_access_token(token)
    response = authorize(AuthRequest("TOKEN", f"Bearer {token}", "arn:aws:execute-api:eu-north-1:1:api/api/GET/me"))
    assert response.routes == []
