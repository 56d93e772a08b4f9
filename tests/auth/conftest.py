from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.auth.keys import generate_pem


@pytest.fixture(scope="session")
def signing_pem() -> bytes:
    return generate_pem()


@pytest.fixture(scope="session")
def other_pem() -> bytes:
    return generate_pem()


@pytest.fixture(autouse=True)
def signing_key(signing_pem: bytes, monkeypatch: pytest.MonkeyPatch) -> Iterator[bytes]:
    """Every auth test signs with a key generated in the test session, never a file on disk."""
    monkeypatch.setenv("SIGNING_KEY_PEM", signing_pem.decode())
    monkeypatch.delenv("SIGNING_KEY_FILE", raising=False)
    monkeypatch.delenv("PREVIOUS_PUBLIC_JWKS", raising=False)
    yield signing_pem
