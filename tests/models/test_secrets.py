"""Secrets from Secrets Manager (moto): what the AWS stages use instead of local files and values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib import secrets
from chalicelib.auth.keys import generate_pem
from chalicelib.services.paging import next_cursor, start_key


@pytest.fixture
def manager(aws: None) -> Iterator[Any]:
    secrets.forget()
    yield boto3.client("secretsmanager")
    secrets.forget()


def test_cursors_are_sealed_with_the_stage_secret(manager: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client = manager
    arn = client.create_secret(Name="mr-dev/cursor-secret", SecretString="s" * 64)["ARN"]
    monkeypatch.setenv("REGISTER_STAGE", "dev")  # no built-in secret outside local stages
    monkeypatch.delenv("CURSOR_SECRET", raising=False)
    with pytest.raises(RuntimeError, match="CURSOR_SECRET"):
        next_cursor({"k": {"S": "v"}}, "scope")
    monkeypatch.setenv("CURSOR_SECRET_ARN", arn)
    cursor = next_cursor({"k": {"S": "v"}}, "scope")
    assert cursor and start_key(cursor, "scope") == {"k": {"S": "v"}}
    # Another secret cannot open it (a rotation invalidates cursors in flight: start again).
    client.put_secret_value(SecretId=arn, SecretString="t" * 64)
    secrets.forget()
    from chalicelib.errors import Problem

    with pytest.raises(Problem):
        start_key(cursor, "scope")


def test_the_viisp_client_key_comes_from_the_secret(manager: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.auth.viisp import ViispClient, configured_gateway
    from devstack.certs import key_and_certificate

    key = generate_pem().decode()
    arn = manager.create_secret(Name="mr-dev/viisp-client-key", SecretString=key)["ARN"]
    _, certificate = key_and_certificate("gateway")
    monkeypatch.setenv("VIISP_CLIENT_KEY_SECRET_ARN", arn)
    monkeypatch.setenv("VIISP_GATEWAY_CERT_PEM", certificate.decode())
    monkeypatch.delenv("VIISP_CLIENT_KEY_FILE", raising=False)
    gateway = configured_gateway()
    assert isinstance(gateway, ViispClient)
    assert gateway._config.client_key_pem == key.encode()
    assert gateway._config.gateway_cert_pem == certificate
