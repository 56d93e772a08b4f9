"""Cost of verifying an access token, warm, per call, against a bare RSA-2048 signature check
(the floor: no verification can be cheaper than the signature itself). The authoriser is timed
without its session read, which is I/O: `bench/session_check.py` measures that."""

from __future__ import annotations

import base64
import os
from datetime import date
from typing import Any

from chalice.app import AuthRequest, AuthResponse
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from jose import jwk, jwt

from bench.harness import per_call_seconds
from chalicelib.auth.keys import generate_pem, key_ring
from chalicelib.auth.tokens import issue_access_token, verify_access_token
from chalicelib.handlers.security import allow, verified_claims


def authorise_token_part(request: AuthRequest) -> AuthResponse:
    """The authoriser without its session read: verification and the allow response."""
    claims = verified_claims(request)
    assert claims is not None
    return allow(claims)


def run() -> dict[str, dict[str, Any]]:
    os.environ["SIGNING_KEY_PEM"] = generate_pem().decode()
    token, _ = issue_access_token("39001010000", "s1", ["resident", "guardian"], ["190536241"])
    signing_input, _, signature_b64 = token.rpartition(".")
    signature = base64.urlsafe_b64decode(signature_b64 + "=" * (-len(signature_b64) % 4))
    private = serialization.load_pem_private_key(os.environ["SIGNING_KEY_PEM"].encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    public = private.public_key()
    ring = key_ring()
    public_jwk = ring.jwks()["keys"][0]
    request = AuthRequest("TOKEN", f"Bearer {token}", "arn:aws:execute-api:eu-north-1:1:api/api/GET/me")

    timings = per_call_seconds({
        "raw RSA verify": lambda: public.verify(signature, signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()),
        "verify_access_token": lambda: verify_access_token(token),
        "authorise (token part)": lambda: authorise_token_part(request),
        "key rebuilt per call": lambda: jwt.decode(token, jwk.construct(public_jwk, "RS256"), algorithms=["RS256"],
                                                   audience=os.environ.get("TOKEN_AUDIENCE", "mokiniu-registras-api"),
                                                   options={"verify_iss": False}),
    })
    floor = timings["raw RSA verify"]
    today = date.today().isoformat()
    return {
        "token_verify_per_call": {"value": round(timings["verify_access_token"] * 1e6, 1), "unit": "µs",
                                  "goal": "informative (absolute times drift on this machine)", "measured_at": today},
        "token_verify_vs_raw_rsa": {"value": round(timings["verify_access_token"] / floor, 2), "unit": "×",
                                    "goal": "≤ 5× a bare RSA-2048 signature check", "measured_at": today},
        "authoriser_vs_raw_rsa": {"value": round(timings["authorise (token part)"] / floor, 2), "unit": "×",
                                  "goal": "≤ 5× a bare RSA-2048 signature check", "measured_at": today},
        "key_rebuilt_per_call_vs_cached": {
            "value": round(timings["key rebuilt per call"] / timings["verify_access_token"], 2), "unit": "×",
            "goal": "informative: what building the key object once saves", "measured_at": today},
    }
