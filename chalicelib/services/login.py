"""The gateway login; the session it opens is `services/sessions`.

Pending logins live in the `sessions` table under hashes of their tickets. A login is
bound to the browser that started it (a random nonce in an HttpOnly cookie, its hash stored with
the ticket), so a ticket captured or replayed from elsewhere cannot log anyone in, and a ticket is
consumed by a conditional delete, so it works once even if the postback is replayed.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import DeleteError

from chalicelib.auth.viisp import GatewayError, IdentityGateway, new_custom_data
from chalicelib.config import settings
from chalicelib.domain.personal_code import PersonalCodeError
from chalicelib.domain.text import TextError, clean_name
from chalicelib.models.sessions import LOGIN, AuthSession
from chalicelib.services.persons import record_gateway_login
from chalicelib.services.sessions import OpenedSession, open_session, secret_hash

LOGIN_SECONDS = 600
MAX_TICKET_LENGTH = 512


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


def start_login(gateway: IdentityGateway) -> LoginStart:
    nonce, custom_data = secrets.token_urlsafe(32), new_custom_data()
    try:
        ticket = gateway.start(f"{settings().public_url}/auth/callback", custom_data)
    except GatewayError as exc:
        raise LoginFailed("unavailable" if exc.reason == "unavailable" else "refused") from None
    now = datetime.now(UTC)
    AuthSession(f"{LOGIN}#{secret_hash(ticket)}", kind=LOGIN, nonce_hash=secret_hash(nonce), custom_data=custom_data,
                created_at=now, expires_at=now + timedelta(seconds=LOGIN_SECONDS)).save()
    return LoginStart(ticket=ticket, portal_url=gateway.portal_url(), browser_nonce=nonce)


def finish_login(gateway: IdentityGateway, ticket: str, custom_data: str, browser_nonce: str) -> OpenedSession:
    """Complete a login; return the new session (its first refresh token goes in the cookie)."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH or not browser_nonce:
        raise LoginFailed("state")
    pending = _consume_login(ticket)
    if (
        pending is None
        or pending.expires_at < datetime.now(UTC)
        or not hmac.compare_digest(pending.nonce_hash or "", secret_hash(browser_nonce))
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
    return open_session(person.person_id, identity.provider)


def _consume_login(ticket: str) -> AuthSession | None:
    key = f"{LOGIN}#{secret_hash(ticket)}"
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
