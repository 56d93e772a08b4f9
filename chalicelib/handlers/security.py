"""The JWT authoriser every API route uses, and the caller it hands to handlers.

The authoriser never raises: an exception inside it is a 500 in `chalice local`
(docs/KNOWN_TRAPS.md).
A bad token is denied (403 everywhere); a missing `Authorization` header is 401 (API Gateway and
Chalice refuse it before the authoriser runs). An allowed token is allowed for every route
(`routes=['*']`): API Gateway caches the decision per token, and a policy naming one route would
break the next call to another. Route-level decisions are made in the handlers' policy checks.

A verified token is allowed only while its session lives (one GetItem on `sessions`): after
logout or a refresh-token reuse, the session's tokens are refused by the next check that is not
answered from API Gateway's cache, so the cache lifetime is also how long a logout may take to
reach every token (`CACHE_SECONDS`; docs/AUTH.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest, Request

from chalicelib import observability

if TYPE_CHECKING:
    from chalicelib.auth.tokens import AccessClaims
    from chalicelib.domain.policy import CallerFacts

blueprint = Blueprint(__name__)
DENY = AuthResponse(routes=[], principal_id="anonymous")
# API Gateway keeps each token's decision this long: at most 60 s, because a logged-out session's
# tokens keep working until their cached decision expires.
CACHE_SECONDS = 60


def verified_claims(auth_request: AuthRequest) -> AccessClaims | None:
    """The token's claims if its signature and claims verify (CPU only, no I/O); None otherwise."""
    # Imported here, not with the module: every API function loads this module for `jwt_auth`.
    from chalicelib.auth.tokens import TokenError, verify_access_token

    header = auth_request.token or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        return verify_access_token(token.strip())
    except TokenError as exc:
        observability.log("token_refused", reason=str(exc))
        observability.metric("TokenRefusals")
        return None


def authorize(auth_request: AuthRequest) -> AuthResponse:
    try:
        claims = verified_claims(auth_request)
        if claims is None:
            return DENY
        from chalicelib.services.sessions import session_is_live

        if not session_is_live(claims.session_id, claims.person_id):
            observability.log("token_refused", reason="session")
            observability.metric("TokenRefusals")
            return DENY
    except Exception as exc:
        # Fails closed (an outage of the sessions table refuses tokens), and never raises: an
        # exception here would be a 500 in `chalice local`.
        observability.log_exception("authoriser_error", exc)
        return DENY
    return allow(claims)


def allow(claims: AccessClaims) -> AuthResponse:
    # principal_id lands in API Gateway's logs: the session id, never the personal code.
    return AuthResponse(
        routes=["*"],
        principal_id=claims.session_id,
        context={
            "person_id": claims.person_id,
            "roles": ",".join(claims.roles),
            "institutions": ",".join(claims.institutions),
            "session_id": claims.session_id,
        },
    )


@blueprint.authorizer(name="jwt_auth", ttl_seconds=CACHE_SECONDS)
def jwt_auth(auth_request: AuthRequest) -> AuthResponse:
    """The Lambda function API Gateway calls. Chalice names the packaged handler after this
    function (`chalicelib.handlers.security.jwt_auth`), so the module attribute of that name must be
    the authoriser object, which turns Lambda's (event, context) into an `AuthRequest`; `authorize`
    itself takes only the request."""
    return authorize(auth_request)


class Caller(NamedTuple):
    """Who is calling, as the verified token says. Handlers take identity only from here."""

    person_id: str
    roles: frozenset[str]
    institutions: frozenset[str]
    session_id: str


def caller(request: Request) -> Caller:
    context = (request.context or {}).get("authorizer") or {}
    # API Gateway hands the authoriser's context values over as strings: lists travel comma-joined.
    return Caller(
        person_id=str(context.get("person_id", "")),
        roles=frozenset(filter(None, str(context.get("roles", "")).split(","))),
        institutions=frozenset(filter(None, str(context.get("institutions", "")).split(","))),
        session_id=str(context.get("session_id", "")),
    )


def caller_facts_for(request: Request) -> CallerFacts:
    """The caller's current standing in the register (re-read per request, see services/access)."""
    from chalicelib.services.access import caller_facts

    return caller_facts(caller(request).person_id)
