"""Server-rendered pages of the login flow. Every value is escaped; no inline script or style,
so the strict Content-Security-Policy holds (`security_headers`)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlparse

from chalicelib.config import settings
from chalicelib.domain.i18n import BASE_LANGUAGE, catalogue, languages, pick
from chalicelib.web.texts import say


def uploads_origins() -> str:
    """Where the pages may send a file: the uploads bucket (presigned POSTs go straight to S3)."""
    config = settings()
    if config.endpoint_url:
        target = urlparse(config.endpoint_url)
        return f"{target.scheme}://{target.netloc}"
    bucket, region = config.uploads_bucket, config.region
    return f"https://{bucket}.s3.amazonaws.com https://{bucket}.s3.{region}.amazonaws.com"


def security_headers(form_target: str | None = None) -> dict[str, str | list[str]]:
    """Headers every page carries. `form_target`: another origin a form on the page may post to.
    No third party is reachable: scripts, styles and requests stay on the register's origin,
    except uploads to its own bucket."""
    form_action = "'self'"
    if form_target:
        target = urlparse(form_target)
        form_action += f" {target.scheme}://{target.netloc}"
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self' {uploads_origins()}; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


def _page(title: str, body: str, script: str | None = None, root: str = "") -> str:
    """`root`: the relative path back to the app's root (`../` for pages under `auth/`): relative
    links work both at `/` locally and under API Gateway's stage path."""
    script_tag = f'<script src="{root}static/{script}" defer></script>' if script else ""
    return (
        '<!doctype html><html lang="lt"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="{root}static/site.css">{script_tag}</head>'
        f"<body><main>{body}</main></body></html>"
    )


def _translations(key: str) -> list[tuple[str, str]]:
    """(language, text) of `key` in every language that translates it, Lithuanian first."""
    return [(language, catalogue(language)[key]) for language in languages() if key in catalogue(language)]


def _each(key: str) -> str:
    """`key` in every language on one line ("Tęsti / Continue / Dalej"), each marked with its `lang`."""
    return " / ".join(escape(text) if language == BASE_LANGUAGE else f'<span lang="{language}">{escape(text)}</span>'
                      for language, text in _translations(key))


def _in(language: str, key: str) -> str:
    """`key` in `language` inside that language's block; where it is not translated, the Lithuanian
    text marked as Lithuanian."""
    text, really = say(language, key)
    return escape(text) if really == language else f'<span lang="{really}">{escape(text)}</span>'


# The login steps come before the page's own language choice can reach the server (it lives in the
# browser's storage, and the gateway's postback to a fixed address carries no query), and a browser's
# Accept-Language is often not the language a person reads best here: so these pages say everything
# in every language offered, Lithuanian first, each block marked with its `lang`.
def gateway_redirect(portal_url: str, ticket: str) -> str:
    """Sends the browser to the gateway with the ticket as a form POST (never in the URL)."""
    (_, heading), *others = _translations("connecting")
    body = (
        f"<h1>{escape(heading)}</h1>"
        + "".join(f'<p lang="{language}">{escape(text)}</p>' for language, text in others)
        + f'<form id="gateway" method="post" action="{escape(portal_url)}">'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        f'<button type="submit">{_each("continue")}</button></form>'
    )
    return _page(catalogue(BASE_LANGUAGE)["loginTitle"], body, "autosubmit.js", root="../")


FAILURES = ("refused", "unavailable", "state", "identity")


def _means(language: str) -> str:
    """The means of login the gateway offers here, named in `language` (else in Lithuanian, marked)."""
    from chalicelib.auth.viisp import PROVIDER_NAMES

    names = [PROVIDER_NAMES[p] for p in settings().viisp_providers or PROVIDER_NAMES if p in PROVIDER_NAMES]
    listed = escape(", ".join(pick(name, language) for name in names))
    return listed if all(language in name for name in names) else f'<span lang="{BASE_LANGUAGE}">{listed}</span>'


def login_failed(reason: str) -> str:
    reason_key = f"loginFailure_{reason if reason in FAILURES else 'refused'}"
    config = settings()
    blocks = []
    for language, title in _translations("loginFailedTitle"):
        said = (f"<p>{_in(language, reason_key)}</p>"
                f"<p>{_in(language, 'loginTryOther')} {_in(language, 'loginMeans')}: {_means(language)}.</p>")
        blocks.append(f"<h1>{escape(title)}</h1>{said}" if language == BASE_LANGUAGE
                      else f'<section lang="{language}"><h2>{escape(title)}</h2>{said}</section>')
    body = (
        "".join(blocks)
        + f'<p><a class="button" href="../auth/login">{_each("tryAgain")}</a></p>'
        f"<p>{_each('loginKeepsFailing')}: "
        f'<a href="tel:{escape(config.support_phone.replace(" ", ""))}">{escape(config.support_phone)}</a>, '
        f'<a href="mailto:{escape(config.support_email)}">{escape(config.support_email)}</a>.</p>'
    )
    return _page(catalogue(BASE_LANGUAGE)["loginFailedTitle"], body, root="../")
