"""Login sessions: opened by a login, refreshed with rotating refresh tokens, ended by logout or by
the reuse of a spent refresh token; and the check the authoriser makes for every token.

Rules (docs/AUTH.md):

- Every access token names its session (`sid`). The authoriser refuses a token whose session is
  unknown, revoked, expired or someone else's: one strongly consistent GetItem.
- Each refresh spends the presented refresh token and issues the next one. Spending is a
  conditional update (`rotated_at` must not exist yet), so of two refreshes with the same token
  only one can win.
- Presenting a spent refresh token — the loser of such a race included — revokes the whole
  session (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): the register cannot tell a second tab from
  someone who copied the cookie. The page serialises its refreshes so that it never races itself.
- Logout revokes the session: its access tokens are refused from the next uncached check on, and
  none of its refresh tokens works again.

Only hashes of refresh tokens are stored; session ids are random and name a session without
opening it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib import observability
from chalicelib.config import settings
from chalicelib.models.base import condition_failed
from chalicelib.models.sessions import REFRESH, SESSION, AuthSession

MAX_SECRET_LENGTH = 128
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    session_id: str
    refresh_token: str
    refresh_seconds: int  # how long the refresh cookie may live: until the session's end


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_seconds: int


def _now() -> datetime:
    return datetime.now(UTC)


def _seconds_left(expires_at: datetime, now: datetime) -> int:
    return max(0, int((expires_at - now).total_seconds()))


def _new_refresh_token(session_id: str, expires_at: datetime, now: datetime) -> str:
    secret = secrets.token_urlsafe(32)
    AuthSession(f"{REFRESH}#{secret_hash(secret)}", kind=REFRESH, session_id=session_id, created_at=now,
                expires_at=expires_at).save(condition=AuthSession.session_key.does_not_exist())
    return secret


def open_session(person_id: str, provider: str) -> OpenedSession:
    """A new session for a person who has just logged in, and its first refresh token."""
    now = _now()
    session_id = secrets.token_urlsafe(16)  # 128 random bits
    expires_at = now + timedelta(seconds=settings().session_seconds)
    AuthSession(f"{SESSION}#{session_id}", kind=SESSION, person_id=person_id, provider=provider, created_at=now,
                expires_at=expires_at).save(condition=AuthSession.session_key.does_not_exist())
    return OpenedSession(session_id, _new_refresh_token(session_id, expires_at, now), _seconds_left(expires_at, now))


def access_token_for(person_id: str, session_id: str) -> tuple[str, int]:
    """A signed access token of a session and its lifetime, with roles computed now."""
    from chalicelib.auth.tokens import issue_access_token
    from chalicelib.services.identity import login_identity

    identity = login_identity(person_id)
    return issue_access_token(person_id, session_id, identity.roles, identity.institutions)


def _live_session(session_id: str, now: datetime) -> AuthSession | None:
    if not SESSION_ID.fullmatch(session_id):
        return None
    try:
        # Strongly consistent: a logout that has answered is seen by the very next check.
        session = AuthSession.get(f"{SESSION}#{session_id}", consistent_read=True)
    except AuthSession.DoesNotExist:
        return None
    # DynamoDB's TTL deletes late; the expiry is enforced here.
    live = session.kind == SESSION and session.revoked_at is None and session.expires_at > now
    return session if live and session.person_id else None


def session_is_live(session_id: str, person_id: str) -> bool:
    """The authoriser's check: the session exists, is the person's, and has not ended."""
    session = _live_session(session_id, _now())
    return session is not None and session.person_id == person_id


def _refresh_item(secret: str, now: datetime) -> AuthSession | None:
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    try:
        item = AuthSession.get(f"{REFRESH}#{secret_hash(secret)}", consistent_read=True)
    except AuthSession.DoesNotExist:
        return None
    return item if item.kind == REFRESH and item.session_id and item.expires_at > now else None


def revoke_session(session_id: str, reason: str) -> bool:
    """End a session for good; whether this call ended it (the first reason is kept). Its items
    expire by TTL."""
    try:
        AuthSession(f"{SESSION}#{session_id}").update(
            actions=[AuthSession.revoked_at.set(_now()), AuthSession.revoked_reason.set(reason)],
            condition=AuthSession.session_key.exists() & AuthSession.revoked_at.does_not_exist(),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise  # unknown or already revoked is fine; an outage is not
        return False
    return True


def _reused(session_id: str) -> None:
    # Counted once per session ended, not per replay of a token of an already ended session.
    if revoke_session(session_id, "reuse"):
        observability.log("refresh_token_reuse", session_id=session_id)
        observability.metric("RefreshTokenReuse")


def refresh(secret: str) -> Tokens | None:
    """Spend a refresh token: a new access token and the next refresh token, or None (log in
    again). A spent token revokes its session."""
    now = _now()
    presented = _refresh_item(secret, now)
    if presented is None or presented.session_id is None:
        return None
    session_id = presented.session_id
    if presented.rotated_at is not None:
        _reused(session_id)
        return None
    session = _live_session(session_id, now)
    if session is None or session.person_id is None:
        return None
    # The next token is stored before the presented one is spent: if the spend loses, the new one
    # was never handed out and dies with the revoked session.
    next_secret = _new_refresh_token(session_id, session.expires_at, now)
    try:
        presented.update(actions=[AuthSession.rotated_at.set(now)],
                         condition=AuthSession.rotated_at.does_not_exist())
    except UpdateError as exc:
        if not condition_failed(exc):
            raise
        _reused(session_id)  # a concurrent refresh spent the same token first
        return None
    access, lifetime = access_token_for(session.person_id, session_id)
    return Tokens(access, lifetime, next_secret, _seconds_left(session.expires_at, now))


def end_session(secret: str) -> None:
    """Logout: the refresh token's session ends, whichever of its tokens is presented."""
    presented = _refresh_item(secret, _now())
    if presented is not None and presented.session_id and revoke_session(presented.session_id, "logout"):
        observability.log("logout", session_id=presented.session_id)
