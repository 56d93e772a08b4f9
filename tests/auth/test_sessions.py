"""Logout logs out and refresh tokens rotate: each removed right is used right afterwards, over
HTTP (chalice.test.Client runs the authoriser on every request, with no cache)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest
from chalice.app import AuthRequest
from chalice.test import Client

from app import app
from chalicelib.auth import devtoken
from chalicelib.auth.tokens import issue_access_token
from chalicelib.handlers.security import CACHE_SECONDS, authorize
from chalicelib.models.sessions import SESSION, AuthSession
from chalicelib.services import sessions
from chalicelib.services.sessions import access_token_for, open_session

PERSON = "39001010000"
OTHER = "48402290770"
CSRF = {"X-Requested-With": "mokiniu-registras"}


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    with Client(app, stage_name="local") as test_client:
        yield test_client


def refresh(client: Client, cookie: str) -> Any:
    return client.http.post("/auth/token", headers=CSRF | {"Cookie": f"__Host-mr_session={cookie}"})


def logout(client: Client, cookie: str) -> Any:
    return client.http.post("/auth/logout", headers=CSRF | {"Cookie": f"__Host-mr_session={cookie}"})


def me(client: Client, access: str) -> int:
    return int(client.http.get("/me", headers={"Authorization": f"Bearer {access}"}).status_code)


def next_cookie(response: Any) -> str:
    """The refresh cookie a response sets, after checking its attributes."""
    value = response.headers["Set-Cookie"]
    assert isinstance(value, str) and value.startswith("__Host-mr_session=")
    attributes = {part.strip().partition("=")[0]: part.strip().partition("=")[2] for part in value.split(";")[1:]}
    assert attributes.keys() >= {"Path", "Max-Age", "HttpOnly", "Secure", "SameSite"}
    assert attributes["Path"] == "/" and attributes["SameSite"] == "Strict" and "Domain" not in attributes
    assert 0 < int(attributes["Max-Age"]) <= 8 * 3600  # never beyond the session's end
    return value.split(";", 1)[0].split("=", 1)[1]


def refused_session(response: Any) -> bool:
    return bool(response.status_code == 401 and response.headers["Content-Type"] == "application/problem+json"
                and response.json_body["code"] == "auth.session" and "Set-Cookie" not in response.headers)


def test_logout_refuses_the_very_access_token_and_the_refresh_cookie(client: Client) -> None:
    first = refresh(client, open_session(PERSON, "test").refresh_token)
    assert first.status_code == 200
    access, cookie = first.json_body["access_token"], next_cookie(first)
    assert me(client, access) == 200

    answered = logout(client, cookie)
    assert answered.status_code == 204
    assert answered.headers["Set-Cookie"].startswith("__Host-mr_session=;") and "Max-Age=0" in answered.headers[
        "Set-Cookie"]
    # The next request with the same access token: refused by the authoriser (a deny: 403; in API
    # Gateway the problem+json `auth.denied`), as is the refresh cookie.
    assert me(client, access) == 403
    assert refused_session(refresh(client, cookie))


def test_each_refresh_rotates_the_refresh_cookie(client: Client) -> None:
    cookie = open_session(PERSON, "test").refresh_token
    seen = [cookie]
    for _ in range(3):
        answered = refresh(client, cookie)
        assert answered.status_code == 200 and answered.headers["Cache-Control"] == "no-store"
        assert me(client, answered.json_body["access_token"]) == 200
        cookie = next_cookie(answered)
        seen.append(cookie)
    assert len(set(seen)) == 4


def test_a_spent_refresh_token_revokes_the_whole_session(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    spent = open_session(PERSON, "test").refresh_token
    first = refresh(client, spent)
    access, current = first.json_body["access_token"], next_cookie(first)
    second = refresh(client, current)
    later_access, latest = second.json_body["access_token"], next_cookie(second)
    assert me(client, access) == 200 and me(client, later_access) == 200

    # The first cookie again (a copy someone kept): refused, and the session ends with it.
    assert refused_session(refresh(client, spent))
    assert refused_session(refresh(client, latest))  # the legitimate holder's newest one too
    assert me(client, access) == 403 and me(client, later_access) == 403
    assert refused_session(refresh(client, spent))  # replayed again: the session is already over
    reported = [r for r in caplog.messages if '"event": "refresh_token_reuse"' in r]
    assert len(reported) == 1 and spent not in reported[0] and PERSON not in reported[0]
    session = AuthSession.get(f"{SESSION}#{first_session_id(access)}")
    assert session.revoked_reason == "reuse" and session.revoked_at is not None


def first_session_id(access: str) -> str:
    from chalicelib.auth.tokens import verify_access_token

    return verify_access_token(access).session_id


def test_two_refreshes_with_one_token_cannot_both_win(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic race: a second refresh with the same token runs to the end between the first
    one's reads and its spend. The second wins; the first then finds the token spent, which is a
    reuse: the session ends, the winner's tokens included."""
    opened = open_session(PERSON, "test")
    store: Callable[..., str] = sessions._new_refresh_token
    outcomes: list[sessions.Tokens | None] = []
    raced: list[bool] = []

    def racing(*args: Any) -> str:
        if not raced:
            raced.append(True)
            outcomes.append(sessions.refresh(opened.refresh_token))  # the other tab, faster
        return store(*args)

    monkeypatch.setattr(sessions, "_new_refresh_token", racing)
    outcomes.append(sessions.refresh(opened.refresh_token))
    winner, loser = outcomes
    assert winner is not None and loser is None
    assert sessions.refresh(winner.refresh_token) is None
    arn = "arn:aws:execute-api:eu-north-1:1:api/api/GET/me"
    assert authorize(AuthRequest("TOKEN", f"Bearer {winner.access_token}", arn)).routes == []


def test_a_logout_with_an_earlier_cookie_still_ends_the_session(client: Client) -> None:
    spent = open_session(PERSON, "test").refresh_token
    first = refresh(client, spent)
    access = first.json_body["access_token"]
    assert logout(client, spent).status_code == 204
    assert me(client, access) == 403
    assert refused_session(refresh(client, next_cookie(first)))


def test_tokens_of_unknown_expired_or_someone_elses_sessions_are_refused(client: Client) -> None:
    opened = open_session(PERSON, "test")
    assert me(client, access_token_for(PERSON, opened.session_id)[0]) == 200
    assert me(client, access_token_for(PERSON, "A" * 22)[0]) == 403  # no such session
    assert me(client, issue_access_token(OTHER, opened.session_id, ["resident"], [])[0]) == 403
    # Expired, but not yet deleted by DynamoDB's TTL (which is late by design).
    session = AuthSession.get(f"{SESSION}#{opened.session_id}")
    session.update(actions=[AuthSession.expires_at.set(datetime.now(UTC) - timedelta(seconds=1))])
    assert me(client, access_token_for(PERSON, opened.session_id)[0]) == 403
    assert refused_session(refresh(client, opened.refresh_token))


def test_the_logout_check_is_one_strongly_consistent_read(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_session(PERSON, "test")
    token = access_token_for(PERSON, opened.session_id)[0]
    calls: list[tuple[str, dict[str, Any]]] = []
    original: Callable[..., Any] = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        calls.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    allowed = authorize(AuthRequest("TOKEN", f"Bearer {token}", "arn:aws:execute-api:eu-north-1:1:api/api/GET/me"))
    assert allowed.principal_id == opened.session_id
    assert [(op, p["TableName"], p.get("ConsistentRead")) for op, p in calls] == [
        ("GetItem", "mr-local-sessions", True)]
    assert 0 < CACHE_SECONDS <= 60


def test_dev_tokens_open_a_session_and_work(client: Client, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    monkeypatch.setattr(devtoken, "STATE_FILE", tmp_path / "no-dev-stack.json")
    assert devtoken.main([PERSON]) == 0
    token = capsys.readouterr().out.strip()
    assert me(client, token) == 200
    assert [s.provider for s in AuthSession.scan() if s.kind == SESSION] == ["dev"]
