"""The gateway login and the refresh session that follows it.

Pending logins and sessions live in the `sessions` table under hashes of their secrets. A login is
bound to the browser that started it (a random nonce in an HttpOnly cookie, its hash stored with
the ticket), so a ticket captured or replayed from elsewhere cannot log anyone in, and a ticket is
consumed by a conditional delete, so it works once even if the postback is replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DeleteError

from chalicelib.auth.tokens import issue_access_token
from chalicelib.auth.viisp import GatewayError, IdentityGateway, new_custom_data
from chalicelib.config import settings
from chalicelib.domain.personal_code import PersonalCodeError
from chalicelib.domain.text import TextError, clean_name
from chalicelib.models.sessions import LOGIN, SESSION, AuthSession
from chalicelib.services.identity import login_identity
from chalicelib.services.persons import record_gateway_login

LOGIN_SECONDS = 600
MAX_TICKET_LENGTH = 512


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LoginFailed(Exception):
    """`reason`: `state` (unknown, used or foreign ticket), `refused` (the gateway did not
    authenticate: a means failed or was cancelled), `unavailable` (gateway unreachable),
    `identity` (the gateway's data is unusable)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoginStart:
    ticket: str
    portal_url: str
    browser_nonce: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    expires_in: int


def start_login(gateway: IdentityGateway) -> LoginStart:
    nonce, custom_data = secrets.token_urlsafe(32), new_custom_data()
    try:
        ticket = gateway.start(f"{settings().public_url}/auth/callback", custom_data)
    except GatewayError as exc:
        raise LoginFailed("unavailable" if exc.reason == "unavailable" else "refused") from None
    now = datetime.now(UTC)
    AuthSession(f"{LOGIN}#{_hash(ticket)}", kind=LOGIN, nonce_hash=_hash(nonce), custom_data=custom_data,
                created_at=now, expires_at=now + timedelta(seconds=LOGIN_SECONDS)).save()
    return LoginStart(ticket=ticket, portal_url=gateway.portal_url(), browser_nonce=nonce)


def finish_login(gateway: IdentityGateway, ticket: str, custom_data: str, browser_nonce: str) -> str:
    """Complete a login; return the new session's secret (for the refresh cookie)."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH or not browser_nonce:
        raise LoginFailed("state")
    pending = _consume_login(ticket)
    if (
        pending is None
        or pending.expires_at < datetime.now(UTC)
        or not hmac.compare_digest(pending.nonce_hash or "", _hash(browser_nonce))
        or not hmac.compare_digest(pending.custom_data or "", custom_data)
    ):
        raise LoginFailed("state")
    try:
        identity = gateway.fetch_identity(ticket)
    except GatewayError as exc:
        raise LoginFailed("unavailable" if exc.reason == "unavailable" else "refused") from None
    if not hmac.compare_digest(identity.custom_data, custom_data):
        raise LoginFailed("state")
    try:
        person = record_gateway_login(
            identity.personal_code, _display_name(identity.given_name), _display_name(identity.family_name)
        )
    except (PersonalCodeError, TextError):
        raise LoginFailed("identity") from None
    return create_session(person.person_id, identity.provider)


def _consume_login(ticket: str) -> AuthSession | None:
    key = f"{LOGIN}#{_hash(ticket)}"
    try:
        pending = AuthSession.get(key, consistent_read=True)
        pending.delete(condition=AuthSession.session_key.exists())
    except (AuthSession.DoesNotExist, DeleteError):
        return None  # unknown, or consumed by a concurrent postback of the same ticket
    return pending


def _display_name(gateway_name: str) -> str:
    """The gateway sends names in capitals (`JANKAUSKIENĖ`); people read `Jankauskienė`."""
    name = clean_name(gateway_name)
    if not name:
        raise TextError("required")
    return name.title() if name.isupper() else name


def create_session(person_id: str, provider: str) -> str:
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    AuthSession(f"{SESSION}#{_hash(secret)}", kind=SESSION, person_id=person_id, provider=provider,
                created_at=now, expires_at=now + timedelta(seconds=settings().session_seconds)).save()
    return secret


def _session(secret: str) -> AuthSession | None:
    if not secret or len(secret) > 128:
        return None
    try:
        session = AuthSession.get(f"{SESSION}#{_hash(secret)}", consistent_read=True)
    except AuthSession.DoesNotExist:
        return None
    # DynamoDB's TTL deletes late; the expiry is enforced here.
    return session if session.expires_at > datetime.now(UTC) and session.person_id else None


def issue_tokens(secret: str) -> Tokens | None:
    """A fresh access token for a live session, with roles computed now; None if no session."""
    session = _session(secret)
    if session is None or session.person_id is None:
        return None
    identity = login_identity(session.person_id)
    token, lifetime = issue_access_token(session.person_id, _hash(secret)[:32], identity.roles, identity.institutions)
    return Tokens(access_token=token, expires_in=lifetime)


def end_session(secret: str) -> None:
    session = _session(secret)
    if session is not None:
        session.delete()
