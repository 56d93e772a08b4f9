"""`/auth/*`: gateway login, callback, access token from the refresh cookie, logout.

Cookies: `__Host-mr_login` binds a login to the browser that started it; it must come back on the
gateway's cross-site POST, hence SameSite=None (still HttpOnly, Secure, 10 minutes).
`__Host-mr_session` holds the session's current refresh token: HttpOnly, Secure, SameSite=Strict, so
no other site can make a browser send it; every `/auth/token` replaces it (rotation,
services/sessions). Token and logout additionally require a custom header, which a cross-site
form cannot set (CSRF). Access tokens travel only in response bodies and Authorization headers.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import observability
from chalicelib.handlers.contract import RouteDoc, documented, shaped
from chalicelib.handlers.problems import problem

blueprint = Blueprint(__name__)

LOGIN_COOKIE = "__Host-mr_login"
SESSION_COOKIE = "__Host-mr_session"
CSRF_HEADER, CSRF_VALUE = "x-requested-with", "mokiniu-registras"
MAX_FORM_BYTES = 8 * 1024


def _cookie(name: str, value: str, max_age: int, same_site: str) -> str:
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite={same_site}"


def _read_cookie(request: Request, name: str) -> str:
    from http.cookies import CookieError, SimpleCookie

    try:
        jar = SimpleCookie(request.headers.get("cookie", ""))
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel else ""


def _html(status: int, body: str, cookies: list[str] | None = None, form_target: str | None = None) -> Response:
    from chalicelib.web import pages

    headers = pages.security_headers(form_target)
    if cookies:
        headers["Set-Cookie"] = cookies
    return Response(body=body, status_code=status, headers=headers)


@blueprint.route("/auth/login", methods=["GET"])
@documented(RouteDoc("Start a login at the state gateway (a page that posts the ticket there)", auth=False,
                     response_types=("text/html",), extra_statuses={503: "Gateway unavailable (HTML page)"}))
def login() -> Response:
    from chalicelib.auth.viisp import GatewayError, configured_gateway
    from chalicelib.services.login import LoginFailed, start_login
    from chalicelib.web import pages

    try:
        started = start_login(configured_gateway())
    except (LoginFailed, GatewayError):
        return _html(503, pages.login_failed("unavailable"))
    return _html(
        200, pages.gateway_redirect(started.portal_url, started.ticket),
        cookies=[_cookie(LOGIN_COOKIE, started.browser_nonce, 600, "None")], form_target=started.portal_url,
    )


STATUS_FOR_FAILURE = {"state": 400, "identity": 502, "refused": 401, "unavailable": 503}


def _login_failed(reason: str) -> None:
    observability.log("login_failed", reason=reason)
    observability.metric("LoginFailures", reason=reason)


@blueprint.route("/auth/callback", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
@documented(RouteDoc("The gateway's postback (form fields ticket, customData)", auth=False, status=303,
                     request="GatewayPostback", response_types=(), errors=(415,),
                     extra_statuses={400: "Unknown, used or foreign ticket (HTML page)",
                                     401: "The login did not succeed (HTML page)",
                                     413: "Too large (HTML page)", 503: "Gateway unavailable (HTML page)"}))
def callback() -> Response:
    from chalicelib.auth.viisp import GatewayError, configured_gateway
    from chalicelib.services.login import LoginFailed, finish_login
    from chalicelib.web import pages

    request = blueprint.current_request
    raw = request.raw_body or b""
    raw = raw.encode() if isinstance(raw, str) else raw
    clear_login = _cookie(LOGIN_COOKIE, "", 0, "None")
    if len(raw) > MAX_FORM_BYTES:
        return _html(413, pages.login_failed("state"), cookies=[clear_login])
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    try:
        opened = finish_login(configured_gateway(), form.get("ticket", ""), form.get("customData", ""),
                              _read_cookie(request, LOGIN_COOKIE))
    except LoginFailed as exc:
        _login_failed(exc.reason)
        return _html(STATUS_FOR_FAILURE[exc.reason], pages.login_failed(exc.reason), cookies=[clear_login])
    except GatewayError:
        _login_failed("unavailable")
        return _html(503, pages.login_failed("unavailable"), cookies=[clear_login])
    observability.log("login")
    observability.metric("Logins")
    session = _cookie(SESSION_COOKIE, opened.refresh_token, opened.refresh_seconds, "Strict")
    # 303: the browser follows with a GET to the register's start page.
    return Response(body="", status_code=303, headers={"Location": "../", "Set-Cookie": [clear_login, session],
                                                       "Cache-Control": "no-store"})


def _csrf_refused(request: Request) -> Response | None:
    from chalicelib.domain import problems as P

    if request.headers.get(CSRF_HEADER) != CSRF_VALUE:
        return problem(P.auth.csrf, request)
    return None


# The body is ignored; whatever type a client labels its empty body with is fine.
ANY_BODY = ["application/json", "application/x-www-form-urlencoded", "text/plain"]


@blueprint.route("/auth/token", methods=["POST"], content_types=ANY_BODY)
@documented(RouteDoc("An access token from the refresh cookie, which is replaced by the next one", "TokenOut",
                     auth=False, errors=(401, 403), headers=(("X-Requested-With", "must be mokiniu-registras"),)))
def token() -> Response:
    from chalicelib.services.sessions import refresh

    request = blueprint.current_request
    refused = _csrf_refused(request)
    if refused:
        return refused
    tokens = refresh(_read_cookie(request, SESSION_COOKIE))
    if tokens is None:
        # Logged out, expired, unknown, or a spent refresh token (which has just ended its session):
        # one answer for all, so a replayed cookie learns nothing.
        from chalicelib.domain import problems as P

        return problem(P.auth.session, request)
    body = shaped("TokenOut", {"access_token": tokens.access_token, "token_type": "Bearer",
                             "expires_in": tokens.expires_in})
    return Response(body=json.dumps(body), headers={
        "Content-Type": "application/json", "Cache-Control": "no-store",
        "Set-Cookie": _cookie(SESSION_COOKIE, tokens.refresh_token, tokens.refresh_seconds, "Strict")})


@blueprint.route("/auth/logout", methods=["POST"], content_types=ANY_BODY)
@documented(RouteDoc("End the login session", auth=False, status=204, response_types=(), errors=(403,),
                     headers=(("X-Requested-With", "must be mokiniu-registras"),)))
def logout() -> Response:
    from chalicelib.services.sessions import end_session

    request = blueprint.current_request
    refused = _csrf_refused(request)
    if refused:
        return refused
    end_session(_read_cookie(request, SESSION_COOKIE))
    return Response(body="", status_code=204, headers={"Set-Cookie": _cookie(SESSION_COOKIE, "", 0, "Strict"),
                                                       "Cache-Control": "no-store"})
