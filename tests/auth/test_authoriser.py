"""The authoriser against forged, broken and hostile tokens: each refused with 401/403, never 2xx
or 5xx; a valid token passes. Keys are generated in the test session."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jose import jwe

from app import app
from chalicelib.auth.keys import PemSigner, key_ring, public_jwk
from chalicelib.auth.tokens import TokenError, issue_access_token, verify_access_token
from chalicelib.services.sessions import open_session

PERSON = "39001010000"
ISS, AUD = "https://register.test", "register-api-test"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode(part: dict[str, Any]) -> str:
    return b64(json.dumps(part).encode())


def rsa_sign(pem: bytes, signing_input: str) -> str:
    private = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return b64(private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()))


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISS, "aud": AUD, "sub": PERSON, "iat": now, "nbf": now, "exp": now + 600,
            "sid": "s1", "roles": ["resident"], "inst": []}
    return {k: v for k, v in (base | overrides).items() if v is not None}


@pytest.fixture
def session_id(aws: None) -> str:
    """A live session of PERSON: the authoriser refuses tokens of sessions it cannot find."""
    return open_session(PERSON, "test").session_id


@pytest.fixture
def forge(signing_pem: bytes, session_id: str) -> Callable[..., str]:
    kid = PemSigner(signing_pem).kid

    def make(payload: dict[str, Any] | None = None, header: dict[str, Any] | None = None,
             pem: bytes | None = None) -> str:
        head = {"alg": "RS256", "typ": "JWT", "kid": kid} | (header or {})
        head = {k: v for k, v in head.items() if v is not None}
        signing_input = f"{encode(head)}.{encode(payload if payload is not None else claims(sid=session_id))}"
        return f"{signing_input}.{rsa_sign(pem or signing_pem, signing_input)}"

    return make


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    with Client(app, stage_name="local") as test_client:
        yield test_client


def call_me(client: Client, token: str | None) -> int:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return int(client.http.get("/me", headers=headers).status_code)


def test_a_valid_token_passes(client: Client, forge: Callable[..., str], session_id: str) -> None:
    assert call_me(client, forge()) == 200
    issued, lifetime = issue_access_token(PERSON, session_id, ["resident"], [])
    assert lifetime <= 900
    response = client.http.get("/me", headers={"Authorization": f"Bearer {issued}"})
    assert response.status_code == 200
    assert response.json_body["person_id"] == PERSON
    assert response.json_body["roles"] == ["resident"]


def hmac_token(secret: bytes, kid: str) -> str:
    signing_input = f"{encode({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{encode(claims())}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def public_bytes(pem: bytes, encoding: serialization.Encoding) -> bytes:
    private = serialization.load_pem_private_key(pem, password=None)
    return private.public_key().public_bytes(encoding, serialization.PublicFormat.SubjectPublicKeyInfo)


def hostile_tokens(forge: Callable[..., str], signing_pem: bytes, other_pem: bytes) -> dict[str, str]:
    kid = PemSigner(signing_pem).kid
    now = int(time.time())
    valid = forge()
    head, payload, signature = valid.split(".")
    tampered_payload = encode(claims(sub="50803041232", roles=["ministry"]))
    return {
        "alg none": f"{encode({'alg': 'none', 'kid': kid})}.{encode(claims())}.",
        "alg None signed": forge(header={"alg": "None"}),
        "HS256 with public PEM": hmac_token(public_bytes(signing_pem, serialization.Encoding.PEM), kid),
        "HS256 with public DER": hmac_token(public_bytes(signing_pem, serialization.Encoding.DER), kid),
        "RS512 header": forge(header={"alg": "RS512"}),
        "expired": forge(claims(iat=now - 2000, nbf=now - 2000, exp=now - 1000)),
        "not yet valid (nbf)": forge(claims(nbf=now + 600)),
        "issued in the future": forge(claims(iat=now + 600, nbf=None, exp=now + 900)),
        "lifetime over 15 minutes": forge(claims(exp=now + 3600)),
        "missing exp": forge(claims(exp=None)),
        "missing aud": forge(claims(aud=None)),
        "missing iss": forge(claims(iss=None)),
        "missing iat": forge(claims(iat=None)),
        "missing sub": forge(claims(sub=None)),
        "missing kid": forge(header={"kid": None}),
        "wrong aud": forge(claims(aud="another-api")),
        "wrong iss": forge(claims(iss="https://evil.example")),
        "unknown kid": forge(header={"kid": "not-a-known-kid"}),
        "kid as a number": forge(header={"kid": 7}),
        "right kid, another key": forge(pem=other_pem),
        "another key with its own kid": forge(header={"kid": PemSigner(other_pem).kid}, pem=other_pem),
        "tampered payload": f"{head}.{tampered_payload}.{signature}",
        "tampered signature": f"{head}.{payload}.{signature[:-4]}AAAA",
        "truncated": valid[: len(valid) // 2],
        "no signature": f"{head}.{payload}.",
        "empty": "",
        "non-base64": "!!!.@@@.###",
        "garbage header json": f"{b64(b'{not json')}.{payload}.{signature}",
        "100 KB": forge(claims(pad="x" * 100_000)),
        "JWE": jwe.encrypt(json.dumps(claims()), "k" * 32, algorithm="dir", encryption="A256GCM").decode(),
        "roles not a list": forge(claims(roles="ministry")),
    }


def test_every_hostile_token_is_refused(
    client: Client, forge: Callable[..., str], signing_pem: bytes, other_pem: bytes
) -> None:
    results = {}
    for name, token in hostile_tokens(forge, signing_pem, other_pem).items():
        with pytest.raises(TokenError):
            verify_access_token(token)
        results[name] = call_me(client, token)
    assert {name: status for name, status in results.items() if status not in (401, 403)} == {}


def test_missing_or_wrong_scheme_is_refused(client: Client, forge: Callable[..., str]) -> None:
    assert call_me(client, None) == 401
    response = client.http.get("/me", headers={"Authorization": f"Basic {forge()}"})
    assert response.status_code == 403
    response = client.http.get("/me", headers={"Authorization": "Bearer"})
    assert response.status_code == 403


def test_rotation_keeps_the_previous_key_verifying(
    client: Client, forge: Callable[..., str], other_pem: bytes, signing_pem: bytes, session_id: str, *,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_token = forge()
    old_public = public_jwk(PemSigner(signing_pem)._private.public_key())
    monkeypatch.setenv("SIGNING_KEY_PEM", other_pem.decode())
    monkeypatch.setenv("PREVIOUS_PUBLIC_JWKS", json.dumps({"keys": [old_public]}))
    assert key_ring().signer.kid == PemSigner(other_pem).kid
    assert call_me(client, old_token) == 200
    new_token, _ = issue_access_token(PERSON, session_id, ["resident"], [])
    assert call_me(client, new_token) == 200
    published = client.http.get("/.well-known/jwks.json").json_body["keys"]
    assert {key["kid"] for key in published} == {old_public["kid"], PemSigner(other_pem).kid}

    monkeypatch.delenv("PREVIOUS_PUBLIC_JWKS")  # the old key's tokens have all expired
    assert call_me(client, old_token) == 403


def test_jwks_publishes_only_public_rsa_keys(client: Client, signing_pem: bytes) -> None:
    response = client.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.json_body["keys"]
    assert key["kid"] == PemSigner(signing_pem).kid
    assert key["kty"] == "RSA" and key["alg"] == "RS256"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
